import { describe, expect, it } from 'vitest';
import { ErrorCode, ProviderError } from '../../../../src/errors/errors.js';
import { mapTelnyxStatus, parseTelnyxSend, parseTelnyxStatus, telnyxError, telnyxRetryAfterMs } from '../../../../src/providers/telnyx/response.js';
import { providerFixture, res, thrownProviderError } from '../../../helpers/fake-http.js';

const fixture = (name: string): string => providerFixture('telnyx', name);

const thrown = thrownProviderError;

describe('mapTelnyxStatus', () => {
  it.each([
    ['queued', 'queued'],
    ['sending', 'sending'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['sending_failed', 'failed'],
    ['expired', 'failed'],
    ['delivery_failed', 'undelivered'],
    ['delivery_unconfirmed', 'sent'],
    ['webhook_delivered', 'received'],
    ['something_new', 'unknown'],
    [undefined, 'unknown'],
  ] as const)('%s → %s', (word, status) => {
    expect(mapTelnyxStatus(word)).toBe(status);
  });
});

describe('parseTelnyxSend', () => {
  it('takes the id and the recipient status from a 200', () => {
    expect(parseTelnyxSend(res(200, fixture('send-200.json')))).toEqual({
      id: '40385f64-5717-4562-b3fc-2c963f66afa6',
      status: 'queued',
      providerStatus: 'queued',
    });
  });

  it('treats a 2xx without an id as a provider problem, not success', () => {
    const err = thrown(() => parseTelnyxSend(res(200, '{"data":{}}')));
    expect(err.code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
    expect(err.exitCode).toBe(7);
  });

  it('throws the mapped error on a 4xx', () => {
    const err = thrown(() => parseTelnyxSend(res(400, fixture('error-40310-400.json'))));
    expect(err.code).toBe(ErrorCode.RECIPIENT_INVALID);
  });
});

describe('parseTelnyxStatus', () => {
  it('reads a delivered message', () => {
    expect(parseTelnyxStatus(res(200, fixture('get-delivered-200.json')))).toEqual({
      id: '40385f64-5717-4562-b3fc-2c963f66afa6',
      status: 'delivered',
      providerStatus: 'delivered',
      to: '+15551234567',
      from: '+15557654321',
      body: 'hello',
      numMedia: 2,
      dateCreated: '2026-03-01T10:00:00.000+00:00',
      dateUpdated: '2026-03-01T10:00:05.000+00:00',
    });
  });

  it('reports the delivery error of a failed message', () => {
    const info = parseTelnyxStatus(res(200, fixture('get-delivery-failed-200.json')));
    expect(info.status).toBe('undelivered');
    expect(info.errorCode).toBe('40006');
    expect(info.errorMessage).toBe("Recipient server unavailable: The recipient's handset is unreachable.");
  });

  it('maps 404 to NOT_FOUND', () => {
    const err = thrown(() => parseTelnyxStatus(res(404, fixture('error-10005-404.json'))));
    expect(err.code).toBe(ErrorCode.NOT_FOUND);
    expect(err.providerCode).toBe('10005');
  });
});

describe('telnyxError', () => {
  it('maps 40310 to RECIPIENT_INVALID and keeps Telnyx code and text', () => {
    const err = telnyxError(res(400, fixture('error-40310-400.json')));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe(ErrorCode.RECIPIENT_INVALID);
    expect(err.exitCode).toBe(6);
    expect(err.provider).toBe('telnyx');
    expect(err.httpStatus).toBe(400);
    expect(err.providerCode).toBe('40310');
    expect(err.providerMessage).toMatch(/^Invalid 'to' address: /);
    expect(err.message).toMatch(/^Telnyx 40310: Invalid 'to' address/);
    expect(err.suggestion).toBeDefined();
  });

  it('maps 40305 to SENDER_INVALID', () => {
    expect(telnyxError(res(400, fixture('error-40305-400.json'))).code).toBe(ErrorCode.SENDER_INVALID);
  });

  it('uses the JSON pointer for codes without their own meaning, and counts extra errors', () => {
    const err = telnyxError(res(422, fixture('error-10016-422-from.json')));
    expect(err.code).toBe(ErrorCode.SENDER_INVALID);
    expect(err.providerCode).toBe('10016');
    expect(err.message).toContain('(+1 more)');
  });

  it('maps 401 to AUTH_REJECTED (exit 4)', () => {
    const err = telnyxError(res(401, fixture('error-10009-401.json')));
    expect(err.code).toBe(ErrorCode.AUTH_REJECTED);
    expect(err.exitCode).toBe(4);
  });

  it('maps 403 to AUTH_FORBIDDEN (exit 4)', () => {
    const err = telnyxError(res(403, fixture('error-10010-403.json')));
    expect(err.code).toBe(ErrorCode.AUTH_FORBIDDEN);
    expect(err.exitCode).toBe(4);
  });

  it('maps 429 to RATE_LIMITED with the wait from x-ratelimit-reset (seconds)', () => {
    const err = telnyxError(res(429, fixture('error-10011-429.json'), { 'x-ratelimit-reset': '7', 'x-ratelimit-remaining': '0' }));
    expect(err.code).toBe(ErrorCode.RATE_LIMITED);
    expect(err.exitCode).toBe(7);
    expect(err.retryAfterMs).toBe(7000);
  });

  it('prefers Retry-After over x-ratelimit-reset', () => {
    expect(telnyxRetryAfterMs(res(429, '', { 'retry-after': '2', 'x-ratelimit-reset': '30' }))).toBe(2000);
  });

  it('ignores x-ratelimit-reset on responses that are not 429', () => {
    expect(telnyxRetryAfterMs(res(200, '', { 'x-ratelimit-reset': '30' }))).toBeUndefined();
  });

  it('reads an epoch-looking x-ratelimit-reset as a point in time', () => {
    const now = 1_700_000_000_000;
    expect(telnyxRetryAfterMs(res(429, '', { 'x-ratelimit-reset': '1700000005' }), now)).toBe(5000);
  });

  it('maps 5xx to PROVIDER_UNAVAILABLE even without a JSON body', () => {
    const err = telnyxError(res(503, '<html>Service Unavailable</html>'));
    expect(err.code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
    expect(err.exitCode).toBe(7);
    expect(err.message).toBe('Telnyx HTTP 503: <html>Service Unavailable</html>');
  });

  it('maps other 4xx to PROVIDER_REJECTED', () => {
    const err = telnyxError(res(422, '{"errors":[{"code":"10015","title":"Bad Request","source":{"pointer":"/text"}}]}'));
    expect(err.code).toBe(ErrorCode.PROVIDER_REJECTED);
    expect(err.exitCode).toBe(6);
  });
});
