import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CliError, ConfigError } from '../../../../src/errors/errors.js';
import { isLoopbackUrl } from '../../../../src/webhook/loopback.js';
import { startWebhookServer, type WebhookServer } from '../../../../src/webhook/server.js';
import { cloudflaredArgs, createCloudflaredTunnel, findCloudflared, parseQuickTunnelUrl } from '../../../../src/webhook/tunnel/cloudflared.js';
import type { Tunnel } from '../../../../src/webhook/tunnel/types.js';

const FAKE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../helpers/fake-cloudflared');
let bin: string; // a temp dir holding `cloudflared` → the fake
let env: NodeJS.ProcessEnv;
let tunnel: Tunnel | undefined;
let srv: WebhookServer | undefined;

beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), 'mms-cf-'));
  await symlink(FAKE, join(bin, 'cloudflared'));
  // Only the fake and node itself on PATH: a real cloudflared can never be picked up.
  env = { PATH: `${bin}:${dirname(process.execPath)}`, MMS_TEST_OFFLINE: '1' };
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});
afterEach(async () => {
  await tunnel?.stop();
  await srv?.close();
  tunnel = undefined;
  srv = undefined;
});

describe('findCloudflared', () => {
  it('finds cloudflared on PATH', async () => {
    expect(await findCloudflared(env, 'linux')).toBe(join(bin, 'cloudflared'));
  });

  it('returns undefined when it is not on PATH', async () => {
    expect(await findCloudflared({ PATH: dirname(process.execPath) }, 'linux')).toBeUndefined();
    expect(await findCloudflared({}, 'linux')).toBeUndefined();
  });

  it('skips files that are not executable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mms-cf-noexec-'));
    await writeFile(join(dir, 'cloudflared'), '#!/bin/sh\n');
    await chmod(join(dir, 'cloudflared'), 0o644);
    expect(await findCloudflared({ PATH: dir }, 'linux')).toBeUndefined();
    await rm(dir, { recursive: true });
  });

  it('prefers CLOUDFLARED_BIN and refuses a bad value instead of falling back', async () => {
    expect(await findCloudflared({ CLOUDFLARED_BIN: FAKE, PATH: '' }, 'linux')).toBe(FAKE);
    await expect(findCloudflared({ CLOUDFLARED_BIN: join(bin, 'nope'), PATH: env.PATH }, 'linux')).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('pure helpers', () => {
  it('builds a loopback-only command line', () => {
    expect(cloudflaredArgs(8080, 9090)).toEqual(['tunnel', '--no-autoupdate', '--url', 'http://127.0.0.1:8080', '--metrics', '127.0.0.1:9090']);
  });

  it('parses the quick tunnel URL from the log banner', () => {
    const log = 'INF |  https://seasonal-deck-organisms-sf.trycloudflare.com  |\n';
    expect(parseQuickTunnelUrl(log)).toBe('https://seasonal-deck-organisms-sf.trycloudflare.com');
    expect(parseQuickTunnelUrl('INF Requesting new quick Tunnel on trycloudflare.com...')).toBeUndefined();
  });
});

describe('createCloudflaredTunnel with the fake binary', () => {
  it('discovers the URL from the metrics server and forwards requests end to end', async () => {
    const argsFile = join(bin, 'args.json');
    srv = await startWebhookServer();
    let got = '';
    const path = srv.addWebhookRoute('twilio', (req) => {
      got = req.rawBody.toString();
      return { status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response/>' };
    });
    tunnel = createCloudflaredTunnel({ env: { ...env, FAKE_CF_ARGS_FILE: argsFile }, pollIntervalMs: 50 });
    const { publicUrl, warnings } = await tunnel.start(srv.port);
    expect(warnings).toEqual([]);
    expect(publicUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const args = JSON.parse(await readFile(argsFile, 'utf8')) as string[];
    expect(args.slice(0, 4)).toEqual(['tunnel', '--no-autoupdate', '--url', `http://127.0.0.1:${srv.port}`]);
    expect(args[5]).toMatch(/^127\.0\.0\.1:\d+$/);
    // The fake edge speaks plain http on loopback; a real one is https on trycloudflare.com.
    const edgeUrl = publicUrl.replace(/^https:/, 'http:');
    expect(isLoopbackUrl(edgeUrl)).toBe(true);
    const res = await fetch(`${edgeUrl}${path}`, { method: 'POST', body: 'Body=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<Response/>');
    expect(got).toBe('Body=hi');
  });

  it('stops the child on stop() without reporting a loss, and stop() is idempotent', async () => {
    let lost = 0;
    tunnel = createCloudflaredTunnel({ env, pollIntervalMs: 50 });
    tunnel.onClose(() => lost++);
    const { publicUrl } = await tunnel.start(1);
    await tunnel.stop();
    await tunnel.stop();
    await expect(fetch(`${publicUrl.replace(/^https:/, 'http:')}/`)).rejects.toThrow();
    // A loss would have been reported before stop() resolved (its exit handler runs first): no wait needed.
    expect(lost).toBe(0);
  });

  it('reports the loss of the tunnel when cloudflared exits on its own', async () => {
    tunnel = createCloudflaredTunnel({ env: { ...env, FAKE_CF_MODE: 'exit-after-ready' }, pollIntervalMs: 50 });
    const lost = new Promise<Error>((resolve) => tunnel!.onClose(resolve));
    await tunnel.start(1);
    expect((await lost).message).toMatch(/cloudflared exited \(code 7\)/);
  });

  it('maps a Cloudflare rate limit to RATE_LIMITED', async () => {
    tunnel = createCloudflaredTunnel({ env: { ...env, FAKE_CF_MODE: 'ratelimit' }, pollIntervalMs: 50 });
    await expect(tunnel.start(1)).rejects.toMatchObject({ code: 'RATE_LIMITED', exitCode: 7 });
  });

  it('times out when the tunnel never becomes ready, and kills the child', async () => {
    // An injected clock: each poll's wait moves it on by the interval, so the 10 s deadline passes at once.
    let clock = 0;
    const setTimer = (ms: number, fn: () => void): (() => void) => {
      clock += ms;
      const t = setImmediate(fn);
      return () => clearImmediate(t);
    };
    tunnel = createCloudflaredTunnel({ env: { ...env, FAKE_CF_MODE: 'never-ready' }, pollIntervalMs: 50, timeoutMs: 10_000, now: () => clock, setTimer });
    const err = await tunnel.start(1).catch((e: unknown) => e);
    expect(clock).toBeGreaterThanOrEqual(10_000);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ code: 'TIMEOUT' });
  });

  it('falls back to the URL in the log when /quicktunnel has no hostname', async () => {
    tunnel = createCloudflaredTunnel({ env: { ...env, FAKE_CF_MODE: 'no-quicktunnel' }, pollIntervalMs: 50 });
    // Only parsed, never contacted.
    expect((await tunnel.start(1)).publicUrl).toBe('https://fake-words-here.trycloudflare.com');
  });

  it('escalates to SIGKILL when cloudflared ignores SIGTERM', async () => {
    // The grace period is a timer the test fires: stop() must still be waiting when it does.
    const graces: Array<() => void> = [];
    const setTimer = (ms: number, fn: () => void): (() => void) => {
      if (ms === 300) graces.push(fn);
      else setImmediate(fn);
      return () => undefined;
    };
    tunnel = createCloudflaredTunnel({ env: { ...env, FAKE_CF_MODE: 'ignore-sigterm' }, pollIntervalMs: 50, killTimeoutMs: 300, setTimer });
    await tunnel.start(1);
    let stopped = false;
    const stopping = tunnel.stop().then(() => (stopped = true));
    await vi.waitFor(() => expect(graces).toHaveLength(1));
    expect(stopped).toBe(false);
    graces[0]!();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('is a ConfigError with an install hint when cloudflared is missing', async () => {
    tunnel = createCloudflaredTunnel({ env: { PATH: dirname(process.execPath) } });
    await expect(tunnel.start(1)).rejects.toMatchObject({ code: 'CONFIG_INVALID', suggestion: expect.stringMatching(/Install cloudflared.*CLOUDFLARED_BIN/) });
    tunnel = createCloudflaredTunnel({ env, bin: join(bin, 'does-not-exist') });
    await expect(tunnel.start(1)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('ENOENT') });
  });
});
