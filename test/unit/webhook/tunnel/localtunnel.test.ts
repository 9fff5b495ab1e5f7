// End to end over loopback only: our localtunnel client ↔ the in-repo protocol server
// (test/helpers/lt-server.ts) ↔ the real webhook server. MMS_TEST_OFFLINE=1 is passed to every
// tunnel so a non-loopback host is refused before any connection.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CliError, UsageError } from '../../../../src/errors/errors.js';
import { isLoopbackUrl } from '../../../../src/webhook/loopback.js';
import { startWebhookServer, type WebhookServer } from '../../../../src/webhook/server.js';
import { createLocalTunnel, parseLocalTunnelInfo, type LocalTunnelOptions } from '../../../../src/webhook/tunnel/localtunnel.js';
import type { Tunnel } from '../../../../src/webhook/tunnel/types.js';
import { startLtTestServer, type LtTestServer } from '../../../helpers/lt-server.js';

const OFFLINE = { MMS_TEST_OFFLINE: '1' };
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  opts: Partial<LocalTunnelOptions> = {},
): Promise<{ srv: WebhookServer; lt: LtTestServer; tunnel: Tunnel; publicUrl: string; warnings: string[] }> {
  const srv = await startWebhookServer();
  cleanups.push(() => srv.close());
  const lt = await startLtTestServer();
  cleanups.push(() => lt.close());
  expect(isLoopbackUrl(lt.url)).toBe(true);
  const tunnel = createLocalTunnel({ host: lt.url, env: OFFLINE, reconnectDelayMs: 50, ...opts });
  cleanups.push(() => tunnel.stop());
  const { publicUrl, warnings } = await tunnel.start(srv.port);
  expect(isLoopbackUrl(publicUrl)).toBe(true);
  return { srv, lt, tunnel, publicUrl, warnings };
}

