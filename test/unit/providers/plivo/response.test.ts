import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../src/errors/errors.js';
import { mapPlivoStatus, parsePlivoSend, parsePlivoStatus, parsePlivoUpload, plivoError } from '../../../../src/providers/plivo/response.js';
import { providerFixture, res, thrownProviderError } from '../../../helpers/fake-http.js';

const fixture = (name: string): string => providerFixture('plivo', name);

const thrown = thrownProviderError;

describe('mapPlivoStatus', () => {
  it.each([
    ['queued', 'queued'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['undelivered', 'undelivered'],
    ['failed', 'failed'],
    ['rejected', 'failed'],
    ['received', 'received'],
    ['Delivered', 'delivered'],
    ['mystery', 'unknown'],
    [undefined, 'unknown'],
  ] as const)('%s → %s', (word, status) => {
    expect(mapPlivoStatus(word)).toBe(status);
  });
});

describe('parsePlivoSend', () => {
  it('takes the first message_uuid of a 202', () => {
    expect(parsePlivoSend(res(202, fixture('send-202.json')))).toEqual({
      id: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
      status: 'queued',
      providerStatus: 'queued',
    });
  });

  it('turns an invalid_number-only answer into RECIPIENT_INVALID', () => {
    const err = thrown(() => parsePlivoSend(res(202, fixture('send-202-invalid-number.json'))));
    expect(err.code).toBe(ErrorCode.RECIPIENT_INVALID);
    expect(err.message).toContain('1555');
  });

  it('treats a 2xx without any uuid as a provider problem', () => {
    expect(thrown(() => parsePlivoSend(res(202, '{"api_id":"x"}'))).code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
  });
});

describe('plivoError', () => {
  it('maps "<dst> is not a valid phone number" to RECIPIENT_INVALID and keeps the text', () => {
    const err = plivoError(res(400, fixture('error-400-invalid-dst.json')), { src: '15557654321', dst: '19332631167' });
    expect(err.code).toBe(ErrorCode.RECIPIENT_INVALID);
    expect(err.exitCode).toBe(6);
    expect(err.provider).toBe('plivo');
    expect(err.httpStatus).toBe(400);
    expect(err.providerMessage).toBe('19332631167 is not a valid phone number');
    expect(err.message).toBe('Plivo HTTP 400: 19332631167 is not a valid phone number');
  });

  it('maps the same sentence about the src number to SENDER_INVALID', () => {
    const err = plivoError(res(400, fixture('error-400-invalid-src.json')), { src: '15557654321', dst: '15551234567' });
    expect(err.code).toBe(ErrorCode.SENDER_INVALID);
  });

  it('defaults an unattributed invalid number to the recipient', () => {
    expect(plivoError(res(400, fixture('error-400-invalid-src.json'))).code).toBe(ErrorCode.RECIPIENT_INVALID);
  });

  it('maps "not an MMS enabled phone number" for the destination to RECIPIENT_UNREACHABLE', () => {
    const err = plivoError(res(400, fixture('error-400-not-mms-enabled.json')), { src: '15557654321', dst: '19003356789' });
    expect(err.code).toBe(ErrorCode.RECIPIENT_UNREACHABLE);
  });

  it('maps other 400s to PROVIDER_REJECTED', () => {
    const err = plivoError(res(400, fixture('error-400-param.json')), { src: '15557654321', dst: '15551234567' });
    expect(err.code).toBe(ErrorCode.PROVIDER_REJECTED);
    expect(err.exitCode).toBe(6);
  });

  it('maps 401 to AUTH_REJECTED and 403 to AUTH_FORBIDDEN (exit 4)', () => {
    const e401 = plivoError(res(401, fixture('error-401.json')));
    expect(e401.code).toBe(ErrorCode.AUTH_REJECTED);
    expect(e401.exitCode).toBe(4);
    const e403 = plivoError(res(403, fixture('error-403-geo.json')));
    expect(e403.code).toBe(ErrorCode.AUTH_FORBIDDEN);
    expect(e403.exitCode).toBe(4);
    expect(e403.suggestion).toMatch(/Geo Permissions/);
  });

  it('maps 429 to RATE_LIMITED with Retry-After', () => {
    const err = plivoError(res(429, fixture('error-429.json'), { 'retry-after': '4' }));
    expect(err.code).toBe(ErrorCode.RATE_LIMITED);
    expect(err.exitCode).toBe(7);
    expect(err.retryAfterMs).toBe(4000);
  });

  it('maps 5xx with a non-JSON body to PROVIDER_UNAVAILABLE', () => {
    const err = plivoError(res(500, 'Internal Server Error'));
    expect(err.code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
    expect(err.message).toBe('Plivo HTTP 500: Internal Server Error');
    expect(err.providerMessage).toBeUndefined();
  });

  it('reads an object-shaped error and its code', () => {
    const err = plivoError(res(400, '{"api_id":"x","error":{"code":"invalid_parameter","message":"dst is required"}}'));
    expect(err.providerCode).toBe('invalid_parameter');
    expect(err.message).toBe('Plivo invalid_parameter: dst is required');
    expect(err.code).toBe(ErrorCode.RECIPIENT_INVALID);
  });
});

describe('parsePlivoStatus', () => {
  it('reads a delivered message and restores + on numbers; "000" is not an error', () => {
    expect(parsePlivoStatus(res(200, fixture('get-delivered-200.json')))).toEqual({
      id: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
      status: 'delivered',
      providerStatus: 'delivered',
      to: '+15551234567',
      from: '+15557654321',
      dateCreated: '2026-03-01 10:00:00+05:30',
      dateUpdated: '2026-03-01 10:00:05+05:30',
    });
  });

  it('reports the error code of a failed message', () => {
    const info = parsePlivoStatus(res(200, fixture('get-failed-200.json')));
    expect(info.status).toBe('failed');
    expect(info.errorCode).toBe('450');
    expect(info.errorMessage).toBe('Destination country barred');
  });

  it('maps 404 to NOT_FOUND', () => {
    expect(thrown(() => parsePlivoStatus(res(404, fixture('error-404.json')))).code).toBe(ErrorCode.NOT_FOUND);
  });
});

describe('parsePlivoUpload', () => {
  it('returns the media_id', () => {
    expect(parsePlivoUpload(res(201, fixture('upload-201.json')), 'dot.png')).toBe('0178eb8a-461a-4fd1-bc37-13eebfdc0676');
  });

  it('turns a per-file failure into MEDIA_REJECTED', () => {
    const err = thrown(() => parsePlivoUpload(res(200, fixture('upload-failed-200.json')), 'virus.exe'));
    expect(err.code).toBe(ErrorCode.MEDIA_REJECTED);
    expect(err.message).toBe('Plivo did not accept virus.exe: unsupported file type');
    expect(err.providerCode).toBe(400);
  });

  it('keeps auth errors as auth errors, and other 4xx become MEDIA_REJECTED', () => {
    expect(thrown(() => parsePlivoUpload(res(401, fixture('error-401.json')), 'a.png')).code).toBe(ErrorCode.AUTH_REJECTED);
    expect(thrown(() => parsePlivoUpload(res(413, '{"api_id":"x","error":"file too large"}'), 'a.png')).code).toBe(ErrorCode.MEDIA_REJECTED);
  });
});
