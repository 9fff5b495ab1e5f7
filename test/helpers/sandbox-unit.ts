// Shared by the in-process sandbox tests: a webhook receiver on 127.0.0.1 that records every POST,
// polling helpers, and a way to catch a rejection.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ProviderError } from '../../src/errors/errors.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import type { SandboxMessage } from '../../src/sandbox/store.js';

export interface Hook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/** An OAuth access token from the sandbox's Bandwidth dialect (client credentials, as Bandwidth's token endpoint takes them). */
export async function bandwidthAccessToken(sb: Sandbox): Promise<string> {
  const { clientId, clientSecret } = sb.info().providers.bandwidth!.credentials;
  const res = await fetch(`${sb.baseUrl('bandwidth')}/api/v1/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A local webhook receiver on 127.0.0.1 that records every POST. */
export async function startReceiver(): Promise<{
  url(path: string): string;
  hooks: Hook[];
  waitFor(pred: (h: Hook) => boolean, ms?: number): Promise<Hook>;
  close(): Promise<void>;
}> {
  const hooks: Hook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ path: req.url ?? '/', headers: req.headers, rawBody: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    hooks,
    async waitFor(pred, ms = 5000) {
      const until = Date.now() + ms;
      for (;;) {
        const h = hooks.find(pred);
        if (h) return h;
        if (Date.now() > until) throw new Error(`no matching webhook; got ${hooks.map((x) => x.path).join(', ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Polls the sandbox's record until message `id` matches. */
export async function waitForMessage(sb: Sandbox, id: string, pred: (m: SandboxMessage) => boolean, ms = 5000): Promise<SandboxMessage> {
  const until = Date.now() + ms;
  for (;;) {
    const m = sb.store.get(id);
    if (m && pred(m)) return m;
    if (Date.now() > until) throw new Error(`message ${id} never matched: ${JSON.stringify(m)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    return e as ProviderError;
  }
  throw new Error('expected a rejection');
}

/** What a dialect test needs, filled in by the hooks useDialectHarness registers. */
export interface DialectHarness {
  sb: Sandbox;
  media: import('./media-server.js').MediaServer;
  /** Base URL of the webhook receiver (127.0.0.1). */
  hookUrl: string;
  /** Webhooks received in the current test. */
  received: Hook[];
  /** The dialect's sandbox credentials. */
  creds: Record<string, string>;
}

/**
 * Registers beforeAll/afterAll/beforeEach: an in-process sandbox, a loopback media server with
 * `files`, and a webhook receiver answering `hookStatus`; the record and faults reset per test.
 */
export function useDialectHarness(provider: string, files: Record<string, { body: Buffer; contentType: string }>, hookStatus = 200): DialectHarness {
  const h = { received: [] as Hook[] } as DialectHarness;
  let hook: Server;
  beforeAll(async () => {
    const { startSandbox } = await import('../../src/sandbox/server.js');
    const { startMediaServer } = await import('./media-server.js');
    h.sb = await startSandbox({ port: 0, stepDelayMs: 5 });
    h.media = await startMediaServer();
    for (const [path, f] of Object.entries(files)) h.media.add(path, f.body, f.contentType);
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        h.received.push({ path: req.url ?? '/', headers: req.headers, rawBody: Buffer.concat(chunks) });
        res.writeHead(hookStatus).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    h.hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    h.creds = h.sb.info().providers[provider]!.credentials;
  });
  afterAll(async () => {
    const { closeHttp } = await import('../../src/providers/http-client.js');
    await h.sb?.close();
    await h.media?.close();
    await new Promise((r) => hook?.close(r));
    await closeHttp();
  });
  beforeEach(() => {
    h.sb.store.clear();
    h.received.length = 0;
    delete h.sb.faults.rateLimit;
  });
  return h;
}

/** Polls `fn` until it returns something other than undefined. */
export async function pollUntil<T>(fn: () => T | undefined, ms = 4000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
