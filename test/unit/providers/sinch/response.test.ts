import { describe, expect, it } from 'vitest';
import { ErrorCode, type ProviderError } from '../../../../src/errors/errors.js';
import { ExitCode } from '../../../../src/errors/exit-codes.js';
import { mapSinchStatus, parseSinchDeliveryReport, parseSinchSend, sinchError } from '../../../../src/providers/sinch/response.js';
import { fixture, res } from './helpers.js';

function err(status: number, file: string, headers: Record<string, string> = {}): ProviderError {
  return sinchError(res(status, fixture(file), headers));
}

describe('parseSinchSend', () => {
  it('takes the batch id from a 201', () => {
    expect(parseSinchSend(res(201, fixture('send-201.json')))).toEqual({ id: '01FC66621XXXXX119Z8PMV1QPQ', status: 'queued', providerStatus: 'created' });
  });
  it('reports a canceled batch and an id-less 2xx', () => {
    expect(parseSinchSend(res(201, '{"id":"x","canceled":true}')).status).toBe('canceled');
    expect(() => parseSinchSend(res(201, '{}'))).toThrow(/without a batch id/);
  });
});

describe('sinchError', () => {
  it('401 → AUTH_REJECTED (exit 4) with code and text', () => {
    const e = err(401, 'error-401.json');
    expect(e.code).toBe(ErrorCode.AUTH_REJECTED);
    expect(e.exitCode).toBe(ExitCode.AUTH);
    expect(e.message).toBe('Sinch unauthorized: Unauthorized');
    expect(e.providerCode).toBe('unauthorized');
  });
  it('403 → AUTH_FORBIDDEN, except request errors such as missing_callback_url', () => {
    expect(sinchError(res(403, '')).code).toBe(ErrorCode.AUTH_FORBIDDEN);
    const cb = err(403, 'error-403-callback.json');
    expect(cb.code).toBe(ErrorCode.PROVIDER_REJECTED);
    expect(cb.providerCode).toBe('missing_callback_url');
  });
  it('malformed to/from → RECIPIENT_INVALID/SENDER_INVALID', () => {
    expect(err(400, 'error-400-to.json').code).toBe(ErrorCode.RECIPIENT_INVALID);
    expect(err(400, 'error-400-from.json').code).toBe(ErrorCode.SENDER_INVALID);
    const json = err(400, 'error-400-json.json');
    expect(json.code).toBe(ErrorCode.PROVIDER_REJECTED);
    expect(json.exitCode).toBe(ExitCode.PROVIDER_REJECTED);
  });
  it('429 → RATE_LIMITED honouring Retry-After; 5xx → PROVIDER_UNAVAILABLE', () => {
    const r = err(429, 'error-429.json', { 'retry-after': '2' });
    expect(r.code).toBe(ErrorCode.RATE_LIMITED);
    expect(r.retryAfterMs).toBe(2000);
    expect(r.providerMessage).toBe('The user or path has too many outstanding requests');
    expect(sinchError(res(503, 'Service Unavailable')).code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
    expect(sinchError(res(503, 'Service Unavailable')).message).toBe('Sinch HTTP 503: Service Unavailable');
  });
});

describe('parseSinchDeliveryReport', () => {
  it('maps a delivered recipient', () => {
    expect(parseSinchDeliveryReport(res(200, fixture('delivery-report-full.json')), '01FC66621XXXXX119Z8PMV1QPQ')).toEqual({
      id: '01FC66621XXXXX119Z8PMV1QPQ',
      status: 'delivered',
      providerStatus: 'Delivered',
      to: '+15552223333',
    });
  });
  it('keeps the failure code', () => {
    const s = parseSinchDeliveryReport(res(200, fixture('delivery-report-failed.json')), 'x');
    expect(s).toMatchObject({ status: 'failed', errorCode: 402 });
  });
  it('is queued while no report exists, and maps 404 to NOT_FOUND', () => {
    expect(parseSinchDeliveryReport(res(200, fixture('delivery-report-empty.json')), 'x').status).toBe('queued');
    expect(() => parseSinchDeliveryReport(res(404, '{"code":"not_found","text":"Batch not found"}'), 'x')).toThrow('Sinch not_found: Batch not found');
  });
  it('maps status words', () => {
    expect(mapSinchStatus('Dispatched')).toBe('sent');
    expect(mapSinchStatus('Expired')).toBe('undelivered');
    expect(mapSinchStatus('Cancelled')).toBe('canceled');
    expect(mapSinchStatus('Rejected')).toBe('failed');
    expect(mapSinchStatus('?')).toBe('unknown');
  });
});
