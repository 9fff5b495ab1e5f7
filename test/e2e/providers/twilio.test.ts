// End to end, Twilio dialect: see test/helpers/provider-suite.ts for what is covered.
import { defineProviderSuite } from '../../helpers/provider-suite.js';
import { computeTwilioSignature } from '../../../src/providers/twilio/webhook.js';

defineProviderSuite({
  provider: 'twilio',
  env: (i) => ({
    TWILIO_ACCOUNT_SID: i.credentials.accountSid!,
    TWILIO_AUTH_TOKEN: i.credentials.authToken!,
    MMS_TWILIO_BASE_URL: i.baseUrl,
    MMS_FROM: i.defaultFrom,
  }),
  wrongAuthEnv: () => ({ TWILIO_AUTH_TOKEN: 'f'.repeat(32) }),
  // Twilio's magic "invalid To" test number.
  invalidTo: '+15005550001',
  invalidProviderCode: '21211',
  listenNumber: (i) => i.numbers[1]!,
  numberConfiguredByApi: true,
  localMedia: 'served',
  async webhookConfig(_sb, i, number) {
    const auth = `Basic ${Buffer.from(`${i.credentials.accountSid!}:${i.credentials.authToken!}`).toString('base64')}`;
    const res = await fetch(
      `${i.baseUrl}/2010-04-01/Accounts/${i.credentials.accountSid!}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(number)}`,
      { headers: { authorization: auth } },
    );
    const body = (await res.json()) as {
      incoming_phone_numbers: Array<{ phone_number: string; sms_url: string; sms_method: string; sms_application_sid: string | null }>;
    };
    const n = body.incoming_phone_numbers.find((x) => x.phone_number === number);
    return { smsUrl: n?.sms_url, smsMethod: n?.sms_method, app: n?.sms_application_sid };
  },
  forgeries(i, ready, from, to) {
    const params = { MessageSid: `MM${'1'.repeat(32)}`, AccountSid: i.credentials.accountSid!, From: from, To: to, Body: 'forged', NumMedia: '0' };
    const body = new URLSearchParams(params).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    return [
      { name: 'unsigned', init: { headers, body } },
      {
        name: 'signed with another token',
        init: { headers: { ...headers, 'x-twilio-signature': computeTwilioSignature('not-the-token', ready.inboundUrl, params) }, body },
      },
    ];
  },
});
