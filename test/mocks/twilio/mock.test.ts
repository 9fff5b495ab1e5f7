// The mock judged against Twilio's documentation and the official twilio SDK (twilio-node): if the
// SDK can create, fetch, page through and fail against it as the docs describe, tests that use it
// to judge `mms` are judging against Twilio's behaviour, not against our own notes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { startTwilioMock, type TwilioMock } from './server.js';

const POOL = ['+15550100001', '+15550100002'];
const SERVICE = `MG${'a'.repeat(32)}`;

/** twilio-node's own request client, with every https://*.twilio.com URL sent to the mock instead. */
function mockRoutedClient(base: string): RequestClient {
  const inner: RequestClient = new twilio.RequestClient();
  const routed = Object.create(inner) as RequestClient;
  routed.request = (opts: RequestClient.RequestOptions) => {
    const u = new URL(opts.uri);
    return inner.request({ ...opts, uri: `${base}${u.pathname}${u.search}` });
  };
  return routed;
}

let mock: TwilioMock;
let client: twilio.Twilio;
beforeEach(async () => {
  mock = await startTwilioMock({ services: { [SERVICE]: POOL } });
  client = twilio(mock.accountSid, mock.authToken, { httpClient: mockRoutedClient(mock.url) });
});
afterEach(async () => {
  await mock.close();
});

/** A raw request with the account's Basic auth. */
async function raw(path: string, init: RequestInit = {}): Promise<Response> {
  const auth = `Basic ${Buffer.from(`${mock.accountSid}:${mock.authToken}`).toString('base64')}`;
  return fetch(`${mock.url}/2010-04-01/Accounts/${mock.accountSid}${path}`, { ...init, headers: { Authorization: auth, ...(init.headers ?? {}) } });
}

function createForm(to: string, body = 'hi'): RequestInit {
  return {
    method: 'POST',
    body: new URLSearchParams({ To: to, From: '+15550009999', Body: body }),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  };
}

