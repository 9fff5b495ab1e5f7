import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../src/errors/errors.js';
import { createBandwidthAdapter } from '../../../../src/providers/bandwidth/adapter.js';
import { BandwidthTokenCache } from '../../../../src/providers/bandwidth/oauth.js';
import { bandwidthTimeFilter, findBandwidthSent } from '../../../../src/providers/bandwidth/response.js';
import { fakeHttp, fixture, res } from './helpers.js';

const q = (since: string, to = '+15552223333', from = '+15554443333') => ({ to, from, since: new Date(since) });
const LOG = fixture('list-messages-log.json');

describe('Bandwidth findSent (List Messages)', () => {
  it('rounds fromDateTime down to the second', () => {
    expect(bandwidthTimeFilter(new Date('2025-05-11T20:14:34.900Z'))).toBe('2025-05-11T20:14:34.000Z');
  });

  it('finds the newest OUTBOUND message from→to received at or after since', () => {
    expect(findBandwidthSent(res(200, LOG), q('2025-05-11T20:14:34.900Z'))).toEqual({
      found: { id: '1589228074636lm4k2je7j7jklbn2', providerStatus: 'DELIVERED' },
    });
    expect(findBandwidthSent(res(200, LOG), q('2025-05-11T20:00:00Z')).found?.id).toBe('1589228074636lm4k2je7j7jklbn2');
    // Numbers without '+' match too.
    expect(findBandwidthSent(res(200, LOG), q('2025-05-11T20:14:00Z', '15552223333', '15554443333')).found?.id).toBe('1589228074636lm4k2je7j7jklbn2');
  });

  it('ignores inbound messages, other numbers and older messages; reports the next page token', () => {
    // The INBOUND message 2→4 is not a send from 2.
    expect(findBandwidthSent(res(200, LOG), q('2025-05-11T20:00:00Z', '+15554443333', '+15552223333'))).toEqual({ nextPageToken: 'GL83PD3C' });
    expect(findBandwidthSent(res(200, LOG), q('2025-05-11T20:14:36Z'))).toEqual({ nextPageToken: 'GL83PD3C' });
    expect(findBandwidthSent(res(200, fixture('list-messages-empty.json')), q('2025-05-11T20:14:36Z'))).toEqual({});
  });

  it('throws Bandwidth errors and on a body without messages', () => {
    expect(() => findBandwidthSent(res(429, fixture('error-429-list.json'), { 'retry-after': '300' }), q('2025-05-11T20:00:00Z'))).toThrow(
      expect.objectContaining({ code: ErrorCode.RATE_LIMITED }),
    );
    expect(() => findBandwidthSent(res(200, '{}'), q('2025-05-11T20:00:00Z'))).toThrow(/without a message list/);
  });

  it('adapter: filters by both numbers, OUTBOUND and fromDateTime, and follows pageToken', async () => {
    const adapter = createBandwidthAdapter(new BandwidthTokenCache(() => 0));
    const http = fakeHttp(
      res(200, '{"access_token":"tok-1","expires_in":3600}'),
      res(200, '{"totalCount":1,"pageInfo":{"nextPageToken":"P2"},"messages":[]}'),
      res(200, LOG),
    );
    const ctx = {
      credentials: { accountId: '9900000', applicationId: 'app', clientId: 'c', clientSecret: 's' },
      baseUrl: 'https://messaging.bandwidth.com',
      http,
    };
    expect(await adapter.findSent!(q('2025-05-11T20:14:30Z'), ctx)).toEqual({ id: '1589228074636lm4k2je7j7jklbn2', providerStatus: 'DELIVERED' });
    const u = new URL(http.calls[1]!.url);
    expect(u.pathname).toBe('/api/v2/users/9900000/messages');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      sourceTn: '+15554443333',
      destinationTn: '+15552223333',
      messageDirection: 'OUTBOUND',
      fromDateTime: '2025-05-11T20:14:30.000Z',
      limit: '100',
    });
    expect(new URL(http.calls[2]!.url).searchParams.get('pageToken')).toBe('P2');
    expect(http.calls[2]!.headers?.Authorization).toBe('Bearer tok-1');
  });
});
