import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../src/errors/errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../../src/providers/http-client.js';
import { plivoAdapter } from '../../../../src/providers/plivo/adapter.js';
import { findPlivoSent, parsePlivoTime, plivoTimeFilter } from '../../../../src/providers/plivo/response.js';

const LIST = readFileSync(new URL('../../../fixtures/responses/plivo/list-messages.json', import.meta.url), 'utf8');
const res = (status: number, text: string): HttpResponse => ({ status, text, headers: {} });
const q = (since: string, to = '+15551234567', from = '+15557654321') => ({ to, from, since: new Date(since) });

describe('Plivo findSent (Message list)', () => {
  it('parses Plivo times with and without fraction and offset', () => {
    expect(parsePlivoTime('2026-03-01 15:30:05+05:30')).toBe(Date.parse('2026-03-01T10:00:05Z'));
    expect(parsePlivoTime('2026-03-01 10:00:09.123456+00:00')).toBe(Date.parse('2026-03-01T10:00:09.123Z'));
    expect(parsePlivoTime('2026-03-01 10:00:09')).toBe(Date.parse('2026-03-01T10:00:09Z'));
    expect(parsePlivoTime('yesterday')).toBeNaN();
    expect(plivoTimeFilter(new Date('2026-03-01T10:00:05.900Z'))).toBe('2026-03-01 10:00:05');
  });

  it('finds the outbound message from→to at or after since (offset-aware, second precision), numbers without +', () => {
    // 15:30:05+05:30 is 10:00:05Z: found with since at 10:00:05.700 (rounded down to the second).
    expect(findPlivoSent(res(200, LIST), q('2026-03-01T10:00:05.700Z'))).toEqual({
      found: { id: '33333333-1f1d-11e1-8ea7-1231380bc196', providerStatus: 'sent' },
      more: false,
    });
    // The older message (09:59) is not taken for it when since is later.
    expect(findPlivoSent(res(200, LIST), q('2026-03-01T10:00:06Z'))).toEqual({ more: true });
    // since before both: the newest match wins.
    expect(findPlivoSent(res(200, LIST), q('2026-03-01T09:00:00Z')).found?.id).toBe('33333333-1f1d-11e1-8ea7-1231380bc196');
  });

  it('ignores inbound messages and other recipients/senders', () => {
    // 22222222 is inbound from 15551234567 to 15557654321: not a send from 15551234567.
    expect(findPlivoSent(res(200, LIST), q('2026-03-01T10:00:00Z', '+15557654321', '+15551234567')).found).toBeUndefined();
    expect(findPlivoSent(res(200, LIST), q('2026-03-01T09:00:00Z', '+15551234567', '+15550000000')).found).toBeUndefined();
    expect(findPlivoSent(res(200, LIST), q('2026-03-01T09:00:00Z', '+15559990000')).found?.id).toBe('11111111-1f1d-11e1-8ea7-1231380bc196');
  });

  it('matches a Powerpack sender by powerpack_id', () => {
    const pp = '0f0e0d0c-aaaa-4000-8000-000000000009';
    const body = JSON.stringify({
      meta: { next: null },
      objects: [
        {
          message_uuid: 'aaaaaaaa-1f1d-11e1-8ea7-1231380bc196',
          message_direction: 'outbound',
          message_state: 'queued',
          from_number: '15557654321',
          to_number: '15551234567',
          powerpack_id: pp,
          message_time: '2026-03-01 10:00:00+00:00',
        },
      ],
    });
    expect(findPlivoSent(res(200, body), q('2026-03-01T10:00:00Z', '+15551234567', pp)).found?.id).toBe('aaaaaaaa-1f1d-11e1-8ea7-1231380bc196');
    expect(findPlivoSent(res(200, body), q('2026-03-01T10:00:00Z', '+15551234567', '0f0e0d0c-aaaa-4000-8000-000000000001')).found).toBeUndefined();
  });

  it('throws Plivo errors and on a body without objects', () => {
    expect(() => findPlivoSent(res(401, '{"api_id":"x","error":"authentication failed"}'), q('2026-03-01T10:00:00Z'))).toThrow(
      expect.objectContaining({ code: ErrorCode.AUTH_REJECTED }),
    );
    expect(() => findPlivoSent(res(200, '{}'), q('2026-03-01T10:00:00Z'))).toThrow(/message list/);
  });

  it('adapter: asks for outbound since `since`, 20 a page, follows offsets, and gives up rather than guess', async () => {
    const calls: HttpRequest[] = [];
    const empty = (next: string | null) => res(200, JSON.stringify({ meta: { next }, objects: [] }));
    const replies = [empty('/next'), res(200, LIST)];
    const http: HttpClient = {
      async request(r) {
        calls.push(r);
        return replies.shift()!;
      },
    };
    const ctx = { credentials: { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 't' }, baseUrl: 'http://127.0.0.1:9', http };
    expect(await plivoAdapter.findSent!(q('2026-03-01T10:00:05.5Z'), ctx)).toEqual({ id: '33333333-1f1d-11e1-8ea7-1231380bc196', providerStatus: 'sent' });
    expect(calls.map((c) => c.url)).toEqual([
      'http://127.0.0.1:9/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/?message_direction=outbound&message_time__gte=2026-03-01+10%3A00%3A05&limit=20&offset=0',
      'http://127.0.0.1:9/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/?message_direction=outbound&message_time__gte=2026-03-01+10%3A00%3A05&limit=20&offset=20',
    ]);
    // The last page without a match: not sent.
    const http2: HttpClient = {
      async request() {
        return empty(null);
      },
    };
    expect(await plivoAdapter.findSent!(q('2026-03-01T10:00:00Z'), { ...ctx, http: http2 })).toBeUndefined();
    // Page after page of other messages: an error (the caller leaves the outcome unknown), not "not sent".
    const http3: HttpClient = {
      async request() {
        return empty('/more');
      },
    };
    await expect(plivoAdapter.findSent!(q('2026-03-01T10:00:00Z'), { ...ctx, http: http3 })).rejects.toThrow(/not searched to the end/);
  });
});
