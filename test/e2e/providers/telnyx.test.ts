// End to end, Telnyx dialect: see test/helpers/provider-suite.ts for what is covered.
import { generateKeyPairSync, sign } from 'node:crypto';
import { defineProviderSuite } from '../../helpers/provider-suite.js';

const { privateKey: strangerKey } = generateKeyPairSync('ed25519');

defineProviderSuite({
  provider: 'telnyx',
  env: (i) => ({ TELNYX_API_KEY: i.credentials.apiKey!, TELNYX_PUBLIC_KEY: i.credentials.publicKey!, MMS_TELNYX_BASE_URL: i.baseUrl, MMS_FROM: i.defaultFrom }),
  wrongAuthEnv: () => ({ TELNYX_API_KEY: 'KEYwrong' }),
  invalidTo: '+15557770100',
  invalidProviderCode: '40310',
  invalidHttpStatus: 400,
  idPattern: /^[0-9a-f-]{36}$/,
  status: { delivered: 'delivered', deliveredInfo: { to: '+15551234567' }, failTo: '+15557770103', failed: 'delivery_failed', failStatus: 'undelivered' },
  listenNumber: (i) => i.numbers[1]!,
  numberConfiguredByApi: true,
  webhookSecretEnv: 'TELNYX_PUBLIC_KEY',
  localMedia: 'served',
  async webhookConfig(_sb, i, number) {
    const headers = { authorization: `Bearer ${i.credentials.apiKey!}` };
    const num = (await (await fetch(`${i.baseUrl}/v2/phone_numbers/messaging?filter[phone_number]=${encodeURIComponent(number)}`, { headers })).json()) as {
      data: Array<{ messaging_profile_id: string }>;
    };
    const profiles = (await (await fetch(`${i.baseUrl}/v2/messaging_profiles`, { headers })).json()) as {
      data: Array<{ id: string; webhook_url: string | null }>;
    };
    return { profile: num.data[0]?.messaging_profile_id, profiles: profiles.data.map((x) => `${x.id} ${x.webhook_url ?? ''}`).sort() };
  },
  forgeries(_i, _ready, from, to) {
    const body = JSON.stringify({
      data: {
        event_type: 'message.received',
        id: '3f1c1f4e-0000-4000-8000-000000000001',
        occurred_at: new Date().toISOString(),
        payload: {
          id: '3f1c1f4e-0000-4000-8000-000000000002',
          direction: 'inbound',
          from: { phone_number: from },
          to: [{ phone_number: to }],
          text: 'forged',
          media: [],
        },
      },
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const wrong = sign(null, Buffer.from(`${ts}|${body}`), strangerKey).toString('base64');
    const headers = { 'content-type': 'application/json' };
    return [
      { name: 'unsigned', init: { headers, body } },
      { name: 'signed with another key', init: { headers: { ...headers, 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': wrong }, body } },
    ];
  },
});
