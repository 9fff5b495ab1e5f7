// What using forward-to, trigger and replay by hand turned up: Ctrl+C during a forward is not "the
// app is unreachable"; a replay's failure line does not talk about a provider; `trigger --print`
// shows Bandwidth's Basic header readably without its password; trigger serves local media with
// Bandwidth's auth scheme (and a media route can require auth); bad --url values are usage errors.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerExitCode, formatForwardLines, showsForwardLinesFor } from '../../../src/commands/listen.js';
import { formatRawRequest, printableRequest } from '../../../src/commands/trigger.js';
import { closeHttp, createHttpClient } from '../../../src/providers/http-client.js';
import { getAdapter } from '../../../src/providers/registry.js';
import { startSandbox } from '../../../src/sandbox/server.js';
import type { Credentials } from '../../../src/providers/types.js';
import { forwardWebhook } from '../../../src/services/forward/forward.js';
import { triggerWebhook, type TriggerRequest } from '../../../src/services/forward/trigger.js';
import { startWebhookServer } from '../../../src/webhook/server.js';
import { runInProcess } from '../../helpers/run-in-process.js';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082',
  'hex',
);
const BANDWIDTH: Credentials = {
  accountId: '9900000',
  applicationId: 'app-1',
  clientId: 'bw-client',
  clientSecret: 'bw-client-secret',
  callbackUsername: 'cbuser',
  callbackPassword: 'cb-pass-123456',
};

let root: string;
const servers: Server[] = [];

