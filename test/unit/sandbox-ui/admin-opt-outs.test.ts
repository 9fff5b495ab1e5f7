// The admin endpoints the web phone uses for opt-outs (GET /_sandbox/opt-outs, DELETE
// /_sandbox/opt-outs/<provider>/<handset>/<sender>, the `opt-outs` live event) and the checks
// PUT /_sandbox/faults makes before it changes anything (the faults panel shows their text).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaults, MAX_DELAY_MS } from '../../../src/sandbox/admin.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';

const OWN = '+15557770001';
const HANDSET = '+15551230009';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, stepDelayMs: 1 });
});
afterAll(async () => {
  await sb.close();
});

/** A raw request, so the Host, Origin and Sec-Fetch-Site headers are exactly the test's. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(sb.origin);
  const all = { host: url.host, ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: all }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function inbound(from: string, body: string): Promise<void> {
  const res = await raw('POST', '/_sandbox/inbound', { 'content-type': 'application/json' }, JSON.stringify({ to: OWN, from, body }));
  expect(res.status).toBe(201);
}

/** A send from the sandbox number to `to` through the Twilio API, as `mms send` makes it. */
async function twilioSend(to: string): Promise<{ status: number; code?: number }> {
  const tw = sb.info().providers.twilio!;
  const auth = `Basic ${Buffer.from(`${tw.credentials.accountSid}:${tw.credentials.authToken}`).toString('base64')}`;
  const res = await fetch(`${tw.baseUrl}/2010-04-01/Accounts/${tw.credentials.accountSid}/Messages.json`, {
    method: 'POST',
    headers: { authorization: auth },
    body: new URLSearchParams({ From: OWN, To: to, Body: 'hello' }),
  });
  const body = (await res.json()) as { code?: number };
  return { status: res.status, ...(body.code !== undefined ? { code: body.code } : {}) };
}

const optOuts = async () => (await raw('GET', '/_sandbox/opt-outs')).json.optOuts as Array<Record<string, unknown>>;
const pairPath = (provider: string, handset: string, sender: string) => `/_sandbox/opt-outs/${[provider, handset, sender].map(encodeURIComponent).join('/')}`;

