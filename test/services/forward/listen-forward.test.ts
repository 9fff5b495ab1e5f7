// `mms listen --forward-to` in-process: webhooks reach a small "user app" (node:http on loopback)
// that checks them with the providers' official SDK validators (the independent judges) and
// answers TwiML; the answer goes back to the provider; an app that is down or slow gets the
// provider a 502/504 and the listener carries on.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import twilio from 'twilio';
import plivo from 'plivo';
import { closeHttp, createHttpClient } from '../../../src/providers/http-client.js';
import { getAdapter } from '../../../src/providers/registry.js';
import type { Credentials, ProviderAdapter, ProviderName } from '../../../src/providers/types.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import { openEventLog } from '../../../src/services/events/store.js';
import { listenForMessages } from '../../../src/services/listen/index.js';
import type { ForwardReport, ListenEvent, ListeningInfo, ListenOutcome, ListenPorts, ListenRequest } from '../../../src/services/listen/types.js';
import { webhookKit } from '../../../src/services/forward/signers.js';
import { forwardHeaders } from '../../../src/services/forward/forward.js';

const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks!</Message></Response>';

let sb: Sandbox;
let root: string;
let env: NodeJS.ProcessEnv;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Answer {
  status: number;
  type?: string;
  body: string;
}

interface UserApp {
  url: string;
  seen: Seen[];
  /** What the app does with a request (default: checks nothing, answers TwiML). */
  handler: (s: Seen) => Answer | 'hang' | Promise<Answer>;
  close(): Promise<void>;
}

/** A tiny app on loopback, the way a user's would be. */
async function startUserApp(): Promise<UserApp> {
  const app: UserApp = { url: '', seen: [], handler: () => ({ status: 200, type: 'text/xml', body: TWIML }), close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      app.seen.push(s);
      const answer = app.handler(s);
      if (answer === 'hang') return;
      void Promise.resolve(answer).then((a) => {
        res.writeHead(a.status, a.type ? { 'content-type': a.type } : {});
        res.end(a.body);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  app.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return app;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mms-forward-'));
  env = { MMS_CONFIG_DIR: join(root, 'config') };
  sb = await startSandbox({ port: 0, stepDelayMs: 5 });
});

afterAll(async () => {
  await sb?.close();
  await closeHttp();
  rmSync(root, { recursive: true, force: true });
});

interface Run {
  ready: Promise<ListeningInfo>;
  done: Promise<ListenOutcome>;
  events: ListenEvent[];
  forwards: ForwardReport[];
  abort(): void;
  exits: Array<() => Promise<void>>;
}
const running: Run[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.abort();
    await r.done.catch(() => undefined);
    for (const fn of r.exits) await fn();
  }
});

async function startListen(provider: ProviderName, request: Partial<ListenRequest>, ports: Partial<ListenPorts> = {}): Promise<Run & { creds: Credentials }> {
  const adapter: ProviderAdapter = await getAdapter(provider);
  const p = sb.info().providers[provider]!;
  const ctx = { credentials: p.credentials, baseUrl: p.baseUrl, http: createHttpClient({ provider, env }) };
  const ac = new AbortController();
  const run: Run = { ready: undefined as never, done: undefined as never, events: [], forwards: [], abort: () => ac.abort(), exits: [] };
  let listening!: (info: ListeningInfo) => void;
  run.ready = new Promise<ListeningInfo>((r) => (listening = r));
  run.done = listenForMessages(
    { port: 0, skipVerify: false, ...request },
    {
      account: { adapter, callContext: { ...ctx, signal: ac.signal }, cleanupContext: () => ctx },
      env,
      signal: ac.signal,
      onExit: (fn) => void run.exits.push(fn),
      hookOutput: new PassThrough(),
      hookInput: () => '',
      ...ports,
    },
    { listening, event: (ev) => void run.events.push(ev), notice: () => undefined, forwarded: (r) => void run.forwards.push(r) },
  );
  running.push(run);
  return { ...run, creds: p.credentials };
}

/** POSTs a webhook built and signed the way the provider would, straight to the listener. */
async function postSigned(provider: ProviderName, creds: Credentials, url: string, body: { contentType: string; body: string }): Promise<Response> {
  const headers = {
    'content-type': body.contentType,
    'user-agent': 'TwilioProxy/1.1',
    'x-custom': 'kept',
    ...webhookKit(provider).sign(body, url, creds, new Date()),
  };
  return fetch(url, { method: 'POST', headers, body: body.body });
}

