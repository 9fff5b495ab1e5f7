// listInbound per provider against scripted answers (no network): the query each log is asked,
// paging across pages (Twilio next_page_uri, Plivo offset, Bandwidth pageToken, Sinch page/count),
// the window and direction filters applied again here, the bound, and each MMS's media.
import { describe, expect, it } from 'vitest';
import { twilioAdapter } from '../../../src/providers/twilio/adapter.js';
import { plivoAdapter } from '../../../src/providers/plivo/adapter.js';
import { sinchAdapter } from '../../../src/providers/sinch/adapter.js';
import { createBandwidthAdapter } from '../../../src/providers/bandwidth/adapter.js';
import type { ProviderAdapter } from '../../../src/providers/types.js';
import { telnyxAdapter } from '../../../src/providers/telnyx/adapter.js';
import { vonageAdapter } from '../../../src/providers/vonage/adapter.js';
import { fakeHttp, res } from '../../helpers/fake-http.js';

const BASE = 'https://api.example';
const TO = '+15552000001';
const SINCE = Date.UTC(2026, 11, 1, 10, 0, 0);
const at = (s: number) => new Date(SINCE + s * 1000);

type Http = ReturnType<typeof fakeHttp>;

async function collect(adapter: ProviderAdapter, http: Http, credentials: Record<string, string>, q: { until?: Date; max?: number } = {}) {
  const out = [];
  const query = { to: TO, since: new Date(SINCE + 400), max: q.max ?? 1000, ...(q.until ? { until: q.until } : {}) };
  for await (const m of adapter.listInbound!(query, { credentials, baseUrl: BASE, http })) out.push(m);
  return out;
}

const json = (v: unknown) => res(200, JSON.stringify(v));

describe('twilio listInbound', () => {
  const SID = `AC${'1'.repeat(32)}`;
  const sm = (c: string) => `SM${c.repeat(32)}`;
  const msg = (sid: string, s: number, over: Record<string, unknown> = {}) => ({
    sid,
    to: TO,
    from: '+15550100002',
    body: `hi ${sid.slice(2, 3)}`,
    direction: 'inbound',
    num_media: '0',
    date_created: at(s).toUTCString(),
    ...over,
  });

  it('asks for To and DateSent>, follows next_page_uri, keeps inbound messages of the window, fetches MMS media', async () => {
    const mm = `MM${'c'.repeat(32)}`;
    const http = fakeHttp(
      json({ messages: [msg(sm('a'), 30), msg(sm('b'), 20, { direction: 'outbound-api' })], next_page_uri: '/2010-04-01/next?Page=1' }),
      json({ messages: [msg(mm, 10, { num_media: '1' }), msg(sm('d'), 0), msg(sm('e'), -5)], next_page_uri: '/2010-04-01/next?Page=2' }),
      json({ media_list: [{ uri: `/2010-04-01/Accounts/${SID}/Messages/${mm}/Media/ME${'f'.repeat(32)}.json`, content_type: 'image/jpeg' }] }),
    );
    const got = await collect(twilioAdapter, http, { accountSid: SID, authToken: 'x' });
    // SM…d is in the window's first second (since is rounded down); SM…e is older, and its page ends the search.
    expect(got.map((m) => m.id)).toEqual([sm('a'), mm, sm('d')]);
    expect(got[1]).toEqual({
      type: 'message',
      provider: 'twilio',
      id: mm,
      from: '+15550100002',
      to: TO,
      body: 'hi c',
      media: [{ url: `${BASE}/2010-04-01/Accounts/${SID}/Messages/${mm}/Media/ME${'f'.repeat(32)}`, contentType: 'image/jpeg' }],
      receivedAt: at(10).toISOString(),
    });
    const first = new URL(http.calls[0]!.url);
    expect(first.pathname).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(Object.fromEntries(first.searchParams)).toEqual({ To: TO, 'DateSent>': '2026-12-01T10:00:00Z', PageSize: '100' });
    expect(http.calls[1]!.url).toBe(`${BASE}/2010-04-01/next?Page=1`);
    expect(http.calls[2]!.url).toBe(`${BASE}/2010-04-01/Accounts/${SID}/Messages/${mm}/Media.json`);
    expect(http.calls).toHaveLength(3);
  });

  it('stops at the bound without asking for the next page; `until` bounds the window', async () => {
    const http = fakeHttp(json({ messages: [msg(sm('a'), 30), msg(sm('b'), 20), msg(sm('c'), 10)], next_page_uri: '/2010-04-01/next' }));
    expect((await collect(twilioAdapter, http, { accountSid: SID }, { until: at(25), max: 1 })).map((m) => m.id)).toEqual([sm('b')]);
    expect(new URL(http.calls[0]!.url).searchParams.get('DateSent<')).toBe('2026-12-01T10:00:26Z');
    expect(http.calls).toHaveLength(1);
  });
});

