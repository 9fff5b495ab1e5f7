// Twilio's findSent for a Messaging Service sender (MG…): its records carry the pool number that
// sent them, not the MG SID, so the search filters by recipient only and matches the service and
// the body; it walks pages until they reach messages older than the window.
import { describe, expect, it } from 'vitest';
import { twilioAdapter } from '../../../../src/providers/twilio/adapter.js';
import type { ProviderCallContext } from '../../../../src/providers/types.js';
import { fakeHttp, res } from '../../../helpers/fake-http.js';

const SID = `AC${'1'.repeat(32)}`;
const SERVICE = `MG${'5'.repeat(32)}`;
const OTHER_SERVICE = `MG${'6'.repeat(32)}`;
const TO = '+15552000001';
const SINCE = Date.UTC(2026, 11, 1, 10, 0, 0);

function ctx(http: ReturnType<typeof fakeHttp>): ProviderCallContext {
  return { credentials: { accountSid: SID, authToken: 'x'.repeat(32) }, baseUrl: 'https://api.example', http };
}

function msg(sid: string, atMs: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sid,
    to: TO,
    from: '+15550100002',
    messaging_service_sid: SERVICE,
    body: 'Nightly chart',
    status: 'sent',
    direction: 'outbound-api',
    date_created: new Date(atMs).toUTCString(),
    ...over,
  };
}

const page = (messages: unknown[], next: string | null = null) => res(200, JSON.stringify({ messages, next_page_uri: next }));
const find = (http: ReturnType<typeof fakeHttp>, body?: string) =>
  twilioAdapter.findSent!({ to: TO, from: SERVICE, since: new Date(SINCE), ...(body !== undefined ? { body } : {}) } as never, ctx(http));

describe('twilio findSent with a Messaging Service sender', () => {
  it('filters by To only and matches the service and the body, not From', async () => {
    const http = fakeHttp(
      page([
        msg(`SM${'a'.repeat(32)}`, SINCE + 3000, { messaging_service_sid: OTHER_SERVICE }),
        msg(`SM${'b'.repeat(32)}`, SINCE + 2000, { body: 'Another campaign' }),
        msg(`SM${'c'.repeat(32)}`, SINCE + 1000),
      ]),
    );
    expect(await find(http, 'Nightly chart')).toEqual({ id: `SM${'c'.repeat(32)}`, providerStatus: 'sent' });
    const url = new URL(http.calls[0]!.url);
    expect(url.pathname).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(url.searchParams.get('To')).toBe(TO);
    expect(url.searchParams.has('From')).toBe(false);
  });

  it("matches a trial account's body, which Twilio prefixes", async () => {
    const http = fakeHttp(page([msg(`SM${'d'.repeat(32)}`, SINCE + 1000, { body: 'Sent from your Twilio trial account - Nightly chart' })]));
    expect(await find(http, 'Nightly chart')).toMatchObject({ id: `SM${'d'.repeat(32)}` });
  });

  it('ignores messages older than the window and inbound ones', async () => {
    const http = fakeHttp(
      page([msg(`SM${'e'.repeat(32)}`, SINCE + 1000, { direction: 'inbound' }), msg(`SM${'f'.repeat(32)}`, SINCE - 5000)], '/2010-04-01/next?Page=1'),
    );
    expect(await find(http, 'Nightly chart')).toBeUndefined();
    // The first page already reached older messages: no second page is read.
    expect(http.calls).toHaveLength(1);
  });

  it('reads the next page while every message on a page is inside the window', async () => {
    const http = fakeHttp(
      page([msg(`SM${'1'.repeat(32)}`, SINCE + 9000, { body: 'Other' })], `/2010-04-01/Accounts/${SID}/Messages.json?To=x&Page=1&PageToken=PA1`),
      page([msg(`SM${'2'.repeat(32)}`, SINCE + 1000)]),
    );
    expect(await find(http, 'Nightly chart')).toMatchObject({ id: `SM${'2'.repeat(32)}` });
    expect(http.calls[1]!.url).toBe(`https://api.example/2010-04-01/Accounts/${SID}/Messages.json?To=x&Page=1&PageToken=PA1`);
  });

  it('without a body (media only), the service alone decides', async () => {
    const http = fakeHttp(page([msg(`SM${'3'.repeat(32)}`, SINCE + 1000, { body: '' })]));
    expect(await find(http)).toMatchObject({ id: `SM${'3'.repeat(32)}` });
  });
});
