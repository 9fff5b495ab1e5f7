// The TwiML reply parser of the sandbox's Twilio dialect: which <Message> verbs an app's answer holds.
import { describe, expect, it, vi } from 'vitest';
import { parseTwimlMessages } from '../../../../src/sandbox/dialects/twilio/twiml.js';

describe('parseTwimlMessages', () => {
  it('reads text, <Media>, and the to/from/statusCallback/action/method attributes', () => {
    const doc = `<?xml version="1.0"?><Response><Message to="+15551230001" from='+15557770001' statusCallback="http://127.0.0.1:1/s" action="/next" method="get">Hi &amp; bye<Media>http://127.0.0.1:1/a.png</Media></Message></Response>`;
    expect(parseTwimlMessages(doc)).toEqual([
      {
        to: '+15551230001',
        from: '+15557770001',
        statusCallback: 'http://127.0.0.1:1/s',
        action: '/next',
        method: 'GET',
        body: 'Hi & bye',
        media: ['http://127.0.0.1:1/a.png'],
      },
    ]);
  });

  it('reads <Body> and several <Message> verbs, ignores comments and other verbs', () => {
    const doc = `<Response><!-- <Message>no</Message> --><Message><Body>one</Body><Media>http://x/1.png</Media><Media>http://x/2.png</Media></Message><Redirect>/next</Redirect><Message>two</Message><Message/></Response>`;
    expect(parseTwimlMessages(doc)).toEqual([
      { body: 'one', media: ['http://x/1.png', 'http://x/2.png'] },
      { body: 'two', media: [] },
      { body: '', media: [] },
    ]);
  });

  it('finds nothing in an empty response, plain text or JSON', () => {
    expect(parseTwimlMessages('<Response/>')).toEqual([]);
    expect(parseTwimlMessages('')).toEqual([]);
    expect(parseTwimlMessages('<Message>not TwiML</Message>')).toEqual([]);
    expect(parseTwimlMessages('{"ok":true}')).toEqual([]);
  });
});

describe('TwiML replies in the sandbox', () => {
  it('stops a reply loop between two of its numbers after five replies, and says so', async () => {
    const { startSandbox } = await import('../../../../src/sandbox/server.js');
    const { startReceiver } = await import('../../../conformance/helpers.js');
    const lines: string[] = [];
    const sb = await startSandbox({ port: 0, stepDelayMs: 1, log: (l) => lines.push(l) });
    const rx = await startReceiver();
    try {
      const tw = sb.info().providers.twilio!;
      const auth = { authorization: `Basic ${Buffer.from(`${tw.credentials.accountSid}:${tw.credentials.authToken}`).toString('base64')}` };
      const api = `${tw.baseUrl}/2010-04-01/Accounts/${tw.credentials.accountSid}`;
      const form = { ...auth, 'content-type': 'application/x-www-form-urlencoded' };
      const numbers = (
        (await (await fetch(`${api}/IncomingPhoneNumbers.json`, { headers: auth })).json()) as {
          incoming_phone_numbers: Array<{ sid: string; phone_number: string }>;
        }
      ).incoming_phone_numbers;
      for (const n of numbers.filter((x) => ['+15005550006', '+15557770001'].includes(x.phone_number))) {
        await fetch(`${api}/IncomingPhoneNumbers/${n.sid}.json`, { method: 'POST', headers: form, body: new URLSearchParams({ SmsUrl: rx.url('/echo') }) });
      }
      rx.answer('/echo', () => ({ status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response><Message>auto</Message></Response>' }));
      await fetch(`${api}/Messages.json`, {
        method: 'POST',
        headers: form,
        body: new URLSearchParams({ From: '+15005550006', To: '+15557770001', Body: 'start' }),
      });
      await vi.waitFor(() => expect(lines.some((l) => l.includes('TwiML reply not sent: 5 replies in a row'))).toBe(true), { timeout: 5000, interval: 10 });
      const replies = sb.store.list({ provider: 'twilio' }).filter((m) => m.direction === 'outbound' && m.body === 'auto');
      expect(replies).toHaveLength(5);
    } finally {
      await sb.close();
      await rx.close();
    }
  });
});
