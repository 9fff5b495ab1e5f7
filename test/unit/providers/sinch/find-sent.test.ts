import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../src/errors/errors.js';
import { sinchAdapter } from '../../../../src/providers/sinch/adapter.js';
import { findSinchSent, sinchTimeFilter } from '../../../../src/providers/sinch/response.js';
import { fakeHttp, fixture, res } from './helpers.js';

const q = (since: string, to = '+15552223333', from = '+15554443333') => ({ to, from, since: new Date(since) });
const LOG = fixture('list-batches-log.json');

describe('Sinch findSent (List Batches)', () => {
  it('rounds start_date down to the second', () => {
    expect(sinchTimeFilter(new Date('2026-03-01T10:00:05.512Z'))).toBe('2026-03-01T10:00:05.000Z');
  });

  it('finds the newest batch from `from` whose recipients include `to`, created at or after since', () => {
    // Multi-recipient batch, MSISDNs echoed without '+'; since later than created_at within the same second.
    expect(findSinchSent(res(200, LOG), q('2026-03-01T10:00:05.900Z'))).toEqual({
      found: { id: '01FC66621XXXXX119Z8PMV1QP2', providerStatus: 'created' },
      more: false,
    });
    // A canceled batch is reported as such.
    expect(findSinchSent(res(200, LOG), q('2026-03-01T09:00:00Z')).found?.id).toBe('01FC66621XXXXX119Z8PMV1QP2');
    expect(findSinchSent(res(200, LOG), q('2026-03-01T09:00:00Z', '+15552223333', '+15554443333')).found?.providerStatus).toBe('created');
    const onlyCanceled = JSON.stringify({ count: 1, page: 0, page_size: 30, batches: [JSON.parse(LOG).batches[2]] });
    expect(findSinchSent(res(200, onlyCanceled), q('2026-03-01T09:00:00Z')).found).toEqual({ id: '01FC66621XXXXX119Z8PMV1QP3', providerStatus: 'canceled' });
  });

  it('ignores other recipients, other senders and older batches; says when more pages remain', () => {
    expect(findSinchSent(res(200, LOG), q('2026-03-01T10:00:06Z'))).toEqual({ more: true });
    expect(findSinchSent(res(200, LOG), q('2026-03-01T09:00:00Z', '+15557777777'))).toEqual({ more: true });
    expect(findSinchSent(res(200, LOG), q('2026-03-01T09:00:00Z', '+15552223333', '+15550000000'))).toEqual({ more: true });
    expect(findSinchSent(res(200, '{"count":0,"page":0,"page_size":100,"batches":[]}'), q('2026-03-01T09:00:00Z'))).toEqual({ more: false });
  });

  it('throws Sinch errors and on a body without batches', () => {
    expect(() => findSinchSent(res(401, fixture('error-401.json')), q('2026-03-01T09:00:00Z'))).toThrow(
      expect.objectContaining({ code: ErrorCode.AUTH_REJECTED }),
    );
    expect(() => findSinchSent(res(200, '{}'), q('2026-03-01T09:00:00Z'))).toThrow(/without a batch list/);
  });

  it('adapter: lists batches by sender and start_date, 100 a page, and pages on', async () => {
    const http = fakeHttp(res(200, '{"count":150,"page":0,"page_size":100,"batches":[]}'), res(200, LOG));
    const ctx = { credentials: { servicePlanId: 'abc123def456', apiToken: 'tok-xyz' }, baseUrl: 'https://us.sms.api.sinch.com', http };
    expect((await sinchAdapter.findSent!(q('2026-03-01T10:00:05Z'), ctx))?.id).toBe('01FC66621XXXXX119Z8PMV1QP2');
    const u = new URL(http.calls[0]!.url);
    expect(u.pathname).toBe('/xms/v1/abc123def456/batches');
    expect(Object.fromEntries(u.searchParams)).toEqual({ from: '+15554443333', start_date: '2026-03-01T10:00:05.000Z', page: '0', page_size: '100' });
    expect(new URL(http.calls[1]!.url).searchParams.get('page')).toBe('1');
    expect(http.calls[0]!.headers?.Authorization).toBe('Bearer tok-xyz');
  });
});