function listenLoopback(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const s = createServer(handler);
  cleanups.push(
    () =>
      new Promise((r) => {
        s.closeAllConnections();
        s.close(r);
      }),
  );
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

describe('localtunnel client against the loopback protocol server', () => {
  it('relays a webhook POST byte for byte and returns the response', async () => {
    const { srv, publicUrl, warnings } = await setup();
    let got: Buffer | undefined;
    let url = '';
    const path = srv.addWebhookRoute('twilio', (req) => {
      got = req.rawBody;
      url = req.url;
      return { status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response></Response>' };
    });
    const form = new URLSearchParams({ From: '+15551234567', Body: 'héllo 👋 \u001b[31m', NumMedia: '0' }).toString();
    const res = await fetch(`${publicUrl}${path}?x=1`, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TwilioProxy/1.1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(await res.text()).toBe('<Response></Response>');
    expect(got?.toString()).toBe(form);
    expect(url).toBe(`${path}?x=1`);
    expect(warnings.join('\n')).toMatch(/NOT encrypted/);
  });

  it('keeps a small binary body sent in one write intact (no Host rewriting)', async () => {
    const { srv, publicUrl } = await setup();
    let got: Buffer | undefined;
    const path = srv.addWebhookRoute('bin', (req) => ((got = req.rawBody), { status: 204 }));
    const body = randomBytes(300);
    const u = new URL(publicUrl);
    const head = Buffer.from(`POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    await new Promise<void>((resolve, reject) => {
      const s = connect(Number(u.port), u.hostname, () => s.write(Buffer.concat([head, body])));
      s.on('data', () => undefined);
      s.on('close', () => resolve());
      s.on('error', reject);
    });
    expect(got && Buffer.compare(got, body)).toBe(0);
  });

  it('serves media through the tunnel: exact bytes, HEAD, 20 concurrent GETs, fetch counts', async () => {
    const { srv, publicUrl } = await setup();
    const dir = await mkdtemp(join(tmpdir(), 'mms-lt-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const bytes = randomBytes(1024 * 1024);
    const sha = createHash('sha256').update(bytes).digest('hex');
    await writeFile(join(dir, 'photo.jpg'), bytes);
    const m = srv.addMediaFile({ path: join(dir, 'photo.jpg'), contentType: 'image/jpeg', size: bytes.length });
    const head = await fetch(`${publicUrl}${m.routePath}`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type'), head.headers.get('content-length')]).toEqual([200, 'image/jpeg', String(bytes.length)]);
    const all = await Promise.all(Array.from({ length: 20 }, () => fetch(`${publicUrl}${m.routePath}`).then(async (r) => Buffer.from(await r.arrayBuffer()))));
    expect(all.every((b) => createHash('sha256').update(b).digest('hex') === sha)).toBe(true);
    await expect.poll(() => srv.fetchCount(m.token)).toBe(20);
  });

  it('answers 404 through the tunnel for unknown and traversal paths', async () => {
    const { srv, publicUrl } = await setup();
    srv.addWebhookRoute('twilio', () => ({ status: 200 }));
    for (const p of ['/', `/${srv.prefix}/hooks/nope`, '/etc/passwd']) {
      expect((await fetch(`${publicUrl}${p}`, { method: 'POST', body: 'x' })).status).toBe(404);
    }
  });

  it('survives the local server closing idle keep-alive connections', async () => {
    const local = await listenLoopback((req, res) => res.end(`ok ${req.url}`));
    local.keepAliveTimeout = 50;
    const lt = await startLtTestServer({ maxConn: 1 });
    cleanups.push(() => lt.close());
    const tunnel = createLocalTunnel({ host: lt.url, env: OFFLINE });
    cleanups.push(() => tunnel.stop());
    const { publicUrl } = await tunnel.start((local.address() as AddressInfo).port);
    expect(await (await fetch(`${publicUrl}/a`)).text()).toBe('ok /a');
    await new Promise((r) => setTimeout(r, 200));
    expect(await (await fetch(`${publicUrl}/b`)).text()).toBe('ok /b');
    expect(await (await fetch(`${publicUrl}/c`)).text()).toBe('ok /c');
  });

  it('answers 502 rather than hanging when the local server is down', async () => {
    const { srv, publicUrl } = await setup({ maxConnections: 1 });
    await srv.close();
    const res = await fetch(`${publicUrl}/x`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(502);
  });

  it('reports the loss of the tunnel when the server goes away, once', async () => {
    // Reconnect delays pass at once (the next turn of the loop), counted while pending.
    let pending = 0;
    const pendingReconnects = (): number => pending;
    const setTimer = (ms: number, fn: () => void): (() => void) => {
      // The start() deadline (30 s) never fires here.
      if (ms >= 30_000) return () => undefined;
      pending++;
      let done = false;
      const t = setImmediate(() => {
        done = true;
        pending--;
        fn();
      });
      return () => {
        if (!done) pending--;
        done = true;
        clearImmediate(t);
      };
    };
    const { lt, tunnel } = await setup({ setTimer });
    const reasons: Error[] = [];
    tunnel.onClose((e) => reasons.push(e));
    lt.dropTunnels();
    await expect.poll(() => reasons.length, { timeout: 5000 }).toBe(1);
    expect(reasons[0]?.message).toMatch(/Lost the connection to the localtunnel server/);
    // Lost for good: every socket closed and no reconnect pending, so nothing can report it again.
    await expect.poll(() => lt.clients[0]?.connectedSockets()).toBe(0);
    expect(pendingReconnects()).toBe(0);
    expect(reasons).toHaveLength(1);
  });

  it('closes its sockets on stop() without reporting a loss', async () => {
    const { lt, tunnel } = await setup();
    let lost = 0;
    tunnel.onClose(() => lost++);
    await expect.poll(() => lt.clients[0]?.connectedSockets()).toBe(4);
    await tunnel.stop();
    await tunnel.stop();
    await expect.poll(() => lt.clients[0]?.connectedSockets()).toBe(0);
    // The sockets' close handlers ran (the server saw them go) and saw stop(): nothing is reported later.
    expect(lost).toBe(0);
  });

  it('opens at most maxConnections sockets and can request a subdomain', async () => {
    const lt = await startLtTestServer({ maxConn: 8 });
    cleanups.push(() => lt.close());
    const tunnel = createLocalTunnel({ host: lt.url, env: OFFLINE, maxConnections: 2, subdomain: 'my-sub' });
    cleanups.push(() => tunnel.stop());
    await tunnel.start(1);
    expect(lt.clients[0]?.id).toBe('my-sub');
    await expect.poll(() => lt.clients[0]?.connectedSockets()).toBe(2);
  });
});

describe('localtunnel failures and guards', () => {
  it('requires --tunnel-host', () => {
    expect(() => createLocalTunnel({ host: '', env: OFFLINE })).toThrow(UsageError);
    expect(() => createLocalTunnel({ host: '', env: OFFLINE })).toThrow(/--tunnel-host/);
  });

  it.each(['https://localtunnel.me', 'http://10.0.0.1:80', 'http://localhost:1234', 'http://127.0.0.1.nip.io'])(
    'refuses the non-loopback host %s in offline mode before any connection',
    (host) => {
      expect(() => createLocalTunnel({ host, env: OFFLINE })).toThrow(/Refusing non-loopback/);
    },
  );

  it.each(['not a url', 'ftp://127.0.0.1/', 'http://u:p@127.0.0.1/', 'http://127.0.0.1/?q=1'])('refuses the bad host %s', (host) => {
    expect(() => createLocalTunnel({ host, env: OFFLINE })).toThrow(UsageError);
  });

  it('refuses a non-loopback tunnel address handed out by the server in offline mode', async () => {
    const control = await listenLoopback((_req, res) =>
      res.end(JSON.stringify({ id: 'x', url: 'http://127.0.0.1:1', port: 9, ip: '10.1.2.3', max_conn_count: 1 })),
    );
    const tunnel = createLocalTunnel({ host: `http://127.0.0.1:${(control.address() as AddressInfo).port}`, env: OFFLINE });
    // The guard runs before any socket to 10.1.2.3 is opened.
    await expect(tunnel.start(1)).rejects.toThrow(/non-loopback tunnel address/);
  });

  it('fails fast when the control server is unreachable', async () => {
    const s = await listenLoopback(() => undefined);
    const port = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    const tunnel = createLocalTunnel({ host: `http://127.0.0.1:${port}`, env: OFFLINE });
    await expect(tunnel.start(1)).rejects.toMatchObject({ code: 'NETWORK_ERROR', exitCode: 7 });
  });

  it('times out when the control server never answers', async () => {
    const s = await listenLoopback(() => undefined);
    // The deadline is a timer the test fires once the request is out: no real-time wait.
    const deadlines: Array<{ ms: number; fn: () => void }> = [];
    let asked = false;
    s.on('request', () => (asked = true));
    const setTimer = (ms: number, fn: () => void): (() => void) => {
      deadlines.push({ ms, fn });
      return () => undefined;
    };
    const tunnel = createLocalTunnel({ host: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, env: OFFLINE, timeoutMs: 30_000, setTimer });
    const started = tunnel.start(1);
    await vi.waitFor(() => expect(asked).toBe(true));
    expect(deadlines.map((d) => d.ms)).toEqual([30_000]);
    deadlines[0]!.fn();
    await expect(started).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('within 30 s') });
  });

  it('reports a refusal from the server with its message', async () => {
    const s = await listenLoopback((_req, res) => {
      res.statusCode = 403;
      res.end(JSON.stringify({ message: 'Subdomain taken' }));
    });
    const tunnel = createLocalTunnel({ host: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, env: OFFLINE });
    await expect(tunnel.start(1)).rejects.toThrow(/refused the tunnel: Subdomain taken/);
  });

  it('fails when the tunnel port refuses connections', async () => {
    const s = await listenLoopback((_req, res) => res.end(JSON.stringify({ id: 'x', url: 'http://127.0.0.1:1', port: 1, max_conn_count: 2 })));
    const tunnel = createLocalTunnel({
      host: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
      env: OFFLINE,
      reconnectDelayMs: 10,
      maxReconnectFailures: 2,
    });
    const err = await tunnel.start(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('stop() during start() cancels it', async () => {
    const s = await listenLoopback(() => undefined);
    const tunnel = createLocalTunnel({ host: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, env: OFFLINE });
    const p = tunnel.start(1);
    await new Promise((r) => setTimeout(r, 50));
    await tunnel.stop();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('parseLocalTunnelInfo', () => {
  it('accepts the documented shape', () => {
    expect(parseLocalTunnelInfo({ id: 'abc', url: 'https://abc.loca.lt/', port: 40000, max_conn_count: 10, ip: '1.2.3.4' })).toEqual({
      id: 'abc',
      url: 'https://abc.loca.lt',
      port: 40000,
      maxConnCount: 10,
      ip: '1.2.3.4',
    });
    expect(parseLocalTunnelInfo({ url: 'https://x.example', port: 1 })).toMatchObject({ maxConnCount: 1 });
  });

  it.each([
    [undefined],
    [{}],
    [{ url: 'javascript:alert(1)', port: 1 }],
    [{ url: 'https://x', port: 0 }],
    [{ url: 'https://x', port: 70000 }],
    [{ url: 'https://x', port: '80' }],
    [{ url: 'https://x', port: 80, max_conn_count: 0 }],
    [{ url: 'https://x', port: 80, max_conn_count: 1.5 }],
  ])('rejects %j', (body) => {
    expect(() => parseLocalTunnelInfo(body)).toThrow(CliError);
  });
});