/** A loopback app; `onRequest` sees the body and answers. */
async function app(onRequest: (body: string, res: import('node:http').ServerResponse) => void): Promise<string> {
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => onRequest(body, res));
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/sms`;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mms-qa-forward-'));
  writeFileSync(join(root, 'cat.png'), PNG);
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  rmSync(root, { recursive: true, force: true });
});

const inbound = (url: string, extra: Partial<TriggerRequest> = {}): TriggerRequest => ({
  kind: 'inbound',
  url,
  from: '+15557654321',
  to: '+15551234567',
  body: 'hi',
  media: [],
  status: 'delivered',
  print: false,
  mediaWaitMs: 5_000,
  ...extra,
});

describe('forward: Ctrl+C while the app is answering', () => {
  it('is reported as interrupted (503 so the provider retries), not as an unreachable app', async () => {
    const ac = new AbortController();
    // The app takes the request and never answers; Ctrl+C comes while it is pending.
    const url = await app(() => ac.abort(new Error('SIGINT')));
    const { reply, attempt } = await forwardWebhook(
      { method: 'POST', publicUrl: url, headers: { 'content-type': 'text/plain' }, rawBody: Buffer.from('x') },
      url,
      { credentials: {}, signal: ac.signal, setTimer: () => () => undefined },
    );
    expect(attempt).toMatchObject({ answered: 503, error: { reason: 'interrupted' } });
    expect(reply.status).toBe(503);
    const { warn } = formatForwardLines({ kind: 'inbound', events: [], attempt });
    expect(warn).toBe(`<-- 503 POST ${url}: interrupted (stopped before the app answered); answered 503 so the provider retries`);
  });
});

describe('trigger: Ctrl+C while the app is answering', () => {
  it('exits 130 (interrupted), not 7 (unreachable)', async () => {
    const ac = new AbortController();
    const url = await app(() => ac.abort(new Error('SIGINT')));
    const env = { TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'tok', MMS_FROM: '+15551234567' };
    const r = await runInProcess(['trigger', 'inbound', '--url', url, '--from', '+15557654321'], { configDir: join(root, 'cfg-int'), env, signal: ac.signal });
    expect(r.code).toBe(130);
    expect(answerExitCode({ answered: 200 })).toBe(0);
    expect(answerExitCode({ answered: 409 })).toBe(6);
    expect(answerExitCode({ answered: 504, error: { reason: 'timeout', message: '' } })).toBe(7);
  });
});

describe('formatForwardLines for a replay', () => {
  it('says why the app gave no answer without claiming a provider was answered', () => {
    const attempt = {
      method: 'POST',
      url: 'http://127.0.0.1:1/x',
      startedAt: '2026-12-01T10:00:00.000Z',
      durationMs: 1,
      resigned: true,
      answered: 502,
      error: { reason: 'unreachable' as const, message: 'ECONNREFUSED' },
    };
    expect(formatForwardLines({ kind: 'inbound', events: [], attempt }, false).warn).toBe(
      '<-- POST http://127.0.0.1:1/x: the app is unreachable (ECONNREFUSED)',
    );
  });
});

describe('trigger --print', () => {
  it("shows Bandwidth's Basic header as user + placeholder: no password, no half-scrubbed base64", async () => {
    const out = await triggerWebhook(inbound('http://127.0.0.1:3000/sms', { print: true }), {
      adapter: await getAdapter('bandwidth'),
      credentials: BANDWIDTH,
    });
    expect(out.request.headers.authorization).toBe(`Basic ${Buffer.from('cbuser:cb-pass-123456').toString('base64')}`);
    const shown = formatRawRequest(printableRequest(out.request));
    expect(shown).toContain('\nauthorization: Basic base64(cbuser:[redacted])\n');
    expect(shown).not.toContain('cb-pass');
    // Other providers' requests are shown as they are.
    const plain = { ...out.request, headers: { 'x-twilio-signature': 'abc=' } };
    expect(printableRequest(plain)).toBe(plain);
  });

  it('javascript:, file: and non-URLs are a one-line usage error (exit 2); an unreachable app is exit 7', async () => {
    const configDir = join(root, 'cfg');
    const env = { TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'tok', MMS_FROM: '+15551234567' };
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'not a url', 'http://x\u001b[31m/']) {
      const r = await runInProcess(['trigger', 'inbound', '--url', url, '--from', '+15557654321'], { configDir, env });
      expect(r.code).toBe(2);
      const first = r.stderr.split('\n')[0]!;
      expect(first).toMatch(/^Error: --url ".*" must be an http\(s\) URL such as http:\/\/localhost:3000\/sms$/);
      expect(r.stderr).not.toContain('\u001b');
    }
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/sms`;
    await new Promise((r) => dead.close(r));
    const r = await runInProcess(['trigger', 'status', '--url', deadUrl, '--id', 'SM1', '--to', '+15557654321'], { configDir, env });
    expect(r.code).toBe(7);
    expect(r.stderr).toContain(`<-- no answer from ${deadUrl}: ECONNREFUSED`);
  });
});

describe('trigger: local media with the provider auth scheme', () => {
  it('Bandwidth: the served file asks for Basic with the API client id and secret; a fetch without it gets 401 and is not counted', async () => {
    const fetched: number[] = [];
    const url = await app((body, res) => {
      res.writeHead(200).end();
      const mediaUrl = (JSON.parse(body) as Array<{ message: { media: string[] } }>)[0]!.message.media[0]!;
      void (async () => {
        const anon = await fetch(mediaUrl);
        fetched.push(anon.status);
        expect(anon.headers.get('www-authenticate')).toMatch(/^Basic /);
        const wrong = await fetch(mediaUrl, { headers: { authorization: `Basic ${Buffer.from('cbuser:cb-pass-123456').toString('base64')}` } });
        fetched.push(wrong.status);
        const ok = await fetch(mediaUrl, { headers: { authorization: `Basic ${Buffer.from('bw-client:bw-client-secret').toString('base64')}` } });
        const bytes = Buffer.from(await ok.arrayBuffer());
        fetched.push(bytes.equals(PNG) ? ok.status : -1);
      })();
    });
    const out = await triggerWebhook(inbound(url, { media: ['cat.png'] }), { adapter: await getAdapter('bandwidth'), credentials: BANDWIDTH, cwd: root });
    // The server counts the fetch when the body was handed to the socket; the app's fetch settles a moment later.
    await vi.waitFor(() => expect(fetched).toEqual([401, 401, 200]));
    expect(out.media).toMatchObject([{ input: 'cat.png', fetched: 1 }]);
    expect(out.notes.join('\n')).toContain('HTTP Basic');
  });

  it('Twilio, Plivo, Telnyx, Vonage, Sinch: public media URLs, fetched without credentials', async () => {
    for (const provider of ['twilio', 'plivo'] as const) {
      let status = 0;
      const url = await app((body, res) => {
        res.writeHead(200).end();
        const form = new URLSearchParams(body);
        void fetch(form.get('MediaUrl0') ?? form.get('Media0') ?? form.get('Media1') ?? '').then((r) => (status = r.status));
      });
      const creds: Credentials =
        provider === 'twilio' ? { accountSid: `AC${'1'.repeat(32)}`, authToken: 't' } : { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 't' };
      const out = await triggerWebhook(inbound(url, { media: ['cat.png'] }), { adapter: await getAdapter(provider), credentials: creds, cwd: root });
      await vi.waitFor(() => expect(status).toBe(200));
      expect(out.media[0]!.fetched).toBe(1);
      expect(out.notes).toEqual([]);
    }
  });
});

