import { describe, expect, it } from 'vitest';
import { ErrorCode, type ProviderError } from '../../../../src/errors/errors.js';
import { ExitCode } from '../../../../src/errors/exit-codes.js';
import {
  bandwidthError,
  mapBandwidthCallbackType,
  mapBandwidthStatus,
  parseBandwidthSend,
  parseBandwidthStatus,
} from '../../../../src/providers/bandwidth/response.js';
import { fixture, res } from './helpers.js';

function err(status: number, file: string, headers: Record<string, string> = {}): ProviderError {
  return bandwidthError(res(status, fixture(file), headers));
}

describe('parseBandwidthSend', () => {
  it('reads the id of a 202 message object', () => {
    expect(parseBandwidthSend(res(202, fixture('send-202.json')))).toEqual({
      id: '1589228074636lm4k2je7j7jklbn2',
      status: 'accepted',
      providerStatus: 'accepted',
    });
  });
  it('throws the mapped error for a non-2xx', () => {
    expect(() => parseBandwidthSend(res(400, fixture('error-400-to.json')))).toThrow(/request-validation/);
  });
  it('reports an unknown outcome for a 2xx without id', () => {
    let caught: unknown;
    try {
      parseBandwidthSend(res(202, '{}'));
    } catch (e) {
      caught = e;
    }
    expect((caught as ProviderError).code).toBe(ErrorCode.OUTCOME_UNKNOWN);
  });
});

describe('bandwidthError', () => {
  it('401 → AUTH_REJECTED, 403 → AUTH_FORBIDDEN (exit 4)', () => {
    const a = err(401, 'error-401.json');
    expect(a.code).toBe(ErrorCode.AUTH_REJECTED);
    expect(a.exitCode).toBe(ExitCode.AUTH);
    expect(a.message).toBe('Bandwidth unauthorized: Authentication Failed');
    expect(err(403, 'error-403.json').code).toBe(ErrorCode.AUTH_FORBIDDEN);
  });
  it('field errors on to/from → RECIPIENT_INVALID/SENDER_INVALID with the field text', () => {
    const to = err(400, 'error-400-to.json');
    expect(to.code).toBe(ErrorCode.RECIPIENT_INVALID);
    expect(to.exitCode).toBe(ExitCode.PROVIDER_REJECTED);
    expect(to.providerCode).toBe('request-validation');
    expect(to.providerMessage).toContain("to: '+invalid' must be replaced");
    expect(err(400, 'error-400-from.json').code).toBe(ErrorCode.SENDER_INVALID);
  });
  it('429 → RATE_LIMITED with Retry-After seconds; a full queue is rate limiting too', () => {
    const list = err(429, 'error-429-list.json', { 'retry-after': '300' });
    expect(list.code).toBe(ErrorCode.RATE_LIMITED);
    expect(list.exitCode).toBe(ExitCode.UNAVAILABLE);
    expect(list.retryAfterMs).toBe(300_000);
    const queue = err(429, 'error-429-queue.json');
    expect(queue.code).toBe(ErrorCode.RATE_LIMITED);
    expect(queue.providerCode).toBe('max-message-queue-size-exceeded');
    expect(queue.retryAfterMs).toBeUndefined();
  });
  it('Spring-style 404, 415 and 5xx', () => {
    const nf = err(404, 'error-404.json');
    expect(nf.code).toBe(ErrorCode.NOT_FOUND);
    expect(nf.message).toBe('Bandwidth Not Found: No message available');
    expect(bandwidthError(res(415, '')).code).toBe(ErrorCode.PROVIDER_REJECTED);
    expect(bandwidthError(res(502, '<html>bad gateway</html>')).code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
  });
});

describe('parseBandwidthStatus', () => {
  it('maps a listed message', () => {
    expect(parseBandwidthStatus(res(200, fixture('list-messages.json')), '1589228074636lm4k2je7j7jklbn2')).toEqual({
      id: '1589228074636lm4k2je7j7jklbn2',
      status: 'delivered',
      providerStatus: 'DELIVERED',
      to: '+15552223333',
      from: '+15554443333',
      numMedia: 1,
      dateCreated: '2025-05-11T20:14:34.636Z',
    });
  });
  it('keeps a failure code', () => {
    const s = parseBandwidthStatus(res(200, fixture('list-messages-failed.json')), '1589228074636lm4k2je7j7jklbn3');
    expect(s.status).toBe('failed');
    expect(s.errorCode).toBe(4410);
  });
  it('throws NOT_FOUND when the list is empty', () => {
    expect(() => parseBandwidthStatus(res(200, fixture('list-messages-empty.json')), 'x')).toThrow(/no message x/);
  });
});

describe('status words', () => {
  it('maps list statuses and callback types', () => {
    expect(mapBandwidthStatus('UNDELIVERED')).toBe('undelivered');
    expect(mapBandwidthStatus('ACCEPTED')).toBe('accepted');
    expect(mapBandwidthStatus(undefined)).toBe('unknown');
    expect(mapBandwidthCallbackType('message-sending')).toBe('sending');
    expect(mapBandwidthCallbackType('message-failed')).toBe('failed');
    expect(mapBandwidthCallbackType('nope')).toBe('unknown');
  });
});
