// The sandbox signs Twilio webhooks with its own implementation; Twilio's published vectors hold.
import { describe, expect, it } from 'vitest';
import { twilioSignature } from '../../../src/sandbox/dialects/twilio/signature.js';

describe('twilioSignature', () => {
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };

  it("matches twilio-node's test vectors (URL variants)", () => {
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(twilioSignature('12345', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params)).toBe('kvajT1Ptam85bY51eRf/AJRuM3w=');
    expect(twilioSignature('12345', 'http://mycompany.com:1234/myapp.php?foo=1&bar=2', params)).toBe('Zmvh+3yNM1Phv2jhDCwEM3q5ebU=');
  });

  it('signs over the URL alone when there are no form parameters (the bodySHA256 vector)', () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
    expect(twilioSignature('12345', url, {})).toBe('a9nBmqA0ju/hNViExpshrM61xv4=');
  });

  it("is accepted by the official SDK's validateRequest", async () => {
    const { default: twilio } = await import('twilio');
    const url = 'https://example.ngrok.app/twilio/inbound?x=1';
    const form = { Body: 'hello', From: '+15557654321', MediaUrl0: 'http://127.0.0.1:1/m.png', NumMedia: '1', To: '+15551234567' };
    expect(twilio.validateRequest('test_auth_token', twilioSignature('test_auth_token', url, form), url, form)).toBe(true);
  });
});
