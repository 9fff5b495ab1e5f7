// The HTTP client's promises about its own failures: whether a request may have reached the
// provider (which decides whether resending can duplicate a message), a deadline that holds even
// when undici does not (its proxy agent reconnects forever to a proxy that closes CONNECT and
// ignores the abort signal), and the provider's clock read from the Date header. Loopback only.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHttp, createHttpClient, setHardGraceForTests, skewFromDateHeader } from '../../../src/providers/http-client.js';
import { classifySendError } from '../../../src/core/retry.js';
import { ErrorCode, ProviderError } from '../../../src/errors/errors.js';

const servers: Array<Server | TcpServer> = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  await closeHttp();
  setHardGraceForTests(undefined);
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen<S extends Server | TcpServer>(server: S): Promise<number> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** A port nobody listens on: a server's, after it closed. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** A proxy that answers every CONNECT with `status`, or closes the connection when `status` is 'close'. */
async function fakeProxy(status: number | 'close'): Promise<{ url: string; connections: () => number }> {
  let n = 0;
  const server = createTcpServer((socket) => {
    n++;
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (status === 'close') socket.destroy();
      else socket.end(`HTTP/1.1 ${status} Forbidden\r\nContent-Length: 0\r\n\r\n`);
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, connections: () => n };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const requestSent = (err: ProviderError): unknown => (err.details as { requestSent?: unknown } | undefined)?.requestSent;

describe('was the request sent?', () => {
  it('a reset after the server read the request: maybe (ambiguous, never resent blindly)', async () => {
    const port = await listen(
      createHttpServer((req) => {
        req.resume();
        req.on('end', () => req.socket.destroy());
      }),
    );
    const err = await failure(createHttpClient({ provider: 'twilio', env: {} }).request({ method: 'POST', url: `http://127.0.0.1:${port}/m`, body: 'To=1' }));
    expect(err.code).toBe(ErrorCode.NETWORK_ERROR);
    expect(requestSent(err)).toBe('maybe');
    expect(classifySendError(err).kind).toBe('ambiguous');
  });

  it('connection refused: no (safe to retry)', async () => {
    const port = await closedPort();
    const err = await failure(createHttpClient({ provider: 'twilio', env: {} }).request({ method: 'POST', url: `http://127.0.0.1:${port}/m`, body: 'x' }));
    expect(requestSent(err)).toBe('no');
    expect(classifySendError(err).kind).toBe('retry');
  });

  it('a timeout after the request was written: maybe', async () => {
    const port = await listen(createHttpServer(() => undefined));
    const err = await failure(
      createHttpClient({ provider: 'twilio', env: {} }).request({ method: 'POST', url: `http://127.0.0.1:${port}/m`, body: 'x', timeoutMs: 100 }),
    );
    expect(err.code).toBe(ErrorCode.TIMEOUT);
    expect(requestSent(err)).toBe('maybe');
  });
});

describe('through a proxy', () => {
  it('a proxy answering 403 to CONNECT: not sent, failed at once (not unknown, not retried)', async () => {
    const proxy = await fakeProxy(403);
    const target = await closedPort();
    const err = await failure(
      createHttpClient({ provider: 'twilio', env: { HTTPS_PROXY: proxy.url } }).request({ method: 'POST', url: `https://127.0.0.1:${target}/m`, body: 'x' }),
    );
    expect(err.code).toBe(ErrorCode.NETWORK_ERROR);
    expect(err.message).toBe(`Network error: the proxy refused to connect to 127.0.0.1:${target} (HTTP 403)`);
    expect(err.details).toMatchObject({ requestSent: 'no', proxyStatus: 403 });
    expect(classifySendError(err).kind).toBe('fail');
  });

  it('a proxy that closes every CONNECT: the deadline holds although undici ignores its abort signal', async () => {
    setHardGraceForTests(50);
    const proxy = await fakeProxy('close');
    const target = await closedPort();
    const err = await failure(
      createHttpClient({ provider: 'twilio', env: { HTTPS_PROXY: proxy.url } }).request({
        method: 'POST',
        url: `https://127.0.0.1:${target}/m`,
        body: 'x',
        timeoutMs: 100,
      }),
    );
    expect(err.code).toBe(ErrorCode.TIMEOUT);
    // It never got a connection, so nothing can have been sent: retrying cannot duplicate.
    expect(requestSent(err)).toBe('no');
    // The looping dispatcher was destroyed: no new connections once the request has failed.
    const after = proxy.connections();
    await new Promise((r) => setImmediate(r));
    await closeHttp();
    expect(proxy.connections() - after).toBeLessThanOrEqual(1);
  });

  it('Ctrl+C works against that proxy too: cancelled, not sent', async () => {
    setHardGraceForTests(50);
    const proxy = await fakeProxy('close');
    const target = await closedPort();
    const ctl = new AbortController();
    const p = createHttpClient({ provider: 'twilio', env: { HTTPS_PROXY: proxy.url } }).request({
      method: 'POST',
      url: `https://127.0.0.1:${target}/m`,
      body: 'x',
      signal: ctl.signal,
    });
    await expect.poll(() => proxy.connections()).toBeGreaterThan(3);
    ctl.abort();
    const err = await failure(p);
    expect(err.code).toBe(ErrorCode.CANCELLED);
    expect(requestSent(err)).toBe('no');
  });
});

describe("the provider's clock", () => {
  it('is read from the Date header of each answer', async () => {
    const port = await listen(
      createHttpServer((_req, res) => {
        // The provider's clock is 5 minutes behind ours.
        res.writeHead(200, { Date: new Date(Date.now() - 300_000).toUTCString() });
        res.end('{}');
      }),
    );
    const client = createHttpClient({ provider: 'twilio', env: {} });
    expect(client.clockSkewMs?.()).toBeUndefined();
    await client.request({ method: 'GET', url: `http://127.0.0.1:${port}/` });
    const skew = client.clockSkewMs?.() ?? 0;
    // 1 s resolution, plus the time the answer took.
    expect(skew).toBeGreaterThan(-302_000);
    expect(skew).toBeLessThan(-298_000);
  });

  it('skewFromDateHeader ignores a missing or unreadable header', () => {
    expect(skewFromDateHeader(undefined, 0)).toBeUndefined();
    expect(skewFromDateHeader('yesterday-ish', 0)).toBeUndefined();
    expect(skewFromDateHeader('Thu, 01 Jan 1970 00:00:10 GMT', 10_000)).toBe(500);
  });
});