describe('webhook server: optional auth on a media route', () => {
  it('answers 401 with the challenge until the check passes; HEAD is checked too', async () => {
    const srv = await startWebhookServer({ port: 0 });
    try {
      const route = srv.addMediaFile({
        path: join(root, 'cat.png'),
        contentType: 'image/png',
        authorize: { check: (h) => h === 'Bearer good', challenge: 'Bearer realm="t"' },
      });
      const url = `${srv.origin}${route.routePath}`;
      const head = await fetch(url, { method: 'HEAD' });
      expect([head.status, head.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="t"']);
      expect((await fetch(url, { headers: { authorization: 'Bearer bad' } })).status).toBe(401);
      expect(srv.fetchCount(route.token)).toBe(0);
      const ok = await fetch(url, { headers: { authorization: 'Bearer good' } });
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
      await vi.waitFor(() => expect(srv.fetchCount(route.token)).toBe(1));
    } finally {
      await srv.close();
    }
  });
});

describe('listen --forward-status-to alone', () => {
  it('still prints inbound messages as event blocks: only forwarded kinds become `-->` lines', async () => {
    expect(showsForwardLinesFor({ type: 'message' }, { status: 'http://a' }, false)).toBe(false);
    expect(showsForwardLinesFor({ type: 'status' }, { status: 'http://a' }, false)).toBe(true);
    expect(showsForwardLinesFor({ type: 'message' }, { inbound: 'http://a' }, true)).toBe(false);
    const sb = await startSandbox({ port: 0, stepDelayMs: 5 });
    try {
      const tw = sb.info().providers.twilio!;
      const env = {
        TWILIO_ACCOUNT_SID: tw.credentials.accountSid!,
        TWILIO_AUTH_TOKEN: tw.credentials.authToken!,
        MMS_TWILIO_BASE_URL: tw.baseUrl,
        MMS_FROM: tw.defaultFrom,
      };
      const statusApp = await app((_body, res) => res.writeHead(200).end());
      let stderr = '';
      const run = runInProcess(['listen', '--number', '+15557770001', '--count', '1', '--timeout', '20', '--forward-status-to', statusApp], {
        configDir: join(root, 'cfg-status-only'),
        env,
        onStderr: (c) => (stderr += c),
      });
      await vi.waitFor(() => expect(stderr).toContain('Press Ctrl+C'), { timeout: 10_000 });
      const http = createHttpClient({ provider: 'twilio', env });
      await (
        await getAdapter('twilio')
      ).send(
        { to: '+15557770001', from: tw.defaultFrom, body: 'not forwarded, still shown', mediaUrls: [] },
        { credentials: tw.credentials, baseUrl: tw.baseUrl, http },
      );
      const res = await run;
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('not forwarded, still shown');
      expect(res.stdout).not.toContain('--> inbound');
    } finally {
      await sb.close();
      await closeHttp();
    }
  });
});
