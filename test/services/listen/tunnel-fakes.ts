// Stand-in tunnels for the reconnect tests: each is a real TCP forwarder on its own loopback port
// in front of the listener's server (so the sandbox reaches the listener only through it, and a
// dropped tunnel really refuses the provider's webhooks), with the Tunnel interface around it and
// a drop() that closes it the way a dying backend does. Plus a manual timer for backoff delays.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import type { Tunnel, TunnelGap } from '../../../src/webhook/tunnel/types.js';
import { CloseListeners } from '../../../src/webhook/tunnel/types.js';

/** A forwarding tunnel to 127.0.0.1:<targetPort>. */
export interface FakeTunnel {
  tunnel: Tunnel;
  publicUrl: string;
  /** Closes the forwarder and reports the loss (as cloudflared exiting would). */
  drop(message: string): Promise<void>;
  /** Reports a gap the backend healed by itself (as localtunnel does). */
  gap(g: TunnelGap): void;
  stopped(): boolean;
}

/** Starts a forwarder on a free loopback port. */
export async function startFakeTunnel(targetPort: number, name: Tunnel['name'] = 'cloudflared'): Promise<FakeTunnel> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [inbound, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(upstream).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closeListeners = new CloseListeners();
  const gaps = new Set<(g: TunnelGap) => void>();
  let stopped = false;
  const close = (): Promise<void> => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  };
  const tunnel: Tunnel = {
    name,
    start: () => Promise.resolve({ publicUrl, warnings: [] }),
    async stop() {
      stopped = true;
      await close();
    },
    onClose: (cb) => closeListeners.add(cb),
    onGap: (cb) => {
      gaps.add(cb);
      return () => gaps.delete(cb);
    },
  };
  return {
    tunnel,
    publicUrl,
    async drop(message) {
      await close();
      closeListeners.fire(new Error(message));
    },
    gap: (g) => {
      for (const cb of [...gaps]) cb(g);
    },
    stopped: () => stopped,
  };
}

/** Timers the test fires by hand: the backoff between attempts, the second catch-up pass. */
export function manualTimers(): {
  setTimer(ms: number, fn: () => void): () => void;
  pending: Array<{ ms: number; fn: () => void }>;
  fireNext(): Promise<number>;
} {
  const pending: Array<{ ms: number; fn: () => void }> = [];
  return {
    pending,
    setTimer(ms, fn) {
      const entry = { ms, fn };
      pending.push(entry);
      return () => {
        const i = pending.indexOf(entry);
        if (i >= 0) pending.splice(i, 1);
      };
    },
    /** Waits until a timer is pending, fires the oldest, and returns its delay. */
    async fireNext() {
      await vi.waitFor(() => {
        if (pending.length === 0) throw new Error('no timer is pending');
      });
      const entry = pending.shift()!;
      entry.fn();
      return entry.ms;
    },
  };
}
