import { describe, expect, it } from 'vitest';
import { ErrorCode, ProviderError } from '../../../../src/errors/errors.js';
import { ExitCode } from '../../../../src/errors/exit-codes.js';
import { mapVonageStatus, parseVonageSend, vonageError, vonageErrorCodeFromType } from '../../../../src/providers/vonage/response.js';
import { fixture, res } from './helpers.js';

describe('parseVonageSend', () => {
  it('returns the message_uuid of a 202', () => {
    expect(parseVonageSend(res(202, fixture('send-202.json')))).toEqual({
      id: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
      status: 'accepted',
      providerStatus: 'accepted',
    });
  });

  it('treats a 2xx without message_uuid as an unknown outcome (not resendable)', () => {
    const err = (() => {
      try {
        parseVonageSend(res(202, '{}'));
      } catch (e) {
        return e;
      }
    })() as ProviderError;
    expect(err.code).toBe(ErrorCode.OUTCOME_UNKNOWN);
  });
});

function errorOf(status: number, file: string, headers: Record<string, string> = {}): ProviderError {
  return vonageError(res(status, fixture(file), headers));
}

describe('vonageError', () => {
  it('maps 401 to AUTH_REJECTED (exit 4) and keeps the title', () => {
    const e = errorOf(401, 'error-401.json');
    expect(e.code).toBe(ErrorCode.AUTH_REJECTED);
    expect(e.exitCode).toBe(ExitCode.AUTH);
    expect(e.providerCode).toBe('unathorized');
    expect(e.message).toContain('You did not provide correct credentials');
    expect(e.httpStatus).toBe(401);
    expect(e.provider).toBe('vonage');
  });

  it('maps 403 to AUTH_FORBIDDEN', () => {
    expect(vonageError(res(403, '{"title":"Forbidden"}')).code).toBe(ErrorCode.AUTH_FORBIDDEN);
  });

  it('maps an invalid "to" parameter to RECIPIENT_INVALID (exit 6)', () => {
    const e = errorOf(422, 'error-422-invalid-to.json');
    expect(e.code).toBe(ErrorCode.RECIPIENT_INVALID);
    expect(e.exitCode).toBe(ExitCode.PROVIDER_REJECTED);
    expect(e.providerCode).toBe('1020');
    expect(e.providerMessage).toContain('to: Invalid value');
  });

  it('maps #1120 Illegal Sender Address to SENDER_INVALID', () => {
    const e = errorOf(422, 'error-422-illegal-sender.json');
    expect(e.code).toBe(ErrorCode.SENDER_INVALID);
    expect(e.message).toBe('Vonage 1120: Illegal Sender Address - rejected - The sender address (from) is not allowed for this message.');
  });

  it('maps 429 to RATE_LIMITED with Retry-After', () => {
    const e = errorOf(429, 'error-429.json', { 'retry-after': '3' });
    expect(e.code).toBe(ErrorCode.RATE_LIMITED);
    expect(e.exitCode).toBe(ExitCode.UNAVAILABLE);
    expect(e.retryAfterMs).toBe(3000);
    expect(e.providerMessage).toContain('Rate Limit Hit');
  });

  it('maps 5xx to PROVIDER_UNAVAILABLE and other 4xx to PROVIDER_REJECTED', () => {
    expect(errorOf(500, 'error-500.json').code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
    expect(vonageError(res(400, '{"type":"https://developer.vonage.com/api-errors/messages#1010","title":"Missing params"}')).code).toBe(
      ErrorCode.PROVIDER_REJECTED,
    );
    expect(vonageError(res(400, 'not json')).message).toBe('Vonage HTTP 400: not json');
  });
});

describe('helpers', () => {
  it('extracts the code from a type URL', () => {
    expect(vonageErrorCodeFromType('https://developer.vonage.com/api-errors/messages#1110')).toBe('1110');
    expect(vonageErrorCodeFromType('https://developer.vonage.com/api-errors/messages')).toBeUndefined();
  });
  it('maps status words', () => {
    expect(mapVonageStatus('submitted')).toBe('sent');
    expect(mapVonageStatus('delivered')).toBe('delivered');
    expect(mapVonageStatus('rejected')).toBe('failed');
    expect(mapVonageStatus('undeliverable')).toBe('undelivered');
    expect(mapVonageStatus('weird')).toBe('unknown');
  });
});
