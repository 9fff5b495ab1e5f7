import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  computeTwilioSignature,
  parseTwilioWebhook,
  twilioUrlVariants,
  validateTwilioSignature,
  verifyTwilioWebhook,
} from '../../../../src/providers/twilio/webhook.js';

// Official vectors from twilio-node spec/validation.spec.js (reference §1.7).
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
const DEFAULT_SIG = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
const form = (p: Record<string, string | string[]>): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) for (const x of Array.isArray(v) ? v : [v]) u.append(k, x);
  return u.toString();
};

describe('computeTwilioSignature (official vectors)', () => {
  it.each([
    [URL_, DEFAULT_SIG],
    ['https://mycompany.com:443/myapp.php?foo=1&bar=2', 'kvajT1Ptam85bY51eRf/AJRuM3w='],
    ['http://mycompany.com:80/myapp.php?foo=1&bar=2', '0ZXoZLH/DfblKGATFgpif+LLRf4='],
    ['http://mycompany.com:1234/myapp.php?foo=1&bar=2', 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU='],
  ])('%s', (url, sig) => {
    expect(computeTwilioSignature(TOKEN, url, PARAMS)).toBe(sig);
  });

  it('array params are de-duplicated and sorted', () => {
    expect(computeTwilioSignature(TOKEN, URL_, { 'MessagingBinding.Address': ['+1415xxxxxxx', '+1325xxxxxxx'] })).toBe('83O6e2vORAoJHUNzJjDWN1jz+BA=');
    expect(computeTwilioSignature(TOKEN, URL_, { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] })).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('derived MMS inbound vector', () => {
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    const c = 'c'.repeat(32);
    const params = {
      AccountSid: `AC${a}`,
      Body: 'hello',
      From: '+15557654321',
      MediaContentType0: 'image/jpeg',
      MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/AC${a}/Messages/MM${b}/Media/ME${c}`,
      MessageSid: `MM${b}`,
      NumMedia: '1',
      To: '+15551234567',
    };
    expect(computeTwilioSignature('test_auth_token', 'https://example.ngrok.app/twilio/inbound', params)).toBe('brXMlSKshyXuRBk29RwmW/bsoQk=');
  });
});

describe('validateTwilioSignature', () => {
  const body = form(PARAMS);

  it('accepts the default vector from the raw form body', () => {
    expect(validateTwilioSignature(TOKEN, DEFAULT_SIG, URL_, body)).toBe(true);
  });

  it('accepts parsed params passed explicitly', () => {
    expect(validateTwilioSignature(TOKEN, DEFAULT_SIG, URL_, '', PARAMS)).toBe(true);
  });

  it('accepts a signature over the URL with :443 when given the URL without a port', () => {
    expect(validateTwilioSignature(TOKEN, 'kvajT1Ptam85bY51eRf/AJRuM3w=', URL_, body)).toBe(true);
  });

  it('accepts a signature over the URL without a port when given the URL with :443', () => {
    expect(validateTwilioSignature(TOKEN, DEFAULT_SIG, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', body)).toBe(true);
  });

  it('accepts http with :80 when given the URL without a port', () => {
    expect(validateTwilioSignature(TOKEN, '0ZXoZLH/DfblKGATFgpif+LLRf4=', 'http://mycompany.com/myapp.php?foo=1&bar=2', body)).toBe(true);
  });

  it('accepts a non-default port as given, and with the port stripped (twilio-node behaviour)', () => {
    const withPort = 'http://mycompany.com:1234/myapp.php?foo=1&bar=2';
    expect(validateTwilioSignature(TOKEN, 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=', withPort, body)).toBe(true);
    const httpsWithPort = 'https://mycompany.com:1234/myapp.php?foo=1&bar=2';
    expect(validateTwilioSignature(TOKEN, DEFAULT_SIG, httpsWithPort, body)).toBe(true);
  });

  it('accepts the URL with user:pass and the default port added after it', () => {
    const url = 'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2';
    const sig = computeTwilioSignature(TOKEN, 'https://user:pass@mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS);
    expect(validateTwilioSignature(TOKEN, sig, url, body)).toBe(true);
  });

  it("accepts a query re-encoded by Node's legacy querystring (' vs %27)", () => {
    const url = "https://mycompany.com/myapp.php?foo=it's&bar=2";
    const legacySigned = computeTwilioSignature(TOKEN, 'https://mycompany.com/myapp.php?foo=it%27s&bar=2', PARAMS);
    expect(validateTwilioSignature(TOKEN, legacySigned, url, body)).toBe(true);
    expect(twilioUrlVariants(url)).toContain('https://mycompany.com:443/myapp.php?foo=it%27s&bar=2');
  });

  it('accepts the official JSON-body (bodySHA256) vector', () => {
    const raw = '{"property": "value", "boolean": true}';
    const hash = createHash('sha256').update(raw).digest('hex');
    expect(hash).toBe('0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620');
    const url = `${URL_}&bodySHA256=${hash}`;
    expect(validateTwilioSignature(TOKEN, 'a9nBmqA0ju/hNViExpshrM61xv4=', url, raw)).toBe(true);
    expect(validateTwilioSignature(TOKEN, 'a9nBmqA0ju/hNViExpshrM61xv4=', url, `${raw} `)).toBe(false);
  });

  it.each([
    ['wrong token', 'wrong', DEFAULT_SIG, URL_],
    ['tampered signature', TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B9=', URL_],
    ['different path', TOKEN, DEFAULT_SIG, 'https://mycompany.com/other.php?foo=1&bar=2'],
    ['different host', TOKEN, DEFAULT_SIG, 'https://evil.com/myapp.php?foo=1&bar=2'],
    ['missing query', TOKEN, DEFAULT_SIG, 'https://mycompany.com/myapp.php'],
    ['empty signature', TOKEN, '', URL_],
    ['empty token', '', DEFAULT_SIG, URL_],
    ['unparseable url', TOKEN, DEFAULT_SIG, 'not a url'],
  ])('rejects: %s', (_n, token, sig, url) => {
    expect(validateTwilioSignature(token, sig, url, body)).toBe(false);
  });

  it('rejects a tampered body', () => {
    expect(validateTwilioSignature(TOKEN, DEFAULT_SIG, URL_, form({ ...PARAMS, Digits: '9999' }))).toBe(false);
    expect(validateTwilioSignature(TOKEN, DEFAULT_SIG, URL_, form({ ...PARAMS, Extra: 'x' }))).toBe(false);
  });
});

describe('verifyTwilioWebhook', () => {
  it('verifies a POST against the public URL, not the local one', () => {
    const publicUrl = 'https://abc.trycloudflare.com/hooks/PREFIX/twilio';
    const rawBody = Buffer.from(form({ MessageSid: 'SM1', MessageStatus: 'delivered' }));
    const sig = createHmac('sha1', 'tok').update(`${publicUrl}MessageSidSM1MessageStatusdelivered`).digest('base64');
    const req = { method: 'POST', publicUrl, headers: { 'x-twilio-signature': sig }, rawBody };
    expect(verifyTwilioWebhook(req, 'tok')).toBe(true);
    expect(verifyTwilioWebhook({ ...req, publicUrl: 'http://127.0.0.1:3000/hooks/PREFIX/twilio' }, 'tok')).toBe(false);
    expect(verifyTwilioWebhook({ ...req, headers: {} }, 'tok')).toBe(false);
  });

  it('verifies a GET webhook over the URL alone', () => {
    const publicUrl = 'https://x.example/hook?MessageSid=SM1&Body=hi';
    const sig = createHmac('sha1', 'tok').update(publicUrl).digest('base64');
    expect(verifyTwilioWebhook({ method: 'GET', publicUrl, headers: { 'x-twilio-signature': [sig] }, rawBody: Buffer.alloc(0) }, 'tok')).toBe(true);
  });
});

describe('parseTwilioWebhook and JSON bodies', () => {
  const req = (body: string, contentType: string) => ({
    method: 'POST',
    publicUrl: 'https://x.example/hook',
    headers: { 'content-type': contentType },
    rawBody: Buffer.from(body),
  });

  it('refuses a JSON body instead of reading it as an empty form (no event with an empty id, sender and text)', () => {
    const json = JSON.stringify({ MessageSid: 'SM1', From: '+15557654321', Body: 'hi' });
    expect(() => parseTwilioWebhook(req(json, 'application/json'))).toThrow(/form-encoded.*JSON body/);
    expect(() => parseTwilioWebhook(req(` ${json}`, 'application/x-www-form-urlencoded'))).toThrow(/JSON body/);
  });

  it('still parses the form it always did', () => {
    expect(
      parseTwilioWebhook(req(form({ MessageSid: 'SM1', From: '+15557654321', To: '+15551234567', Body: 'hi' }), 'application/x-www-form-urlencoded')),
    ).toMatchObject([{ type: 'message', id: 'SM1', from: '+15557654321', body: 'hi' }]);
  });
});
