// The default way a lost tunnel is opened again: the backend the flags chose, created and started
// anew on the listener's port (here localtunnel against the loopback protocol server), and the
// backoff loop around it: an attempt per delay, the run's stop ends it, a tunnel opened while
// stopping is closed again.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTunnelAgain, reopenWithBackoff } from '../../../src/services/listen/reconnect.js';
import type { ReopenedTunnel } from '../../../src/services/listen/types.js';
import { startWebhookServer } from '../../../src/webhook/server.js';
import { startLtTestServer } from '../../helpers/lt-server.js';
import { manualTimers } from './tunnel-fakes.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('openTunnelAgain', () => {
  it('starts the backend named by the flags again, on the same local port, and the new URL reaches the server', async () => {
    const lt = await startLtTestServer();
    cleanups.push(() => lt.close());
    const srv = await startWebhookServer({ port: 0 });
    cleanups.push(() => srv.close());
    const opened = await openTunnelAgain(
      { port: 0, skipVerify: false, tunnel: 'localtunnel', tunnelHost: lt.url },
      { MMS_TEST_OFFLINE: '1' },
      srv.port,
      new AbortController().signal,
    );
    cleanups.push(() => opened.tunnel.stop());
    expect(opened.tunnel.name).toBe('localtunnel');
    expect(opened.publicUrl).toBe(lt.clients[0]!.publicUrl);
    expect(opened.warnings.join(' ')).toMatch(/NOT encrypted/);
    // Anything but a webhook route is a 404 from our own server: proof the tunnel leads to it.
    expect((await fetch(`${opened.publicUrl}/nothing-here`)).status).toBe(404);
  });

  it('a stop while it starts stops the half-open tunnel', async () => {
    // A localtunnel server that never answers: start() hangs until the run stops.
    let asked = false;
    const hang = createServer(() => (asked = true));
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((r) => (hang.closeAllConnections(), hang.close(r))));
    const ac = new AbortController();
    const host = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    const opening = openTunnelAgain({ port: 0, skipVerify: false, tunnel: 'localtunnel', tunnelHost: host }, { MMS_TEST_OFFLINE: '1' }, 1, ac.signal);
    await vi.waitFor(() => expect(asked).toBe(true));
    ac.abort();
    await expect(opening).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('reopenWithBackoff', () => {
  const fakeOpened = (stop = vi.fn(() => Promise.resolve())): ReopenedTunnel => ({
    tunnel: { name: 'ngrok', start: vi.fn(), stop, onClose: () => () => true },
    publicUrl: 'https://x.example',
    warnings: [],
  });

  it('one attempt after each delay until one works', async () => {
    const timers = manualTimers();
    const open = vi.fn().mockRejectedValueOnce(new Error('a')).mockRejectedValueOnce(new Error('b')).mockResolvedValueOnce(fakeOpened());
    const result = reopenWithBackoff({ open, setTimer: timers.setTimer, delaysMs: [10, 20, 30, 40], now: () => 0, signal: new AbortController().signal });
    expect([await timers.fireNext(), await timers.fireNext(), await timers.fireNext()]).toEqual([10, 20, 30]);
    await expect(result).resolves.toMatchObject({ attempts: 3, opened: { publicUrl: 'https://x.example' } });
    expect(timers.pending).toEqual([]);
  });

  it('the last error when the delays run out', async () => {
    const timers = manualTimers();
    const open = vi.fn().mockRejectedValue(new Error('still down'));
    const result = reopenWithBackoff({ open, setTimer: timers.setTimer, delaysMs: [1, 1], now: () => 0, signal: new AbortController().signal });
    await timers.fireNext();
    await timers.fireNext();
    await expect(result).resolves.toMatchObject({ attempts: 2, stopped: false, error: { message: 'still down' } });
  });

  it('a stop during an attempt closes the tunnel it opened', async () => {
    const ac = new AbortController();
    const stop = vi.fn(() => Promise.resolve());
    const timers = manualTimers();
    const open = vi.fn(() => {
      ac.abort();
      return Promise.resolve(fakeOpened(stop));
    });
    const result = reopenWithBackoff({ open, setTimer: timers.setTimer, delaysMs: [1], now: () => 0, signal: ac.signal });
    await timers.fireNext();
    await expect(result).resolves.toMatchObject({ attempts: 1, stopped: true });
    expect(stop).toHaveBeenCalledOnce();
  });
});
