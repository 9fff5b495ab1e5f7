import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../src/errors/errors.js';
import { createPublicUrlTunnel, normalizePublicUrl } from '../../../../src/webhook/tunnel/public-url.js';

describe('normalizePublicUrl', () => {
  it.each([
    ['https://abc.ngrok.app', 'https://abc.ngrok.app'],
    ['https://abc.ngrok.app/', 'https://abc.ngrok.app'],
    ['https://example.com/mms/', 'https://example.com/mms'],
    ['https://EXAMPLE.com:8443', 'https://example.com:8443'],
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000'],
    ['http://[::1]:9000/', 'http://[::1]:9000'],
  ])('%s → %s', (input, out) => {
    expect(normalizePublicUrl(input)).toBe(out);
  });

  it.each([
    'example.com',
    'not a url',
    'http://example.com',
    'http://localhost:3000',
    'ftp://example.com',
    'https://user:pass@example.com',
    'https://example.com/?token=1',
    'https://example.com/#x',
  ])('rejects %s', (input) => {
    expect(() => normalizePublicUrl(input)).toThrow(UsageError);
  });
});

describe('createPublicUrlTunnel', () => {
  it('starts with the URL and stops as a no-op', async () => {
    const t = createPublicUrlTunnel({ url: 'https://hooks.example.com/' });
    expect(t.name).toBe('public-url');
    await expect(t.start(1234)).resolves.toEqual({ publicUrl: 'https://hooks.example.com', warnings: [] });
    let lost = 0;
    t.onClose(() => lost++);
    await t.stop();
    expect(lost).toBe(0);
  });

  it('validates at creation, before anything starts', () => {
    expect(() => createPublicUrlTunnel({ url: 'http://example.com' })).toThrow(/https/);
  });
});
