// End to end, Bandwidth dialect: see test/helpers/provider-suite.ts for what is covered. No
// callback credentials are configured: `mms listen --number` generates them for the temporary
// application and must verify callbacks with them.
import { defineProviderSuite } from '../../helpers/provider-suite.js';
import type { SandboxProviderInfo } from '../../helpers/sandbox.js';

async function token(i: SandboxProviderInfo): Promise<string> {
  const res = await fetch(`${i.baseUrl}/api/v1/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${i.credentials.clientId!}:${i.credentials.clientSecret!}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

defineProviderSuite({
  provider: 'bandwidth',
  env: (i) => ({
    BW_ACCOUNT_ID: i.credentials.accountId!,
    BW_MESSAGING_APPLICATION_ID: i.credentials.applicationId!,
    BW_CLIENT_ID: i.credentials.clientId!,
    BW_CLIENT_SECRET: i.credentials.clientSecret!,
    MMS_BANDWIDTH_BASE_URL: i.baseUrl,
    MMS_FROM: i.defaultFrom,
  }),
  wrongAuthEnv: () => ({ BW_CLIENT_SECRET: 'wrong-client-secret' }),
  authErrorHasHttpStatus: false,
  invalidTo: '+15557770090',
  invalidProviderCode: 'request-validation',
  invalidHttpStatus: 400,
  status: {
    delivered: 'DELIVERED',
    deliveredInfo: { providerStatus: 'DELIVERED', numMedia: 1 },
    failTo: '+15557770091',
    failed: 'FAILED',
    failStatus: 'failed',
  },
  listenNumber: (i) => i.numbers[1]!,
  numberConfiguredByApi: true,
  // Without --number, callbacks can only be checked with the profile's callback credentials.
  webhookSecretEnv: 'BW_CALLBACK_USERNAME',
  // Local files go through Bandwidth's media PUT.
  localMedia: 'uploaded',
  async webhookConfig(_sb, i, number) {
    const headers = { authorization: `Bearer ${await token(i)}`, accept: 'application/xml' };
    const tn = number.replace(/\D/g, '').slice(1);
    const peer = await (await fetch(`${i.baseUrl}/api/tns/${tn}/sippeers`, { headers })).text();
    const apps = await (await fetch(`${i.baseUrl}/api/accounts/${i.credentials.accountId!}/applications`, { headers })).text();
    return { peer, apps: apps.match(/<ApplicationId>[^<]*<\/ApplicationId>/g) ?? [] };
  },
  forgeries(_i, _ready, from, to) {
    const body = JSON.stringify([
      {
        type: 'message-received',
        time: new Date().toISOString(),
        description: 'Incoming message received',
        to,
        message: { id: 'forged', direction: 'in', from, to: [to], text: 'forged', media: [] },
      },
    ]);
    const headers = { 'content-type': 'application/json' };
    return [
      { name: 'unsigned', init: { headers, body }, challenged: true },
      {
        name: 'wrong callback password',
        init: { headers: { ...headers, authorization: `Basic ${Buffer.from('mms-listen:wrong-password').toString('base64')}` }, body },
      },
    ];
  },
});
