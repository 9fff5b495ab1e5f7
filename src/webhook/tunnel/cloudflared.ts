// Cloudflare Quick Tunnels by spawning a user-installed `cloudflared` (PATH or CLOUDFLARED_BIN).
// We do not depend on the `cloudflared`/`untun` npm packages: both download the binary from
// GitHub (reference tunnels.md §1.3). The URL comes from cloudflared's metrics server
// (`/ready`, then `/quicktunnel` → {"hostname": "…trycloudflare.com"}), not from scraping logs;
// the log banner is only a fallback. Quick tunnels are "testing and development only", no SLA.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { CliError, ConfigError, ErrorCode } from '../../errors/errors.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { CloseListeners, DEFAULT_TUNNEL_TIMEOUT_MS, type Tunnel, type TunnelCommonOptions } from './types.js';
import { killWithProcess } from './orphans.js';

/** Options of {@link createCloudflaredTunnel}. */
export interface CloudflaredTunnelOptions extends TunnelCommonOptions {
  /** Path of the binary (a `--cloudflared-path` flag); default CLOUDFLARED_BIN, then PATH. */
  bin?: string;
  /** Metrics polling interval (default 200 ms). */
  pollIntervalMs?: number;
  /** Grace period between SIGTERM and SIGKILL on stop() (default 5 s). */
  killTimeoutMs?: number;
  /** The clock of the start() deadline (default Date.now). */
  now?: () => number;
  /** Waits `ms` (the metrics poll, the SIGKILL grace period); returns a cancel function (default setTimeout). */
  setTimer?: (ms: number, fn: () => void) => () => void;
}

const realTimer = (ms: number, fn: () => void): (() => void) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

const INSTALL_HINT =
  'Install cloudflared (https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/) or set CLOUDFLARED_BIN; alternatives: NGROK_AUTHTOKEN with --tunnel ngrok, or --public-url <url>';