const message = (media = 0) => ({
  id: `MM${'a'.repeat(32)}`,
  from: '+15005550006',
  to: '+15557770001',
  body: 'hello app',
  media: Array.from({ length: media }, (_, i) => ({ url: `https://example.test/m${i}.png`, contentType: 'image/png' })),
  now: new Date(),
});

describe('forwardHeaders', () => {
  it("drops hop-by-hop fields, those the Connection header names and the tunnel's URL facts; keeps the rest", () => {
    expect(
      forwardHeaders({
        connection: 'keep-alive, x-hop',
        'keep-alive': 'timeout=5',
        'x-hop': '1',
        host: 'abc.ngrok.app',
        'content-length': '10',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        'accept-encoding': 'gzip, br',
        'proxy-authorization': 'Basic eA==',
        'x-twilio-signature': 'sig',
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'abc.ngrok.app',
        forwarded: 'proto=https',
        'set-cookie': ['a', 'b'],
        absent: undefined,
      }),
    ).toEqual({
      'x-twilio-signature': 'sig',
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': '203.0.113.9',
      'set-cookie': ['a', 'b'],
    });
  });
});

describe('listen --forward-to', () => {
  let app: UserApp;
  beforeAll(async () => {
    app = await startUserApp();
  });
  afterAll(() => app.close());
  afterEach(() => {
    app.seen.length = 0;
    app.handler = () => ({ status: 200, type: 'text/xml', body: TWIML });
  });

  it('Twilio: the sandbox → listener → app; re-signed for the app URL (twilio.validateRequest passes), TwiML relayed', async () => {
    const target = `${app.url}/sms?tenant=1`;
    const l = await startListen('twilio', { number: '+15557770001', forward: { inbound: target } });
    await l.ready;
    let valid: boolean[] = [];
    app.handler = (s) => {
      valid.push(twilio.validateRequest(l.creds.authToken!, String(s.headers['x-twilio-signature']), target, Object.fromEntries(new URLSearchParams(s.body))));
      return { status: 200, type: 'text/xml', body: TWIML };
    };
    const tw = sb.info().providers.twilio!;
    const adapter = await getAdapter('twilio');
    await adapter.send(
      { to: '+15557770001', from: tw.defaultFrom, body: 'hi from sandbox', mediaUrls: [] },
      { credentials: tw.credentials, baseUrl: tw.baseUrl, http: createHttpClient({ provider: 'twilio', env }) },
    );
    await vi.waitFor(() => expect(l.forwards).toHaveLength(1), { timeout: 10_000 });
    expect(valid).toEqual([true]);
    expect(app.seen[0]).toMatchObject({ method: 'POST', url: '/sms?tenant=1' });
    expect(app.seen[0]!.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(new URLSearchParams(app.seen[0]!.body).get('Body')).toBe('hi from sandbox');
    expect(l.forwards[0]).toMatchObject({
      type: 'forward',
      kind: 'inbound',
      provider: 'twilio',
      events: [{ type: 'message', from: tw.defaultFrom, to: '+15557770001', media: 0 }],
      attempt: { method: 'POST', url: target, status: 200, answered: 200, resigned: true, contentType: 'text/xml' },
    });
    expect(Number.isInteger(l.forwards[0]!.attempt.durationMs)).toBe(true);

    // The provider gets the app's answer: status, content type and body.
    valid = [];
    const info = await l.ready;
    const res = await postSigned('twilio', l.creds, info.inboundUrl, webhookKit('twilio').inbound(message(2), l.creds, info.inboundUrl));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(await res.text()).toBe(TWIML);
    expect(valid).toEqual([true]);
    // The provider's own headers go on.
    expect(app.seen[1]!.headers['x-custom']).toBe('kept');
    expect(app.seen[1]!.headers['user-agent']).toBe('TwilioProxy/1.1');
    expect(l.forwards[1]!.events[0]).toMatchObject({ type: 'message', media: 2 });
  });

  it('Plivo: V3 and V2 signatures re-computed for the app URL pass plivo.validateV3Signature and validateSignature', async () => {
    const target = `${app.url}/plivo/inbound`;
    const l = await startListen('plivo', { forward: { inbound: target } });
    const info = await l.ready;
    const checks: Array<{ v3: unknown; v2: unknown }> = [];
    app.handler = (s) => {
      const params = Object.fromEntries(new URLSearchParams(s.body));
      const h = s.headers;
      checks.push({
        v3: plivo.validateV3Signature('POST', target, String(h['x-plivo-signature-v3-nonce']), l.creds.authToken!, String(h['x-plivo-signature-v3']), params),
        v2: plivo.validateSignature(target, String(h['x-plivo-signature-v2-nonce']), String(h['x-plivo-signature-v2']), l.creds.authToken!),
      });
      return { status: 200, type: 'application/xml', body: '<Response><Message src="15557770001" dst="15005550006">Hi</Message></Response>' };
    };
    const kit = webhookKit('plivo');
    const res = await postSigned('plivo', l.creds, info.inboundUrl, kit.inbound({ ...message(1), id: kit.newId(true, new Date()) }, l.creds, info.inboundUrl));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<Message src="15557770001"');
    expect(checks).toEqual([{ v3: true, v2: true }]);
    expect(l.events).toHaveLength(1);
  });

  it('--count 1: the run ends only after the app answered the last message, and the provider got that answer', async () => {
    let release!: (a: Answer) => void;
    app.handler = () => new Promise<Answer>((r) => (release = r));
    const l = await startListen('twilio', { count: 1, forward: { inbound: `${app.url}/sms` } });
    const info = await l.ready;
    const kit = webhookKit('twilio');
    const answer = postSigned('twilio', l.creds, info.inboundUrl, kit.inbound(message(), l.creds, info.inboundUrl));
    await vi.waitFor(() => expect(app.seen).toHaveLength(1));
    let ended = false;
    void l.done.then(() => (ended = true));
    await new Promise((r) => setImmediate(r));
    expect(ended).toBe(false);
    release({ status: 200, type: 'text/xml', body: TWIML });
    expect(await (await answer).text()).toBe(TWIML);
    expect(await l.done).toMatchObject({ reason: 'count', messages: 1 });
    expect(l.forwards).toHaveLength(1);
  });

  it('app down → 502, app slow → 504 (injected timer), too large → 502; the listener keeps going and logs every attempt', async () => {
    let fire: (() => void) | undefined;
    const deadApp = await startUserApp();
    const deadUrl = `${deadApp.url}/gone`;
    await deadApp.close();
    const log = openEventLog({ MMS_CONFIG_DIR: join(root, 'own-log') }, { max: 50 });
    const l = await startListen(
      'twilio',
      { forward: { inbound: deadUrl, status: `${app.url}/status` } },
      {
        eventLog: log,
        forwardTimer: (_ms, fn) => {
          fire = fn;
          return () => (fire = undefined);
        },
      },
    );
    const info = await l.ready;
    const kit = webhookKit('twilio');
    const down = await postSigned('twilio', l.creds, info.inboundUrl, kit.inbound(message(), l.creds, info.inboundUrl));
    expect(down.status).toBe(502);
    expect(l.forwards[0]!.attempt).toMatchObject({ answered: 502, error: { reason: 'unreachable' } });
    expect(l.forwards[0]!.attempt.error!.message).toMatch(/ECONNREFUSED/);

    app.handler = () => 'hang';
    const statusBody = kit.status(
      { id: `SM${'b'.repeat(32)}`, from: '+15557770001', to: '+15005550006', status: 'delivered', now: new Date() },
      l.creds,
      info.statusUrl,
    );
    const slow = postSigned('twilio', l.creds, info.statusUrl, statusBody);
    await vi.waitFor(() => expect(fire).toBeDefined());
    fire!();
    expect((await slow).status).toBe(504);
    expect(l.forwards[1]!.attempt).toMatchObject({ answered: 504, error: { reason: 'timeout' } });

    app.handler = () => ({ status: 200, type: 'text/plain', body: 'x'.repeat(1024 * 1024 + 1) });
    expect((await postSigned('twilio', l.creds, info.statusUrl, statusBody)).status).toBe(502);
    app.handler = () => ({ status: 204, body: '' });
    expect((await postSigned('twilio', l.creds, info.statusUrl, statusBody)).status).toBe(204);
    expect(l.forwards.map((f) => f.attempt.answered)).toEqual([502, 504, 502, 204]);
    expect(l.events.map((e) => e.type)).toEqual(['message', 'status', 'status', 'status']);

    const stored = await vi.waitFor(async () => {
      const all = await log.list();
      expect(all.map((e) => e.forwards.length)).toEqual([1, 1, 1, 1]);
      return all;
    });
    expect(stored[0]).toMatchObject({ provider: 'twilio', kind: 'inbound', verified: true, forwards: [{ answered: 502 }] });
    expect(stored[0]!.request.headers['x-twilio-signature']).toBeDefined();
    expect(stored.map((e) => e.id)).toEqual(l.forwards.map((f) => f.logId));
  });
});
