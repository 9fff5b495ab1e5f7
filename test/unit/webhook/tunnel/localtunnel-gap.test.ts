// localtunnel heals dropped sockets by itself; while none of its sockets is connected, requests to
// the public URL are lost. The tunnel reports that gap (onGap) once a socket is back, so the
// listener can catch up on it. A minimal localtunnel-protocol server whose sockets the test drops
// while its port keeps accepting (test/helpers/lt-server.ts closes the port as well); the clock is
// injected, so the gap's length is exact.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLocalTunnel } from '../../../../src/webhook/tunnel/localtunnel.js';
import type { TunnelGap } from '../../../../src/webhook/tunnel/types.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const listen = (srv: Server | HttpServer): Promise<number> =>
  new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as AddressInfo).port)));

/** A control server that hands out one tunnel port, and that port's sockets. */
async function startServer(maxConn: number): Promise<{ url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const agent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(agent);
  const control = createHttpServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: 'gaptest', url: `http://127.0.0.1:${port}`, port, max_conn_count: maxConn, ip: '127.0.0.1' }));
  });
  const controlPort = await listen(control);
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    control.closeAllConnections();
    await new Promise((r) => agent.close(r));
    await new Promise((r) => control.close(r));
  });
  return { url: `http://127.0.0.1:${controlPort}`, sockets };
}

describe('localtunnel: gaps it heals by itself', () => {
  it('reports a gap when every socket dropped and one came back, with the times of the injected clock', async () => {
    const server = await startServer(2);
    // Each reading of the clock is one second later than the one before: the gap is measured with it, not with Date.
    let clock = 1_000_000;
    const now = (): number => (clock += 1000);
    const tunnel = createLocalTunnel({ host: server.url, env: { MMS_TEST_OFFLINE: '1' }, reconnectDelayMs: 0, now });
    cleanups.push(() => tunnel.stop());
    const gaps: TunnelGap[] = [];
    const lost: Error[] = [];
    tunnel.onGap!((g) => gaps.push(g));
    tunnel.onClose((e) => lost.push(e));
    await tunnel.start(1);
    await vi.waitFor(() => expect(server.sockets.size).toBe(2));
    expect(gaps).toEqual([]);

    const droppedAt = clock;
    const dropped = [...server.sockets];
    for (const s of dropped) s.destroy();
    await vi.waitFor(() => expect(gaps).toHaveLength(1));
    const [gap] = gaps;
    expect(gap!.since.getTime()).toBeGreaterThan(droppedAt);
    expect(gap!.until.getTime()).toBeGreaterThan(gap!.since.getTime());
    await vi.waitFor(() => expect(server.sockets.size).toBe(2));
    expect(gaps).toHaveLength(1);
    expect(lost).toEqual([]);

    // A second drop is a second gap.
    for (const s of [...server.sockets]) s.destroy();
    await vi.waitFor(() => expect(gaps).toHaveLength(2));
    expect(gaps[1]!.since.getTime()).toBeGreaterThan(gap!.until.getTime());
  });

  it('no gap while at least one socket stays connected', async () => {
    const server = await startServer(2);
    const tunnel = createLocalTunnel({ host: server.url, env: { MMS_TEST_OFFLINE: '1' }, reconnectDelayMs: 0 });
    cleanups.push(() => tunnel.stop());
    const gaps: TunnelGap[] = [];
    tunnel.onGap!((g) => gaps.push(g));
    await tunnel.start(1);
    await vi.waitFor(() => expect(server.sockets.size).toBe(2));
    const [one] = [...server.sockets];
    const before = new Set(server.sockets);
    one!.destroy();
    // The replacement socket arrives; the other one never left.
    await vi.waitFor(() => expect([...server.sockets].some((s) => !before.has(s))).toBe(true));
    expect(gaps).toEqual([]);
  });

  it('stop() is no gap, and unsubscribing works', async () => {
    const server = await startServer(1);
    const tunnel = createLocalTunnel({ host: server.url, env: { MMS_TEST_OFFLINE: '1' }, reconnectDelayMs: 0 });
    const gaps: TunnelGap[] = [];
    const off = tunnel.onGap!((g) => gaps.push(g));
    await tunnel.start(1);
    await vi.waitFor(() => expect(server.sockets.size).toBe(1));
    off();
    await tunnel.stop();
    await vi.waitFor(() => expect(server.sockets.size).toBe(0));
    expect(gaps).toEqual([]);
  });
});