const LOG_TAIL_BYTES = 4000;

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return false;
    await access(path, process.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the cloudflared binary: CLOUDFLARED_BIN when set (a bad value is an error, not a silent
 * fallback to PATH), else the first executable `cloudflared` on PATH. Undefined when not found.
 */
export async function findCloudflared(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  const explicit = env.CLOUDFLARED_BIN;
  if (explicit) {
    if (await isExecutableFile(explicit)) return explicit;
    throw new ConfigError(ErrorCode.CONFIG_INVALID, `CLOUDFLARED_BIN is not an executable file: ${explicit}`, { suggestion: INSTALL_HINT });
  }
  const names =
    platform === 'win32'
      ? (env.PATHEXT ?? '.EXE;.CMD;.BAT')
          .split(';')
          .filter(Boolean)
          .map((ext) => `cloudflared${ext.toLowerCase()}`)
      : ['cloudflared'];
  const pathVar = env.PATH ?? env.Path ?? '';
  for (const dir of pathVar.split(platform === 'win32' ? ';' : delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The cloudflared command line for a quick tunnel to 127.0.0.1:localPort with metrics on loopback. */
export function cloudflaredArgs(localPort: number, metricsPort: number): string[] {
  return ['tunnel', '--no-autoupdate', '--url', `http://127.0.0.1:${localPort}`, '--metrics', `127.0.0.1:${metricsPort}`];
}

/** Finds a trycloudflare.com URL in cloudflared's log banner (fallback when /quicktunnel is empty). */
export function parseQuickTunnelUrl(log: string): string | undefined {
  return /https:\/\/[a-z0-9-]+\.trycloudflare\.com/.exec(log)?.[0];
}

/** Asks the OS for a free loopback port (closed again at once; cloudflared binds it next). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const HOSTNAME = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

async function readQuickTunnel(metricsPort: number): Promise<string | undefined> {
  const base = `http://127.0.0.1:${metricsPort}`;
  const ready = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(2000) });
  await ready.body?.cancel();
  if (!ready.ok) return undefined;
  const res = await fetch(`${base}/quicktunnel`, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) return '';
  const data = (await res.json()) as { hostname?: unknown };
  return typeof data.hostname === 'string' && HOSTNAME.test(data.hostname) ? data.hostname : '';
}

function startupError(code: number | null, signal: NodeJS.Signals | null, log: string): CliError {
  const tail = log.trim().split('\n').slice(-5).join('\n');
  // Cloudflare answers 429 / error 1015 when too many quick tunnels are requested.
  if (/\b429\b|error code: 1015/.test(log)) {
    return new CliError(ErrorCode.RATE_LIMITED, ExitCode.UNAVAILABLE, 'Cloudflare refused a new quick tunnel (rate limited)', {
      suggestion: 'Wait a few minutes, or use --tunnel ngrok or --public-url <url>',
      details: { log: tail },
    });
  }
  return new CliError(
    ErrorCode.NETWORK_ERROR,
    ExitCode.UNAVAILABLE,
    `cloudflared exited before the tunnel was ready (${signal ?? `code ${String(code)}`})${tail ? `:\n${tail}` : ''}`,
    {
      suggestion: 'Run `cloudflared tunnel --url http://127.0.0.1:8080` yourself to see why, or use --tunnel ngrok or --public-url <url>',
    },
  );
}

/** Creates the cloudflared quick-tunnel backend. The binary is looked up at start(). */
export function createCloudflaredTunnel(opts: CloudflaredTunnelOptions = {}): Tunnel {
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TUNNEL_TIMEOUT_MS;
  const pollMs = opts.pollIntervalMs ?? 200;
  const killTimeoutMs = opts.killTimeoutMs ?? 5000;
  const now = opts.now ?? Date.now;
  const setTimer = opts.setTimer ?? realTimer;
  const listeners = new CloseListeners();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopping = false;

  return {
    name: 'cloudflared',
    async start(localPort) {
      const bin = opts.bin ?? (await findCloudflared(env));
      if (!bin) throw new ConfigError(ErrorCode.CONFIG_INVALID, 'cloudflared was not found on PATH', { suggestion: INSTALL_HINT });
      const metricsPort = await freeLoopbackPort();
      const proc = spawn(bin, cloudflaredArgs(localPort, metricsPort), { stdio: ['ignore', 'pipe', 'pipe'], env, windowsHide: true });
      child = proc;
      let log = '';
      const onLog = (d: Buffer): void => {
        log = (log + d.toString('utf8')).slice(-LOG_TAIL_BYTES);
      };
      proc.stdout?.on('data', onLog);
      proc.stderr?.on('data', onLog);
      let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      exited = new Promise((resolve) => {
        proc.once('exit', (code, signal) => {
          exitInfo = { code, signal };
          resolve();
        });
        proc.once('error', () => resolve());
      });
      // Never leave an orphaned cloudflared behind if the CLI exits without stop().
      killWithProcess(proc);

      const spawnFailed = new Promise<never>((_, reject) => {
        proc.once('error', (err: NodeJS.ErrnoException) => {
          reject(
            err.code === 'ENOENT' || err.code === 'EACCES'
              ? new ConfigError(ErrorCode.CONFIG_INVALID, `Cannot run cloudflared at ${bin} (${err.code})`, { suggestion: INSTALL_HINT, cause: err })
              : err,
          );
        });
      });
      const exitedEarly = exited.then(() => {
        throw stopping
          ? new CliError(ErrorCode.CANCELLED, ExitCode.INTERRUPTED, 'The tunnel was stopped while starting')
          : startupError(exitInfo?.code ?? null, exitInfo?.signal ?? null, log);
      });
      let gaveUp = false;
      const poll = (async (): Promise<string> => {
        const deadline = now() + timeoutMs;
        while (!gaveUp && now() < deadline) {
          const hostname = await readQuickTunnel(metricsPort).catch(() => undefined);
          if (hostname) return `https://${hostname}`;
          if (hostname === '') {
            const fromLog = parseQuickTunnelUrl(log);
            if (fromLog) return fromLog;
          }
          await new Promise<void>((r) => setTimer(pollMs, r));
        }
        throw new CliError(
          ErrorCode.TIMEOUT,
          ExitCode.UNAVAILABLE,
          `cloudflared did not report a ready quick tunnel within ${Math.round(timeoutMs / 1000)} s`,
          {
            suggestion: 'Check your connection, or use --tunnel ngrok or --public-url <url>',
          },
        );
      })();
      try {
        const publicUrl = await Promise.race([poll, exitedEarly, spawnFailed]);
        exitedEarly.catch(() => undefined);
        void exited.then(() => {
          if (!stopping) listeners.fire(new Error(`cloudflared exited (${exitInfo?.signal ?? `code ${String(exitInfo?.code)}`}); the tunnel is down`));
        });
        return { publicUrl, warnings: [] };
      } catch (err) {
        gaveUp = true;
        exitedEarly.catch(() => undefined);
        poll.catch(() => undefined);
        proc.kill('SIGKILL');
        await exited;
        throw err;
      }
    },
    async stop() {
      stopping = true;
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const cancel = setTimer(killTimeoutMs, () => proc.kill('SIGKILL'));
      await exited;
      cancel();
    },
    onClose: (cb) => listeners.add(cb),
  };
}