describe('the twilio SDK against the mock', () => {
  it('creates (form fields, repeated MediaUrl), fetches and lists messages', async () => {
    const media = ['https://example.com/a.png', 'https://example.com/b.png'];
    const msg = await client.messages.create({
      to: '+15551230001',
      from: '+15550009999',
      body: 'hello',
      mediaUrl: media,
      statusCallback: 'https://example.com/cb',
    });
    expect(msg.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(msg).toMatchObject({
      to: '+15551230001',
      from: '+15550009999',
      body: 'hello',
      status: 'queued',
      numMedia: '2',
      direction: 'outbound-api',
      accountSid: mock.accountSid,
    });
    expect(msg.dateCreated).toBeInstanceOf(Date);
    expect(mock.requests.at(-1)!.form).toMatchObject({ To: ['+15551230001'], MediaUrl: media, StatusCallback: ['https://example.com/cb'] });
    const fetched = await client.messages(msg.sid).fetch();
    expect(fetched.sid).toBe(msg.sid);
    const listed = await client.messages.list({ to: '+15551230001' });
    expect(listed.map((m: { sid: string }) => m.sid)).toEqual([msg.sid]);
  });

  it('pages newest first: list() follows next_page_uri to the end', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) {
      sids.push((await client.messages.create({ to: '+15551230002', from: '+15550009999', body: `n${i}` })).sid);
      mock.clock.advance(1000);
    }
    const listed = await client.messages.list({ to: '+15551230002', pageSize: 2 });
    expect(listed.map((m: { sid: string }) => m.sid)).toEqual([...sids].reverse());
    const pages = mock.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Messages.json'));
    expect(pages).toHaveLength(3);
    expect(pages[1]!.query).toMatchObject({ Page: '1', PageSize: '2', To: '+15551230002' });
    expect(pages[1]!.query.PageToken).toMatch(/^PA/);
  });

  it('authenticates with an API key and secret too, and rejects a wrong token with 20003', async () => {
    const keyed = twilio(mock.apiKey, mock.apiSecret, { accountSid: mock.accountSid, httpClient: mockRoutedClient(mock.url) });
    await expect(keyed.messages.create({ to: '+15551230003', from: '+15550009999', body: 'k' })).resolves.toMatchObject({ status: 'queued' });
    const wrong = twilio(mock.accountSid, 'wrong-token', { httpClient: mockRoutedClient(mock.url) });
    await expect(wrong.messages.list({ limit: 1 })).rejects.toMatchObject({ status: 401, code: 20003, moreInfo: 'https://www.twilio.com/docs/errors/20003' });
  });

  it('answers errors with the documented body: 21211, 21604, 21623, 20404', async () => {
    await expect(client.messages.create({ to: '5551230004', from: '+15550009999', body: 'x' })).rejects.toMatchObject({ status: 400, code: 21211 });
    await expect(client.messages.create({ to: '', from: '+15550009999', body: 'x' } as never)).rejects.toMatchObject({ status: 400, code: 21604 });
    const eleven = Array.from({ length: 11 }, (_, i) => `https://example.com/${i}.png`);
    await expect(client.messages.create({ to: '+15551230004', from: '+15550009999', mediaUrl: eleven })).rejects.toMatchObject({ status: 400, code: 21623 });
    await expect(client.messages(`SM${'0'.repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    expect(mock.messages()).toHaveLength(0);
  });

  it('Messaging Service: accepted without a from; the record then carries a pool number', async () => {
    const msg = await client.messages.create({ to: '+15551230005', messagingServiceSid: SERVICE, body: 'pool' });
    expect(msg).toMatchObject({ status: 'accepted', from: null, messagingServiceSid: SERVICE });
    const later = await client.messages(msg.sid).fetch();
    expect(POOL).toContain(later.from);
    expect(await client.messages.list({ from: SERVICE })).toHaveLength(0);
    expect(await client.messages.list({ from: later.from })).toHaveLength(1);
  });
});

describe('documented quirks', () => {
  it('DateSent filters compare whole GMT days of date_sent, and queued messages have none', async () => {
    expect((await raw('/Messages.json', createForm('+15551230006'))).status).toBe(201);
    const today = new Date(mock.clock.now()).toISOString().slice(0, 10);
    const list = async (q: string): Promise<number> => ((await (await raw(`/Messages.json?${q}`)).json()) as { messages: unknown[] }).messages.length;
    expect(await list(`DateSent=${today}`)).toBe(0);
    mock.clock.advance(1500);
    expect(await list(`DateSent=${today}`)).toBe(1);
    // The time of day in the value is ignored: "DateSent>" means on or after midnight of that day.
    expect(await list(new URLSearchParams({ 'DateSent>': `${today}T23:59:59Z` }).toString())).toBe(1);
    expect(await list(new URLSearchParams({ 'DateSent<': today }).toString())).toBe(0);
    expect((await raw('/Messages.json?DateSent=yesterday')).status).toBe(400);
  });

  it('answers every request with a Date header and JSON, errors included', async () => {
    const res = await raw('/Messages/SMnope.json');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Date.parse(res.headers.get('date') ?? '')).not.toBeNaN();
    expect(await res.json()).toEqual({ code: 20404, message: expect.any(String), more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
  });
});

describe('fault injection', () => {
  it('gateway 502 after record: HTML, no Twilio body, and the message exists', async () => {
    mock.setFaults({ gatewayAfterRecord: { to: ['+15551230007'], status: 502 } });
    const res = await raw('/Messages.json', createForm('+15551230007'));
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(/<html>/);
    expect(mock.createdFor('+15551230007')).toBe(1);
    await raw('/Messages.json', createForm('+15551230007'));
    expect(mock.duplicates()).toEqual([{ to: '+15551230007', body: 'hi', count: 2 }]);
  });

  it('reset after record: the client sees a broken connection, the message exists', async () => {
    mock.setFaults({ resetAfterRecord: { first: 1 } });
    await expect(raw('/Messages.json', createForm('+15551230008'))).rejects.toThrow();
    expect(mock.createdFor('+15551230008')).toBe(1);
    expect((await raw('/Messages.json', createForm('+15551230009'))).status).toBe(201);
  });

  it('429 with Retry-After and code 20429: nothing is created', async () => {
    mock.setFaults({ rateLimit: { first: 1, retryAfter: 3 } });
    const res = await raw('/Messages.json', createForm('+15551230010'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toMatchObject({ code: 20429, status: 429 });
    expect(mock.messages()).toHaveLength(0);
    await expect(client.messages.create({ to: '+15551230010', from: '+15550009999', body: 'x' })).resolves.toMatchObject({ status: 'queued' });
  });

  it('clock offset: the Date header and date_created run behind by the offset', async () => {
    mock.setFaults({ clockOffsetMs: -5000 });
    const res = await raw('/Messages.json', createForm('+15551230011'));
    const body = (await res.json()) as { date_created: string };
    const ours = mock.clock.now();
    expect(ours - Date.parse(res.headers.get('date')!)).toBeGreaterThanOrEqual(4000);
    expect(ours - Date.parse(body.date_created)).toBeGreaterThanOrEqual(4000);
  });

  it('list lag: fetch finds a new message at once, the list only after the lag (mock clock)', async () => {
    mock.setFaults({ listLagMs: 3000 });
    const { sid } = (await (await raw('/Messages.json', createForm('+15551230012'))).json()) as { sid: string };
    expect((await raw(`/Messages/${sid}.json`)).status).toBe(200);
    expect(await client.messages.list({ to: '+15551230012' })).toHaveLength(0);
    mock.clock.advance(3000);
    expect(await client.messages.list({ to: '+15551230012' })).toHaveLength(1);
  });

  it('late commit: nothing until the client disconnects, then a message dated later', async () => {
    mock.setFaults({ lateCommit: { first: 1, commitDelayMs: 10_000 } });
    const ctl = new AbortController();
    const pending = raw('/Messages.json', { ...createForm('+15551230013'), signal: ctl.signal });
    await expect.poll(() => mock.heldCount()).toBe(1);
    expect(mock.messages()).toHaveLength(0);
    ctl.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => mock.messages().length).toBe(1);
    expect(await client.messages.list({ to: '+15551230013' })).toHaveLength(0);
    mock.clock.advance(10_000);
    expect(await client.messages.list({ to: '+15551230013' })).toHaveLength(1);
  });

  it('stall after record: held until released, and the message exists meanwhile', async () => {
    mock.setFaults({ stallAfterRecord: { first: 1 } });
    const pending = raw('/Messages.json', createForm('+15551230014'));
    await expect.poll(() => mock.heldCount()).toBe(1);
    expect(mock.createdFor('+15551230014')).toBe(1);
    mock.releaseHeld();
    expect((await pending).status).toBe(201);
  });

  it('rate picks are seeded: the same seed hits the same requests', async () => {
    const pattern = async (): Promise<number[]> => {
      const m = await startTwilioMock({ seed: 42, faults: { gatewayBeforeRecord: { rate: 0.5 } } });
      const auth = `Basic ${Buffer.from(`${m.accountSid}:${m.authToken}`).toString('base64')}`;
      const out: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${m.url}/2010-04-01/Accounts/${m.accountSid}/Messages.json`, {
          ...createForm(`+1555123002${i % 10}`),
          headers: { Authorization: auth },
        });
        out.push(res.status);
      }
      await m.close();
      return out;
    };
    const a = await pattern();
    expect(a).toEqual(await pattern());
    expect(new Set(a)).toEqual(new Set([201, 502]));
  });
});
