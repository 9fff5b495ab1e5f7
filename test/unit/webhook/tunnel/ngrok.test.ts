import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { AuthError, ConfigError } from '../../../../src/errors/errors.js';
import {
  createNgrokTunnel,
  loadNgrokModule,
  mapNgrokError,
  type NgrokForwardConfig,
  type NgrokListener,
  type NgrokModule,
} from '../../../../src/webhook/tunnel/ngrok.js';

// No ngrok traffic in tests: the SDK is replaced by a fake module (dependency injection).
function fakeNgrok(opts: { url?: string | null; fail?: unknown; hang?: boolean } = {}) {
  const calls: NgrokForwardConfig[] = [];
  const close = vi.fn(() => Promise.resolve());
  let resolveLate: ((l: NgrokListener) => void) | undefined;
  const listener: NgrokListener = { url: () => (opts.url === undefined ? 'https://abc.ngrok-free.app/' : opts.url), close };
  const mod: NgrokModule = {
    forward(config) {
      calls.push(config);
      if (opts.fail !== undefined) return Promise.reject(opts.fail);
      if (opts.hang) return new Promise((r) => (resolveLate = r));
      return Promise.resolve(listener);
    },
  };
  return { mod, calls, close, listener, resolveLate: () => resolveLate?.(listener) };
}

const ENV = { NGROK_AUTHTOKEN: 'tok_secret', MMS_TEST_OFFLINE: '1' };

describe('createNgrokTunnel', () => {
  it('needs an authtoken', () => {
    expect(() => createNgrokTunnel({ env: {} })).toThrow(AuthError);
    expect(() => createNgrokTunnel({ env: {} })).toThrow(/authtoken/);
  });

  it('forwards to 127.0.0.1:<port> with the token and returns the URL without a trailing slash', async () => {
    const f = fakeNgrok();
    const t = createNgrokTunnel({ env: ENV, load: () => Promise.resolve(f.mod) });
    expect(t.name).toBe('ngrok');
    await expect(t.start(4321)).resolves.toEqual({ publicUrl: 'https://abc.ngrok-free.app', warnings: [] });
    expect(f.calls[0]).toMatchObject({ addr: '127.0.0.1:4321', authtoken: 'tok_secret' });
    await t.stop();
    await t.stop();
    expect(f.close).toHaveBeenCalledTimes(1);
  });

  it('prefers an explicit authtoken over the environment', async () => {
    const f = fakeNgrok();
    const t = createNgrokTunnel({ env: ENV, authtoken: 'explicit', load: () => Promise.resolve(f.mod) });
    await t.start(1);
    expect(f.calls[0]?.authtoken).toBe('explicit');
  });

  it("reports the SDK's 'closed' status as a loss, once, but not after stop()", async () => {
    const f = fakeNgrok();
    const t = createNgrokTunnel({ env: ENV, load: () => Promise.resolve(f.mod) });
    const reasons: Error[] = [];
    t.onClose((e) => reasons.push(e));
    await t.start(1);
    f.calls[0]?.onStatusChange?.('connected');
    expect(reasons).toHaveLength(0);
    f.calls[0]?.onStatusChange?.('closed');
    f.calls[0]?.onStatusChange?.('closed');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]?.message).toMatch(/ngrok session was closed/);

    const g = fakeNgrok();
    const t2 = createNgrokTunnel({ env: ENV, load: () => Promise.resolve(g.mod) });
    let lost = 0;
    const off = t2.onClose(() => lost++);
    await t2.start(1);
    await t2.stop();
    g.calls[0]?.onStatusChange?.('closed');
    off();
    expect(lost).toBe(0);
  });

  it.each([
    ['ERR_NGROK_4018', 'AUTH_REJECTED', 4],
    ['ERR_NGROK_108', 'CONFIG_INVALID', 2],
    ['ERR_NGROK_9999', 'NETWORK_ERROR', 7],
    [undefined, 'NETWORK_ERROR', 7],
  ])('maps SDK error %s to %s (exit %i)', async (errorCode, code, exitCode) => {
    const err = Object.assign(new Error('failed to connect session'), errorCode ? { errorCode } : {});
    const f = fakeNgrok({ fail: err });
    const t = createNgrokTunnel({ env: ENV, load: () => Promise.resolve(f.mod) });
    await expect(t.start(1)).rejects.toMatchObject({ code, exitCode });
  });

  it('never puts the authtoken in an error message', () => {
    const e = mapNgrokError(Object.assign(new Error('bad'), { errorCode: 'ERR_NGROK_4018' }));
    expect(`${e.message} ${e.suggestion ?? ''}`).not.toContain('tok_secret');
  });

  it('times out, and closes a listener that arrives late', async () => {
    const f = fakeNgrok({ hang: true });
    const t = createNgrokTunnel({ env: ENV, timeoutMs: 100, load: () => Promise.resolve(f.mod) });
    await expect(t.start(1)).rejects.toMatchObject({ code: 'TIMEOUT' });
    f.resolveLate();
    await vi.waitFor(() => expect(f.close).toHaveBeenCalledTimes(1));
  });

  it('treats a listener without a URL as a failure and closes it', async () => {
    const f = fakeNgrok({ url: null });
    const t = createNgrokTunnel({ env: ENV, load: () => Promise.resolve(f.mod) });
    await expect(t.start(1)).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(f.close).toHaveBeenCalled();
  });

  it('passes a loader failure (ConfigError) through unchanged', async () => {
    const t = createNgrokTunnel({ env: ENV, load: () => Promise.reject(new ConfigError('CONFIG_INVALID', 'not installed', { suggestion: 'npm install' })) });
    await expect(t.start(1)).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('loadNgrokModule', () => {
  let installed = true;
  try {
    createRequire(import.meta.url).resolve('@ngrok/ngrok');
  } catch {
    installed = false;
  }

  it.skipIf(installed)('is a ConfigError with an install hint when @ngrok/ngrok is not installed', async () => {
    const err = await loadNgrokModule().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('@ngrok/ngrok') });
    expect((err as ConfigError).suggestion).toMatch(/npm install -g @ngrok\/ngrok/);
  });
});
