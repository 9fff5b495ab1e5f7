// End to end, Sinch dialect: see test/helpers/provider-suite.ts for what is covered. Sinch has no
// API for the service plan's callback URL, so the "manual" dashboard step goes through the
// sandbox's stand-in for the dashboard form (not a Sinch API; the adapter never calls it).
import { defineProviderSuite } from '../../helpers/provider-suite.js';
import type { SandboxProviderInfo } from '../../helpers/sandbox.js';
import { computeSinchSignature } from '../../../src/providers/sinch/webhook.js';

const dashboardUrl = (i: SandboxProviderInfo) => `${i.baseUrl}/dashboard/service-plans/${i.credentials.servicePlanId!}/callback-url`;
const bearer = (i: SandboxProviderInfo) => ({ authorization: `Bearer ${i.credentials.apiToken!}`, 'content-type': 'application/json' });

defineProviderSuite({
  provider: 'sinch',
  env: (i) => ({
    SINCH_SERVICE_PLAN_ID: i.credentials.servicePlanId!,
    SINCH_API_TOKEN: i.credentials.apiToken!,
    SINCH_WEBHOOK_SECRET: i.credentials.webhookSecret!,
    MMS_SINCH_BASE_URL: i.baseUrl,
    MMS_FROM: i.defaultFrom,
  }),
  wrongAuthEnv: () => ({ SINCH_API_TOKEN: 'f'.repeat(32) }),
  invalidTo: '+15557770090',
  invalidProviderCode: 'syntax_invalid_parameter_format',
  invalidHttpStatus: 400,
  idPattern: /^[0-9A-Z]{26}$/,
  status: { delivered: 'Delivered', deliveredInfo: { providerStatus: 'Delivered' }, failTo: '+15557770091', failed: 'Failed', failStatus: 'failed' },
  listenNumber: (i) => i.numbers[1]!,
  numberConfiguredByApi: false,
  webhookSecretEnv: 'SINCH_WEBHOOK_SECRET',
  localMedia: 'served',
  async webhookConfig(_sb, i) {
    return (await (await fetch(dashboardUrl(i), { headers: bearer(i) })).json()) as unknown;
  },
  async manualSetup(_sb, i, ready) {
    const previous = ((await (await fetch(dashboardUrl(i), { headers: bearer(i) })).json()) as { url: string | null }).url;
    const set = await fetch(dashboardUrl(i), { method: 'PUT', headers: bearer(i), body: JSON.stringify({ url: ready.inboundUrl }) });
    if (set.status !== 200) throw new Error(`dashboard stand-in: ${set.status}`);
    return async () => {
      await fetch(dashboardUrl(i), { method: 'PUT', headers: bearer(i), body: JSON.stringify({ url: previous }) });
    };
  },
  forgeries(_i, _ready, from, to) {
    const body = JSON.stringify({
      type: 'mo_media',
      id: '01J0000000000000000000FAKE',
      from: from.slice(1),
      to: to.slice(1),
      body: { message: 'forged', media: [] },
      received_at: new Date().toISOString(),
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = 'forged-nonce';
    const headers = { 'content-type': 'application/json' };
    return [
      { name: 'unsigned', init: { headers, body } },
      {
        name: 'signed with another secret',
        init: {
          headers: {
            ...headers,
            'x-sinch-webhook-signature': computeSinchSignature('not-the-secret', body, nonce, ts),
            'x-sinch-webhook-signature-nonce': nonce,
            'x-sinch-webhook-signature-timestamp': ts,
            'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
          },
          body,
        },
      },
    ];
  },
});