describe('GET and DELETE /_sandbox/opt-outs', () => {
  it('lists a STOP with the code a send gets; DELETE clears the pair and a send goes through; a second DELETE is 404', async () => {
    await inbound(HANDSET, 'stop');
    expect(await optOuts()).toEqual([
      expect.objectContaining({ provider: 'twilio', handset: HANDSET, sender: OWN, code: '21610', text: 'Attempt to send to unsubscribed recipient' }),
    ]);
    expect(await twilioSend(HANDSET)).toEqual({ status: 400, code: 21610 });
    const cleared = await raw('DELETE', pairPath('twilio', HANDSET, OWN));
    expect(cleared).toEqual({ status: 200, json: { optOuts: [] } });
    expect(await twilioSend(HANDSET)).toEqual({ status: 201 });
    const again = await raw('DELETE', pairPath('twilio', HANDSET, OWN));
    expect(again.status).toBe(404);
    expect(again.json.error).toBe(`${HANDSET} has not opted out of ${OWN} on twilio`);
    // Nothing was added to the record by the clear (no START message, no webhook).
    expect(sb.store.list({ from: HANDSET }).map((m) => m.body)).toEqual(['stop']);
  });

  it('matches numbers by digits (Plivo spells them without "+") and refuses an unknown provider', async () => {
    await inbound(HANDSET, 'STOP');
    expect((await raw('DELETE', pairPath('nosuch', HANDSET, OWN))).status).toBe(404);
    expect((await raw('DELETE', pairPath('twilio', HANDSET.slice(1), OWN.slice(1)))).status).toBe(200);
    expect(await optOuts()).toEqual([]);
  });

  it('answers 404, not 500, for a malformed escape in the path', async () => {
    expect((await raw('DELETE', '/_sandbox/opt-outs/twilio/%E0%A4%A/%2B1')).status).toBe(404);
    expect((await raw('GET', '/_sandbox/messages/%E0%A4%A')).status).toBe(404);
    expect((await raw('POST', '/_sandbox/webhooks/%E0%A4%A/resend')).status).toBe(404);
  });

  it('START from the handset clears it too', async () => {
    await inbound(HANDSET, 'STOP');
    expect(await optOuts()).toHaveLength(1);
    await inbound(HANDSET, 'start');
    expect(await optOuts()).toEqual([]);
  });

  it('sends the whole list as an `opt-outs` event after a STOP and after a clear', async () => {
    const ac = new AbortController();
    const res = await fetch(`${sb.origin}/_sandbox/events`, { signal: ac.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const nextOptOuts = async (): Promise<unknown> => {
      for (;;) {
        const m = /event: opt-outs\ndata: (.*)\n\n/.exec(text);
        if (m) {
          text = text.slice(m.index + m[0].length);
          return JSON.parse(m[1]!);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the event stream ended');
        text += value;
      }
    };
    await inbound(HANDSET, 'Unsubscribe');
    expect(await nextOptOuts()).toEqual({ optOuts: [expect.objectContaining({ handset: HANDSET, sender: OWN, provider: 'twilio' })] });
    await raw('DELETE', pairPath('twilio', HANDSET, OWN));
    expect(await nextOptOuts()).toEqual({ optOuts: [] });
    ac.abort();
    await reader.cancel().catch(() => undefined);
  });
});

describe('guards on the opt-out endpoints', () => {
  it('refuses a foreign Host (DNS rebinding) for the listing and the clear', async () => {
    await inbound(HANDSET, 'STOP');
    const port = new URL(sb.origin).port;
    expect((await raw('GET', '/_sandbox/opt-outs', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await raw('DELETE', pairPath('twilio', HANDSET, OWN), { host: `evil.example:${port}` })).status).toBe(403);
    expect(await optOuts()).toHaveLength(1);
  });

  it('refuses a cross-origin DELETE (Origin or Sec-Fetch-Site), leaving the opt-out in place', async () => {
    const path = pairPath('twilio', HANDSET, OWN);
    expect((await raw('DELETE', path, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw('DELETE', path, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await raw('DELETE', path, { origin: 'null' })).status).toBe(403);
    expect(await optOuts()).toHaveLength(1);
    expect((await raw('DELETE', path, { origin: sb.origin, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect(await optOuts()).toEqual([]);
  });
});

describe('PUT /_sandbox/faults checks', () => {
  const parse = (v: unknown) => parseFaults(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));

  it('takes every setting in range, webhook chaos included', () => {
    const all = {
      rateLimit: 0.004,
      failRate: 0,
      throttleRate: 1,
      resetRate: 0.5,
      timeoutRate: 0.01,
      latencyMs: [0, MAX_DELAY_MS],
      webhookChaos: { dup: 0.05, reorder: 1, lateMs: 2000, late: 0.1 },
    };
    expect(parse(all)).toEqual(all);
    expect(parse({})).toEqual({});
  });

  it.each([
    [{ failRate: 1.5 }, 'failRate must be a number from 0 to 1 (a share: 0.05 is 5%)'],
    [{ resetRate: -0.1 }, 'resetRate must be a number from 0 to 1 (a share: 0.05 is 5%)'],
    [{ rateLimit: 0 }, 'rateLimit must be a number of requests per second above 0'],
    [{ latencyMs: [50, 20] }, 'latencyMs must be [min, max], whole milliseconds from 0 to 600000, max not below min'],
    [{ latencyMs: [1.5, 2] }, 'latencyMs must be [min, max], whole milliseconds from 0 to 600000, max not below min'],
    [{ webhookChaos: { dup: 2 } }, 'webhookChaos.dup must be a number from 0 to 1 (a share: 0.05 is 5%)'],
    [{ webhookChaos: { reorder: '5%' } }, 'webhookChaos.reorder must be a number from 0 to 1 (a share: 0.05 is 5%)'],
    [{ webhookChaos: { lateMs: MAX_DELAY_MS + 1 } }, 'webhookChaos.lateMs must be whole milliseconds from 0 to 600000'],
    [{ webhookChaos: { late: 0.5 } }, 'webhookChaos.late is the share of status callbacks made late: set webhookChaos.lateMs too'],
    [{ webhookChaos: { dupe: 0.1 } }, 'unknown webhookChaos setting "dupe"; the settings are dup, reorder, lateMs, late'],
    [{ webhookChaos: [] }, 'webhookChaos must be an object such as {"dup": 0.05, "reorder": 0.05, "lateMs": 2000}'],
    [
      { failrate: 0.1 },
      'unknown fault setting "failrate"; the settings are rateLimit, failRate, throttleRate, resetRate, timeoutRate, latencyMs, webhookChaos',
    ],
    // What the panel sends for a field that holds no number (NaN becomes null in JSON).
    [{ webhookChaos: { dup: Number.NaN } }, 'webhookChaos.dup must be a number from 0 to 1 (a share: 0.05 is 5%)'],
    [[1], 'body must be a JSON object of fault settings'],
  ])('refuses %j', (body, error) => {
    expect(parse(body)).toBe(error);
  });

  it('refuses a body that is not JSON', () => {
    expect(parse('{')).toMatch(/^body must be JSON/);
  });

  it('answers 400 with the error and changes nothing', async () => {
    expect((await raw('PUT', '/_sandbox/faults', {}, JSON.stringify({ webhookChaos: { dup: 0.25 } }))).status).toBe(200);
    const bad = await raw('PUT', '/_sandbox/faults', {}, JSON.stringify({ failRate: 0.5, webhookChaos: { dup: 7 } }));
    expect(bad).toEqual({ status: 400, json: { error: 'webhookChaos.dup must be a number from 0 to 1 (a share: 0.05 is 5%)' } });
    expect((await raw('GET', '/_sandbox/faults')).json).toEqual({ webhookChaos: { dup: 0.25 } });
    expect((await raw('PUT', '/_sandbox/faults', {}, '{}')).status).toBe(200);
  });
});
