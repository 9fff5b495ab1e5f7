// End to end, Plivo dialect: see test/helpers/provider-suite.ts for what is covered.
import { defineProviderSuite } from '../../helpers/provider-suite.js';
import { computePlivoV2Signature, computePlivoV3Signature } from '../../../src/providers/plivo/webhook.js';

defineProviderSuite({
  provider: 'plivo',
  env: (i) => ({ PLIVO_AUTH_ID: i.credentials.authId!, PLIVO_AUTH_TOKEN: i.credentials.authToken!, MMS_PLIVO_BASE_URL: i.baseUrl, MMS_FROM: i.defaultFrom }),
  wrongAuthEnv: () => ({ PLIVO_AUTH_TOKEN: 'wrong-token-wrong-token' }),
  invalidTo: '+15557770200',
  invalidHttpStatus: 400,
  idPattern: /^[0-9a-f-]{36}$/,
  digitsOnlyRecords: true,
  status: { delivered: 'delivered', deliveredInfo: { to: '+15551234567' }, failTo: '+15557770203', failed: 'undelivered', failStatus: 'undelivered' },
  listenNumber: (i) => i.numbers[1]!,
  numberConfiguredByApi: true,
  // Local files go through Plivo's Media API (media_ids).
  localMedia: 'uploaded',
  async webhookConfig(_sb, i, number) {
    const auth = `Basic ${Buffer.from(`${i.credentials.authId!}:${i.credentials.authToken!}`).toString('base64')}`;
    const base = `${i.baseUrl}/v1/Account/${i.credentials.authId!}`;
    const n = (await (await fetch(`${base}/Number/${number.replace(/\D/g, '')}/`, { headers: { authorization: auth } })).json()) as {
      application?: string;
      app_id?: string;
    };
    const apps = (await (await fetch(`${base}/Application/`, { headers: { authorization: auth } })).json()) as {
      objects: Array<{ app_id: string; message_url: string }>;
    };
    return { application: n.application ?? n.app_id ?? null, apps: apps.objects.map((a) => `${a.app_id} ${a.message_url}`).sort() };
  },
  forgeries(_i, ready, from, to) {
    const params = { From: from.slice(1), To: to.slice(1), Type: 'mms', Text: 'forged', MessageUUID: '0f0e0d0c-0000-4000-8000-000000000001' };
    const body = new URLSearchParams(params).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const nonce = '12345678901234567890';
    return [
      { name: 'unsigned', init: { headers, body } },
      {
        name: 'V3 with another token',
        init: {
          headers: {
            ...headers,
            'x-plivo-signature-v3': computePlivoV3Signature('not-the-token', 'POST', ready.inboundUrl, nonce, params),
            'x-plivo-signature-v3-nonce': nonce,
          },
          body,
        },
      },
      {
        name: 'V2 with another token',
        init: {
          headers: {
            ...headers,
            'x-plivo-signature-v2': computePlivoV2Signature('not-the-token', ready.inboundUrl, nonce),
            'x-plivo-signature-v2-nonce': nonce,
          },
          body,
        },
      },
    ];
  },
});
