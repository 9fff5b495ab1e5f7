// The shared HTTP-status ladder, with a made-up descriptor so no provider's table is involved.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/errors/errors.js';
import type { ProviderDescriptor } from '../../../src/providers/descriptor.js';
import { providerHttpError, retryAfterMs, statusClass } from '../../../src/providers/provider-error.js';
import { res } from '../../helpers/fake-http.js';

function descriptor(precedence: 'code' | 'status'): ProviderDescriptor {
  return {
    name: 'acme',
    displayName: 'Acme',
    defaultBaseUrl: 'https://api.acme.example',
    capabilities: {
      maxMedia: 1,
      maxTotalBytes: 1,
      maxFileBytes: 1,
      mediaTypes: [],
      mediaTransport: 'url',
      maxBodyChars: 1,
      statusLookup: false,
      statusCallbacks: false,
      signature: 'none',
      defaultRatePerSecond: 1,
    },
    credentialFields: [],
    statusMap: {},
    errors: {
      precedence,
      codes: { '7': { code: ErrorCode.RECIPIENT_INVALID, suggestion: 'fix the number' }, x: { code: ErrorCode.PROVIDER_REJECTED, beatsStatus: true } },
      statusHints: { AUTH_REJECTED: 'log in again', PROVIDER_UNAVAILABLE: 'try later' },
    },
    rateLimitHeaders: { retryAfter: 'retry-after', reset: 'x-reset' },
  };
}

describe('providerHttpError', () => {
  it.each([
    [401, 'AUTH_REJECTED', 4],
    [403, 'AUTH_FORBIDDEN', 4],
    [404, 'NOT_FOUND', 6],
    [429, 'RATE_LIMITED', 7],
    [503, 'PROVIDER_UNAVAILABLE', 7],
    [400, 'PROVIDER_REJECTED', 6],
    [422, 'PROVIDER_REJECTED', 6],
  ])('classifies HTTP %i as %s (exit %i)', (status, code, exit) => {
    expect(statusClass(status)).toBe(code);
    expect(providerHttpError(descriptor('code'), res(status, ''))).toMatchObject({ code, exitCode: exit, httpStatus: status, provider: 'acme' });
  });

  it('keeps the provider code, message and link, with the status hint as suggestion', () => {
    const err = providerHttpError(descriptor('code'), res(401, '{}'), { providerCode: 'bad_key', providerMessage: 'Bad key', moreInfo: 'https://x' });
    expect(err).toMatchObject({
      message: 'Acme bad_key: Bad key',
      providerCode: 'bad_key',
      providerMessage: 'Bad key',
      moreInfo: 'https://x',
      suggestion: 'log in again',
    });
    expect(providerHttpError(descriptor('code'), res(500, 'upstream down')).message).toBe('Acme HTTP 500: upstream down');
    expect(providerHttpError(descriptor('code'), res(500, '')).message).toBe('Acme HTTP 500: no message');
    expect(providerHttpError(descriptor('code'), res(400, ''), { messageSuffix: ' (+1 more)' }).message).toBe('Acme HTTP 400: no message (+1 more)');
  });

  it("lets the provider's code win with 'code' precedence, and only refine open answers with 'status'", () => {
    expect(providerHttpError(descriptor('code'), res(401, ''), { providerCode: 7 })).toMatchObject({ code: 'RECIPIENT_INVALID', suggestion: 'fix the number' });
    expect(providerHttpError(descriptor('status'), res(401, ''), { providerCode: 7 })).toMatchObject({ code: 'AUTH_REJECTED', suggestion: 'log in again' });
    expect(providerHttpError(descriptor('status'), res(400, ''), { providerCode: 7 })).toMatchObject({ code: 'RECIPIENT_INVALID' });
    expect(providerHttpError(descriptor('status'), res(403, ''), { providerCode: 'x' }).code).toBe('PROVIDER_REJECTED');
    expect(providerHttpError(descriptor('status'), res(400, ''), { rule: { code: ErrorCode.SENDER_INVALID } }).code).toBe('SENDER_INVALID');
  });

  it('ignores codes that only match inherited object keys', () => {
    expect(providerHttpError(descriptor('code'), res(400, ''), { providerCode: 'constructor' }).code).toBe('PROVIDER_REJECTED');
  });

  it('reads Retry-After, or the reset header on a 429', () => {
    const d = descriptor('code');
    expect(providerHttpError(d, res(429, '', { 'retry-after': '3' })).retryAfterMs).toBe(3000);
    expect(retryAfterMs(res(429, '', { 'x-reset': '2' }), d.rateLimitHeaders)).toBe(2000);
    expect(retryAfterMs(res(429, '', { 'x-reset': '1700000005' }), d.rateLimitHeaders, 1_700_000_000_000)).toBe(5000);
    expect(retryAfterMs(res(503, '', { 'x-reset': '2' }), d.rateLimitHeaders)).toBeUndefined();
    expect(retryAfterMs(res(429, '', { 'x-reset': '2' }), { retryAfter: 'retry-after' })).toBeUndefined();
  });
});
