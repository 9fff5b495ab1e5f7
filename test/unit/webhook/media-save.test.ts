import { describe, expect, it } from 'vitest';
import { twilioAdapter } from '../../../src/providers/twilio/adapter.js';
import { extensionFor, isProviderOrigin, mediaAuthHeaders, mediaFileName, numberedName } from '../../../src/webhook/media-save.js';
import { execHookEnv } from '../../../src/webhook/exec-hook.js';

describe('mediaAuthHeaders', () => {
  const twilio = twilioAdapter;
  const creds = { accountSid: 'AC1', authToken: 'tok' };
  it('sends the provider credentials to the provider host only', () => {
    expect(mediaAuthHeaders(twilio, 'https://api.twilio.com', creds, 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1')).toEqual({
      Authorization: `Basic ${Buffer.from('AC1:tok').toString('base64')}`,
    });
    expect(mediaAuthHeaders(twilio, 'http://127.0.0.1:4780/twilio', creds, 'http://127.0.0.1:4780/twilio/x')).toBeDefined();
    expect(mediaAuthHeaders(twilio, 'https://api.twilio.com', creds, 'https://evil.example/steal')).toBeUndefined();
    expect(mediaAuthHeaders(twilio, 'https://api.twilio.com', creds, 'not a url')).toBeUndefined();
  });
});

describe('isProviderOrigin', () => {
  const bw = { defaultBaseUrl: 'https://messaging.bandwidth.com' };
  it('is true for the configured and the default API origin only', () => {
    expect(isProviderOrigin(bw, 'http://127.0.0.1:4780/bandwidth', 'http://127.0.0.1:4780/bandwidth/api/v2/users/1/media/x')).toBe(true);
    expect(isProviderOrigin(bw, 'http://127.0.0.1:4780/bandwidth', 'https://messaging.bandwidth.com/api/v2/users/1/media/x')).toBe(true);
    expect(isProviderOrigin(bw, 'http://127.0.0.1:4780/bandwidth', 'https://evil.example/x')).toBe(false);
    expect(isProviderOrigin(bw, 'http://127.0.0.1:4780/bandwidth', 'not a url')).toBe(false);
  });
});

describe('saved media names and --exec environment', () => {
  it('generates names from the message id and the type, never from the URL', () => {
    expect(mediaFileName(`MM${'a'.repeat(32)}`, 0, 'image/png')).toBe(`MM${'a'.repeat(32)}-1.png`);
    expect(mediaFileName('../../etc/passwd', 1, 'image/jpeg; charset=x')).toBe('_.._etc_passwd-2.jpg');
    expect(mediaFileName('', 2, 'application/x-unknown')).toBe('message-3.bin');
    expect(extensionFor(undefined)).toBe('.bin');
    expect(numberedName('a-1.png', 1)).toBe('a-1.png');
    expect(numberedName('a-1.png', 3)).toBe('a-1-3.png');
    expect(numberedName('noext', 2)).toBe('noext-2');
  });

  it('passes from, to, body and the saved paths', () => {
    expect(execHookEnv({ id: 'MM1', provider: 'twilio', from: '+1', to: '+2', body: 'hi\nthere' }, ['/a/1.png', '/a/2.jpg'])).toEqual({
      MMS_EVENT: 'message',
      MMS_MESSAGE_PROVIDER: 'twilio',
      MMS_MESSAGE_ID: 'MM1',
      MMS_MESSAGE_FROM: '+1',
      MMS_MESSAGE_TO: '+2',
      MMS_MESSAGE_BODY: 'hi\nthere',
      MMS_MESSAGE_MEDIA: '/a/1.png\n/a/2.jpg',
      // The default sender `mms send` reads: the number that was texted, so a reply goes out from it.
      MMS_FROM: '+2',
    });
  });
});
