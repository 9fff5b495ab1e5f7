// The sandbox's API for tests and scripts (long poll, inbound injection, webhook log and resend,
// live events) and the guards in front of it (Host, cross-origin writes, media headers).
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { redactHeaders } from '../../src/sandbox/webhooks.js';
import { startReceiver } from '../helpers/sandbox-unit.js';
import { inject, pointTwilioNumber } from './helpers.js';

const PNG = readFileSync(new URL('../fixtures/media/pixel.png', import.meta.url));

let sb: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, stepDelayMs: 1 });
  receiver = await startReceiver();
  await pointTwilioNumber(sb, '+15005550006', receiver.url('/sms'));
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

/** A raw request, so the Host, Origin and Sec-Fetch-Site headers are exactly the test's. */
function raw(method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; text: string }> {
  const url = new URL(sb.origin);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('GET /_sandbox/messages?wait=', () => {
  it('holds the request until a matching message exists, then answers with it', async () => {
    let answered = false;
    const polling = fetch(`${sb.origin}/_sandbox/messages?to=%2B15005550006&from=%2B15550000001&wait=10s`).then(async (r) => {
      answered = true;
      return (await r.json()) as { messages: Array<{ body: string }> };
    });
    // A message that does not match does not answer it.
    await inject(sb, { to: '+15005550006', from: '+15550000002', body: 'other' });
    expect(answered).toBe(false);
    await inject(sb, { to: '+15005550006', from: '+15550000001', body: 'awaited' });
    expect((await polling).messages.map((m) => m.body)).toEqual(['awaited']);
  });

  it('answers at once when one already exists, with an empty list when none came in time, 400 for a bad duration', async () => {
    const now = await (await fetch(`${sb.origin}/_sandbox/messages?from=%2B15550000002&wait=10s`)).json();
    expect(now.messages).toHaveLength(1);
    const none = await (await fetch(`${sb.origin}/_sandbox/messages?to=%2B19999999999&wait=20ms`)).json();
    expect(none).toEqual({ messages: [] });
    expect((await fetch(`${sb.origin}/_sandbox/messages?wait=soon`)).status).toBe(400);
  });

  it('filters by creation time (since, any ISO form), 400 for a bad one', async () => {
    const all = (await (await fetch(`${sb.origin}/_sandbox/messages`)).json()) as { messages: Array<{ createdAt: string }> };
    const last = all.messages.at(-1)!.createdAt;
    // Whole seconds, no milliseconds: still compared as a time, not as text.
    const second = encodeURIComponent(last.replace(/\.\d+Z$/, 'Z'));
    const since = (await (await fetch(`${sb.origin}/_sandbox/messages?since=${second}`)).json()) as { messages: unknown[] };
    expect(since.messages.length).toBeGreaterThanOrEqual(1);
    const future = (await (await fetch(`${sb.origin}/_sandbox/messages?since=2999-01-01T00:00:00Z`)).json()) as { messages: unknown[] };
    expect(future.messages).toEqual([]);
    expect((await fetch(`${sb.origin}/_sandbox/messages?since=yesterday`)).status).toBe(400);
  });

  it('filters by text (q) and by either party (number)', async () => {
    const byText = (await (await fetch(`${sb.origin}/_sandbox/messages?q=AWAIT`)).json()) as { messages: Array<{ body: string }> };
    expect(byText.messages.map((m) => m.body)).toEqual(['awaited']);
    const byNumber = (await (await fetch(`${sb.origin}/_sandbox/messages?number=%2B15550000002`)).json()) as { messages: unknown[] };
    expect(byNumber.messages).toHaveLength(1);
  });
});

describe('POST /_sandbox/inbound', () => {
  it('delivers a Twilio inbound webhook the official SDK validates, with the media it was given', async () => {
    const { default: twilio } = await import('twilio');
    const r = await inject(sb, { to: '+15005550006', from: '+15551234567', body: 'with picture', media: [{ contentType: 'image/png', bytes: PNG }] });
    expect(r.status).toBe(201);
    const id = (r.body.message as { id: string }).id;
    expect(r.body.webhooks).toEqual([expect.objectContaining({ kind: 'inbound', messageId: id, status: 200 })]);
    const hook = receiver.hooks.find((h) => new URLSearchParams(h.rawBody.toString()).get('MessageSid') === id)!;
    const params = Object.fromEntries(new URLSearchParams(hook.rawBody.toString()));
    const { authToken } = sb.info().providers.twilio!.credentials as { authToken: string };
    expect(twilio.validateRequest(authToken, String(hook.headers['x-twilio-signature']), receiver.url('/sms'), params)).toBe(true);
    expect(params).toMatchObject({ From: '+15551234567', To: '+15005550006', Body: 'with picture', NumMedia: '1', MediaContentType0: 'image/png' });
    // The media URL is Twilio's (Basic auth), and its bytes are the ones injected.
    const { accountSid } = sb.info().providers.twilio!.credentials as { accountSid: string };
    const media = await fetch(params.MediaUrl0!, { headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` } });
    expect(Buffer.from(await media.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('stores a Telnyx and a Plivo inbound message too; names the numbers for a stranger; 400 for bad input', async () => {
    const telnyx = await inject(sb, { to: '+15557770011', from: '+15551234567', body: 'hi telnyx' });
    expect(telnyx).toMatchObject({ status: 201, body: { message: { provider: 'telnyx', direction: 'inbound', to: '+15557770011' } } });
    const plivo = await inject(sb, { to: '+15557770021', from: '+15551234567', body: 'hi plivo' });
    expect(plivo).toMatchObject({ status: 201, body: { message: { provider: 'plivo', direction: 'inbound', to: '15557770021', from: '15551234567' } } });
    const stranger = await inject(sb, { to: '+15550001111', from: '+15551234567', body: 'x' });
    expect(stranger.status).toBe(404);
    expect(String(stranger.body.error)).toContain('+15005550006');
    expect((await inject(sb, { to: '+15005550006', from: 'nobody', body: 'x' })).status).toBe(400);
    expect((await inject(sb, { to: '+15005550006', from: '+15551234567' })).status).toBe(400);
  });
});

describe('the webhook log', () => {
  it('records the request with credentials redacted, the answer and the time; a resend repeats it byte for byte', async () => {
    const r = await inject(sb, { to: '+15005550006', from: '+15551230000', body: 'resend me' });
    const attempt = (r.body.webhooks as Array<{ id: string; request: { body: string; headers: Record<string, string> }; durationMs: number }>)[0]!;
    expect(attempt.request.body).toContain('Body=resend+me');
    expect(attempt.request.headers['x-twilio-signature']).toBeTruthy();
    expect(Number.isInteger(attempt.durationMs)).toBe(true);
    const before = receiver.hooks.length;
    const resent = await fetch(`${sb.origin}/_sandbox/webhooks/${attempt.id}/resend`, { method: 'POST' });
    expect(resent.status).toBe(200);
    expect(await resent.json()).toMatchObject({ resendOf: attempt.id, status: 200 });
    expect(receiver.hooks.length).toBe(before + 1);
    expect(receiver.hooks.at(-1)!.rawBody.toString()).toBe(receiver.hooks.find((h) => h.rawBody.toString().includes('resend+me'))!.rawBody.toString());
    expect((await fetch(`${sb.origin}/_sandbox/webhooks/WAnope/resend`, { method: 'POST' })).status).toBe(404);
  });

  it('redacts Authorization-style headers', () => {
    expect(redactHeaders({ Authorization: 'Basic abc', 'x-twilio-signature': 's', cookie: 'c' })).toEqual({
      Authorization: '[redacted]',
      'x-twilio-signature': 's',
      cookie: '[redacted]',
    });
  });
});

describe('live events', () => {
  it('streams message and webhook events as Server-Sent Events', async () => {
    const ac = new AbortController();
    const res = await fetch(`${sb.origin}/_sandbox/events`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    await inject(sb, { to: '+15005550006', from: '+15551239999', body: 'live' });
    let text = '';
    while (!text.includes('event: webhook')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/event: message\ndata: \{[^\n]*"body":"live"/);
    ac.abort();
  });
});

describe('guards', () => {
  const host = () => new URL(sb.origin).host;

  it('refuses a foreign Host header (DNS rebinding) on the page and the API', async () => {
    expect((await raw('GET', '/', { host: `evil.example:${new URL(sb.origin).port}` })).status).toBe(403);
    expect((await raw('GET', '/_sandbox/info', { host: 'evil.example' })).status).toBe(403);
    expect((await raw('GET', '/_sandbox/info', { host: host() })).status).toBe(200);
    expect((await raw('GET', '/_sandbox/info', { host: `localhost:${new URL(sb.origin).port}` })).status).toBe(200);
  });

  it('refuses cross-origin writes; same-origin and non-browser writes pass', async () => {
    const body = JSON.stringify({ to: '+15005550006', from: '+15551234567', body: 'x' });
    const json = { host: host(), 'content-type': 'application/json' };
    expect((await raw('POST', '/_sandbox/inbound', { ...json, origin: 'http://evil.example' }, body)).status).toBe(403);
    expect((await raw('DELETE', '/_sandbox/messages', { host: host(), 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await raw('PUT', '/_sandbox/faults', { host: host(), origin: 'null' }, '{}')).status).toBe(403);
    expect((await raw('POST', '/_sandbox/inbound', { ...json, origin: sb.origin, 'sec-fetch-site': 'same-origin' }, body)).status).toBe(201);
    expect((await raw('PUT', '/_sandbox/faults', { host: host() }, '{}')).status).toBe(200);
  });

  it('ships the web phone small and self-contained: first load under 150 KB, nothing from another origin', async () => {
    let total = 0;
    for (const path of ['/', '/ui/app.css', '/ui/app.js']) {
      const res = await fetch(`${sb.origin}${path}`);
      expect(res.status).toBe(200);
      const text = await res.text();
      total += Buffer.byteLength(text);
      expect(text).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
      expect(text).not.toMatch(/\binnerHTML\b|insertAdjacentHTML|document\.write/);
    }
    expect(total).toBeLessThan(150 * 1024);
  });

  it('serves the page with a strict CSP, and media with its stored type, nosniff and a sandboxing CSP', async () => {
    const page = await fetch(`${sb.origin}/`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    await page.body?.cancel();
    const html = Buffer.from('<script>parent.pwned = 1</script>');
    const r = await inject(sb, { to: '+15005550006', from: '+15551234567', body: 'x', media: [{ contentType: 'text/html', bytes: html }] });
    const sha = (r.body.message as { media: Array<{ sha256: string }> }).media[0]!.sha256;
    const media = await fetch(`${sb.origin}/_sandbox/media/${sha}`);
    expect(media.headers.get('content-type')).toBe('text/html');
    expect(media.headers.get('x-content-type-options')).toBe('nosniff');
    expect(media.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(media.headers.get('content-disposition')).toBe('attachment');
    await media.body?.cancel();
    // A content type that is not a MIME type is stored as application/octet-stream.
    const odd = await inject(sb, { to: '+15005550006', from: '+15551234567', body: 'x', media: [{ contentType: 'image/png"><script>', bytes: PNG }] });
    expect((odd.body.message as { media: Array<{ contentType: string }> }).media[0]!.contentType).toBe('application/octet-stream');
  });
});