describe('abortable', () => {
  it("every request of a listing carries the call's signal; an aborted signal ends the listing", async () => {
    const ac = new AbortController();
    const calls: Array<AbortSignal | undefined> = [];
    const http = {
      async request(req: { signal?: AbortSignal }) {
        calls.push(req.signal);
        ac.abort(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
        throw req.signal?.reason;
      },
    };
    const q = { to: TO, since: new Date(SINCE), max: 10 };
    const list = twilioAdapter.listInbound!(q, { credentials: { accountSid: 'AC1' }, baseUrl: BASE, http: http as never, signal: ac.signal });
    await expect(list[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toEqual([ac.signal]);
  });
});

describe('plivo listInbound', () => {
  const rec = (id: string, s: number, over: Record<string, unknown> = {}) => ({
    message_uuid: id,
    message_direction: 'inbound',
    message_type: 'sms',
    from_number: '15550100002',
    to_number: '15552000001',
    message_time: at(s).toISOString().slice(0, 19).replace('T', ' ') + '+00:00',
    ...over,
  });
  const uuid = (c: string) => `${c.repeat(8)}-${c.repeat(4)}-${c.repeat(4)}-${c.repeat(4)}-${c.repeat(12)}`;

  it('pages by offset while meta.next is set; other numbers and outbound records are left out; text is unavailable', async () => {
    const http = fakeHttp(
      json({
        meta: { next: '/v1/next' },
        objects: [rec(uuid('a'), 30), rec(uuid('b'), 25, { to_number: '15559999999' }), rec(uuid('c'), 20, { message_direction: 'outbound' })],
      }),
      json({ meta: { next: null }, objects: [rec(uuid('d'), 10, { message_type: 'mms' })] }),
      json({ objects: [{ media_url: 'https://media.plivo.com/x.png', content_type: 'image/png', size: 67 }] }),
    );
    const got = await collect(plivoAdapter, http, { authId: `MA${'A'.repeat(18)}`, authToken: 't' });
    expect(got.map((m) => m.id)).toEqual([uuid('a'), uuid('d')]);
    expect(got[0]).toMatchObject({ from: '+15550100002', to: TO, body: '', unavailable: ['body'], media: [] });
    expect(got[1]!.media).toEqual([{ url: 'https://media.plivo.com/x.png', contentType: 'image/png', size: 67 }]);
    const q = (i: number) => Object.fromEntries(new URL(http.calls[i]!.url).searchParams);
    expect(q(0)).toEqual({ message_direction: 'inbound', to_number: TO, message_time__gte: '2026-12-01 10:00:00', limit: '20', offset: '0' });
    expect(q(1)).toMatchObject({ offset: '20' });
    expect(new URL(http.calls[2]!.url).pathname).toBe(`/v1/Account/MA${'A'.repeat(18)}/Message/${uuid('d')}/Media/`);
  });
});

describe('bandwidth listInbound', () => {
  const rec = (id: string, s: number, over: Record<string, unknown> = {}) => ({
    messageId: id,
    sourceTn: '+15550100002',
    destinationTn: TO,
    messageDirection: 'INBOUND',
    attachmentCount: 0,
    receiveTime: at(s).toISOString(),
    ...over,
  });
  const token = json({ access_token: 'tok', expires_in: 3600, token_type: 'Bearer' });

  it('pages by pageToken; no text; media from List Media (once, by Continuation-Token), else the media count', async () => {
    const media = (names: string[]) => names.map((n) => ({ mediaName: n, content: `${BASE}/api/v2/users/9900000/media/${n}`, contentLength: 7 }));
    const http = fakeHttp(
      token,
      json({ pageInfo: { nextPageToken: 'p2' }, messages: [rec('m1', 30, { attachmentCount: 2 }), rec('m0', 25, { attachmentCount: 1 })] }),
      res(200, JSON.stringify(media(['m1/1/b.png', 'upload.jpg'])), { 'continuation-token': 'c2' }),
      json(media(['m1/0/a.png'])),
      json({ pageInfo: {}, messages: [rec('m2', 20), rec('m3', 10, { messageDirection: 'OUTBOUND' })] }),
    );
    const creds = { accountId: '9900000', applicationId: 'app', clientId: 'id', clientSecret: 'secret' };
    const got = await collect(createBandwidthAdapter(), http, creds);
    expect(got.map((m) => m.id)).toEqual(['m1', 'm0', 'm2']);
    expect(got[0]).toMatchObject({
      body: '',
      unavailable: ['body'],
      media: [
        { url: `${BASE}/api/v2/users/9900000/media/m1/0/a.png`, size: 7 },
        { url: `${BASE}/api/v2/users/9900000/media/m1/1/b.png`, size: 7 },
      ],
      receivedAt: at(30).toISOString(),
    });
    // m0's media are no longer listed (Bandwidth keeps them 48 hours): the count says what there was.
    expect(got[1]).toMatchObject({ media: [], unavailable: ['body', 'media'], mediaCount: 1 });
    expect(got[2]).toMatchObject({ media: [], unavailable: ['body'] });
    const q = (i: number) => Object.fromEntries(new URL(http.calls[i]!.url).searchParams);
    expect(q(1)).toEqual({ destinationTn: TO, messageDirection: 'INBOUND', fromDateTime: '2026-12-01T10:00:00.000Z', limit: '100' });
    expect(new URL(http.calls[2]!.url).pathname).toBe('/api/v2/users/9900000/media');
    expect(http.calls[3]!.headers).toMatchObject({ 'Continuation-Token': 'c2' });
    expect(q(4)).toMatchObject({ pageToken: 'p2' });
    expect(http.calls[1]!.headers).toMatchObject({ Authorization: 'Bearer tok' });
    expect(http.calls).toHaveLength(5);
  });
});

describe('sinch listInbound', () => {
  const mo = (id: string, s: number, over: Record<string, unknown> = {}) => ({
    type: 'mo_media',
    id,
    from: '15550100002',
    to: '15552000001',
    received_at: at(s).toISOString(),
    body: { message: `text ${id}`, media: [{ url: `https://s3.example/${id}.jpg`, content_type: 'image/jpeg', status: 'Uploaded', code: 0 }] },
    ...over,
  });

  it('pages while page × page_size < count; each MO parsed as its callback would be', async () => {
    const http = fakeHttp(
      json({ count: 3, page: 0, page_size: 2, inbounds: [mo('I1', 30), mo('I2', 20, { to: '15559999999' })] }),
      json({
        count: 3,
        page: 1,
        page_size: 2,
        inbounds: [{ type: 'mo_text', id: 'I3', from: '15550100002', to: '15552000001', received_at: at(10).toISOString(), body: 'plain' }],
      }),
    );
    const got = await collect(sinchAdapter, http, { servicePlanId: 'plan', apiToken: 'tok' });
    expect(got).toEqual([
      {
        type: 'message',
        provider: 'sinch',
        id: 'I1',
        from: '+15550100002',
        to: TO,
        body: 'text I1',
        media: [{ url: 'https://s3.example/I1.jpg', contentType: 'image/jpeg' }],
        receivedAt: at(30).toISOString(),
      },
      { type: 'message', provider: 'sinch', id: 'I3', from: '+15550100002', to: TO, body: 'plain', media: [], receivedAt: at(10).toISOString() },
    ]);
    const first = new URL(http.calls[0]!.url);
    expect(first.pathname).toBe('/xms/v1/plan/inbounds');
    expect(Object.fromEntries(first.searchParams)).toEqual({ to: TO, start_date: '2026-12-01T10:00:00.000Z', page: '0', page_size: '100' });
    expect(new URL(http.calls[1]!.url).searchParams.get('page')).toBe('1');
  });
});

describe('providers without a received-messages log', () => {
  it('telnyx and vonage have no listInbound', () => {
    expect(telnyxAdapter.listInbound).toBeUndefined();
    expect(vonageAdapter.listInbound).toBeUndefined();
  });
});
