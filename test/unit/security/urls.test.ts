import { describe, expect, it } from 'vitest';
import { checkHttpUrl } from '../../../src/core/urls.js';
import { resolveMedia } from '../../../src/media/resolve.js';
import { twilioAdapter } from '../../../src/providers/twilio/adapter.js';

describe('checkHttpUrl: one rule for every URL a user gives', () => {
  it.each([
    ['http:///a.png', 'has no host after "//"'],
    ['https:/example.com/a.png', 'has no host after "//"'],
    ['http:\\\\example.com\\a.png', 'has no host after "//"'],
    ['javascript:alert(1)', 'only http(s) URLs are accepted (got javascript)'],
    ['file:///etc/passwd', 'only http(s) URLs are accepted (got file)'],
    ['not a url', 'not a URL (expected http:// or https://)'],
    ['https://exa mple.com/', 'contains white space'],
    ['https://u:p@example.com/a.png', 'URLs with embedded credentials are refused (they would be sent on)'],
  ])('refuses %s', (input, problem) => {
    expect(checkHttpUrl(input)).toEqual({ problem });
  });

  it('accepts ordinary http(s) URLs, loopback included', () => {
    for (const ok of ['https://example.com/chart.png', 'http://127.0.0.1:8000/x?y=1', 'https://[::1]:4780/twilio'])
      expect(checkHttpUrl(ok).url?.href).toBeDefined();
  });

  it('refuses hostile --media URLs before anything is sent, never echoing credentials', async () => {
    const r = await resolveMedia(['http:///a.png', 'https://AC1:s3cret@example.com/a.png'], twilioAdapter.capabilities, 'Twilio');
    expect(r.items).toEqual([]);
    expect(r.problems.map((p) => [p.code, p.message])).toEqual([
      ['MEDIA_URL_INVALID', '--media http:///a.png: has no host after "//"'],
      ['MEDIA_URL_INVALID', '--media https://example.com/a.png: URLs with embedded credentials are refused (they would be sent on)'],
    ]);
  });
});
