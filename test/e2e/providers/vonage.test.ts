// End to end, Vonage dialect: see test/helpers/provider-suite.ts for what is covered. The profile
// sends with an application JWT (application id + private key), as a real MMS setup does.
import { createHash, createHmac } from 'node:crypto';
import { defineProviderSuite } from '../../helpers/provider-suite.js';

/** An HS256 JWT shaped like Vonage's signed webhooks. */
function jwt(secret: string, claims: Record<string, unknown>): string {
  const seg = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${seg({ alg: 'HS256', typ: 'JWT' })}.${seg(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

defineProviderSuite({
  provider: 'vonage',
  env: (i) => ({
    VONAGE_API_KEY: i.credentials.apiKey!,
    VONAGE_API_SECRET: i.credentials.apiSecret!,
    VONAGE_APPLICATION_ID: i.credentials.applicationId!,
    VONAGE_PRIVATE_KEY: i.credentials.privateKey!,
    VONAGE_SIGNATURE_SECRET: i.credentials.signatureSecret!,
    MMS_VONAGE_BASE_URL: i.baseUrl,
    MMS_FROM: i.defaultFrom,
  }),
  // Basic auth (no application): a wrong API secret is a 401.
  wrongAuthEnv: () => ({ VONAGE_API_SECRET: 'wrongwrongwrong1', VONAGE_APPLICATION_ID: '', VONAGE_PRIVATE_KEY: '' }),
  invalidTo: '+15557770090',
  invalidProviderCode: '1020',
  invalidHttpStatus: 422,
  idPattern: /^[0-9a-f-]{36}$/,
  status: 'unsupported',
  listenNumber: (i) => i.numbers[1]!,
  numberConfiguredByApi: true,
  webhookSecretEnv: 'VONAGE_SIGNATURE_SECRET',
  localMedia: 'served',
  async webhookConfig(_sb, i, number) {
    const q = new URLSearchParams({ api_key: i.credentials.apiKey!, api_secret: i.credentials.apiSecret!, pattern: number.slice(1), search_pattern: '0' });
    const nums = (await (await fetch(`${i.baseUrl}/account/numbers?${q.toString()}`)).json()) as { numbers: Array<{ msisdn: string; app_id?: string }> };
    const auth = `Basic ${Buffer.from(`${i.credentials.apiKey!}:${i.credentials.apiSecret!}`).toString('base64')}`;
    const apps = (await (await fetch(`${i.baseUrl}/v2/applications?page_size=100`, { headers: { authorization: auth } })).json()) as {
      _embedded?: { applications?: Array<{ id: string }> };
    };
    return { app: nums.numbers.find((n) => n.msisdn === number.slice(1))?.app_id ?? null, apps: (apps._embedded?.applications ?? []).map((a) => a.id).sort() };
  },
  forgeries(i, _ready, from, to) {
    const body = JSON.stringify({
      channel: 'mms',
      message_uuid: 'aaaaaaaa-0000-4000-8000-000000000001',
      to: to.slice(1),
      from: from.slice(1),
      timestamp: new Date().toISOString(),
      message_type: 'text',
      text: 'forged',
    });
    const claims = {
      iss: 'Vonage',
      iat: Math.floor(Date.now() / 1000),
      jti: 'forged',
      api_key: i.credentials.apiKey!,
      application_id: i.credentials.applicationId!,
      payload_hash: createHash('sha256').update(body).digest('hex'),
    };
    const headers = { 'content-type': 'application/json' };
    return [
      { name: 'unsigned', init: { headers, body } },
      { name: 'signed with another secret', init: { headers: { ...headers, authorization: `Bearer ${jwt('not-the-signature-secret', claims)}` }, body } },
      {
        name: 'alg none',
        init: {
          headers: {
            ...headers,
            authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
          },
          body,
        },
      },
    ];
  },
});
