// Our own client of the localtunnel protocol (localtunnel/localtunnel 2.0.2 is unmaintained and
// pins an old axios; reference tunnels.md §1.4, §5.1 option b). Only used when named explicitly
// (`--tunnel localtunnel --tunnel-host <url>`), never picked by `auto`.
// Protocol: GET <host>/?new (or /<subdomain>) → {id, url, port, max_conn_count, ip?}; then open
// max_conn_count plain TCP sockets to (ip || host):port. The server sends public HTTP requests
// down those sockets; we relay each socket's bytes to 127.0.0.1:<localPort> and back. The bytes are
// relayed untouched (no Host rewrite, so no binary-body corruption as in the old client).
// The client↔server hop is UNENCRYPTED TCP: start() returns a warning the command must print.
import { connect, type Socket } from 'node:net';
import { CliError, ErrorCode, UsageError } from '../../errors/errors.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { isLoopbackAddress, isLoopbackUrl, isOfflineMode } from '../loopback.js';
import { CloseListeners, DEFAULT_TUNNEL_TIMEOUT_MS, type Tunnel, type TunnelCommonOptions, type TunnelGap } from './types.js';

/** Options of {@link createLocalTunnel}. */
export interface LocalTunnelOptions extends TunnelCommonOptions {
  /** The tunnel server (`--tunnel-host`), e.g. https://localtunnel.me or a self-hosted server. Required. */
  host: string;
  /** Ask for this subdomain instead of a random one. */
  subdomain?: string;
  /** Upper bound on the sockets we open, whatever the server asks (default 10). */
  maxConnections?: number;
  /** Consecutive failed reconnects before the tunnel counts as lost (default 5). */
  maxReconnectFailures?: number;
  /** Delay between reconnect attempts (default 500 ms). */
  reconnectDelayMs?: number;
  /** The clock (default Date.now): when a gap began and ended. */
  now?: () => number;
  /** Waits `ms` (reconnect delays, the start() deadline); returns a cancel function (default setTimeout). */
  setTimer?: (ms: number, fn: () => void) => () => void;
}

/** The server's answer to GET /?new. */
export interface LocalTunnelInfo {
  id: string;
  url: string;
  port: number;
  maxConnCount: number;
  ip?: string;
}

/** Validates the server's registration answer. Throws CliError on anything unexpected. */
export function parseLocalTunnelInfo(body: unknown): LocalTunnelInfo {
  const b = (body ?? {}) as Record<string, unknown>;
  const bad = (what: string): CliError =>
    new CliError(ErrorCode.NETWORK_ERROR, ExitCode.UNAVAILABLE, `The localtunnel server sent an invalid answer (${what})`, {
      suggestion: 'Check --tunnel-host: it must be a localtunnel-protocol server',
    });
  if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) throw bad('url');
  try {
    new URL(b.url);
  } catch {
    throw bad('url');
  }
  if (typeof b.port !== 'number' || !Number.isInteger(b.port) || b.port < 1 || b.port > 65535) throw bad('port');
  const max = b.max_conn_count === undefined ? 1 : b.max_conn_count;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) throw bad('max_conn_count');
  const info: LocalTunnelInfo = { id: typeof b.id === 'string' ? b.id : '', url: b.url.replace(/\/+$/, ''), port: b.port, maxConnCount: max };
  if (typeof b.ip === 'string' && b.ip) info.ip = b.ip;
  return info;
}

function checkHost(host: string, env: NodeJS.ProcessEnv): URL {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new UsageError(`--tunnel-host is not a valid URL: ${host}`, {
      code: ErrorCode.INVALID_ARGUMENT,
      suggestion: 'Pass e.g. --tunnel-host https://localtunnel.me',
    });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw new UsageError(`--tunnel-host must be a plain http(s) URL: ${host}`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  if (isOfflineMode(env) && !isLoopbackUrl(url)) {
    throw new UsageError(`Refusing non-loopback tunnel host ${url.host} (MMS_TEST_OFFLINE is set)`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  return url;
}

/** Mutable state shared by a tunnel's sockets. */
interface SlotState {
  sockets: Set<Socket>;
  /** Cancel functions of the pending reconnects. */
  timers: Set<() => void>;
  setTimer: (ms: number, fn: () => void) => () => void;
  stopped: boolean;
  lost: boolean;
  maxFailures: number;
  reconnectDelayMs: number;
  /** Sockets connected to the server now; none after having had one is a gap. */
  connected: number;
  /** When the last connected socket closed (while none is connected). */
  downSince?: number;
  now: () => number;
  gaps: Set<(gap: TunnelGap) => void>;
}

/** A socket connected: if none was before, the gap since the last one closed is over. */
function socketUp(state: SlotState): void {
  state.connected++;
  if (state.connected !== 1 || state.downSince === undefined) return;
  const gap = { since: new Date(state.downSince), until: new Date(state.now()) };
  state.downSince = undefined;
  for (const cb of [...state.gaps]) {
    try {
      cb(gap);
    } catch {
      // One listener's failure must not keep the others from hearing about the gap.
    }
  }
}

/** A connected socket closed: when it was the last one, nobody can reach the local server from now on. */
function socketDown(state: SlotState): void {
  state.connected--;
  if (state.connected === 0 && !state.stopped) state.downSince = state.now();
}

function shutdownSlots(state: SlotState): void {
  for (const cancel of state.timers) cancel();
  state.timers.clear();
  for (const s of state.sockets) s.destroy();
  state.sockets.clear();
}

/** GET <host>/?new (or /<subdomain>): asks the server for a tunnel. */
async function registerTunnel(hostUrl: URL, subdomain: string | undefined, signal: AbortSignal): Promise<LocalTunnelInfo> {
  const base = hostUrl.toString().replace(/\/+$/, '');
  const url = subdomain ? `${base}/${subdomain}` : `${base}/?new`;
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'error', headers: { accept: 'application/json' } });
  } catch (err) {
    throw new CliError(ErrorCode.NETWORK_ERROR, ExitCode.UNAVAILABLE, `Cannot reach the localtunnel server ${hostUrl.host}: ${(err as Error).message}`, {
      suggestion: 'Check --tunnel-host, or use --tunnel cloudflared, --tunnel ngrok or --public-url <url>',
      cause: err,
    });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const msg = typeof (body as { message?: unknown })?.message === 'string' ? (body as { message: string }).message : `HTTP ${res.status}`;
    throw new CliError(
      ErrorCode.PROVIDER_UNAVAILABLE,
      ExitCode.UNAVAILABLE,
      `The localtunnel server ${hostUrl.host} refused the tunnel: ${msg.slice(0, 200)}`,
      {
        suggestion: 'Try again later, or use --tunnel cloudflared, --tunnel ngrok or --public-url <url>',
      },
    );
  }
  return parseLocalTunnelInfo(body);
}

/** Keeps one tunnel socket open, relaying it to the local server; reconnects when it closes. */
function openSlot(
  state: SlotState,
  remoteHost: string,
  remotePort: number,
  localPort: number,
  onConnect: () => void,
  onGiveUp: (err: Error) => void,
  failures = 0,
): void {
  if (state.stopped || state.lost) return;
  const remote = connect({ host: remoteHost, port: remotePort });
  state.sockets.add(remote);
  remote.setNoDelay(true);
  remote.setKeepAlive(true, 30_000);
  let local: Socket | null = null;
  let connectedAt: number | undefined;
  let gotData = false;
  let lastError: Error | undefined;

  const openLocal = (): Socket => {
    const sock = connect({ host: '127.0.0.1', port: localPort });
    state.sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => {
      if (!remote.write(chunk)) {
        sock.pause();
        remote.once('drain', () => sock.resume());
      }
    });
    sock.on('error', () => undefined); // reported through 'close' below
    sock.once('close', (hadError) => {
      state.sockets.delete(sock);
      if (local === sock) local = null;
      if (hadError) {
        // Local server unreachable or reset mid-request: drop this tunnel socket so the public
        // request fails (502) instead of hanging; the slot reconnects.
        remote.destroy();
        return;
      }
      // The local server closed an idle keep-alive connection: keep the tunnel socket; the next
      // request on it opens a new local connection.
      remote.resume();
    });
    return sock;
  };

  remote.once('connect', () => {
    connectedAt = state.now();
    socketUp(state);
    onConnect();
  });
  remote.on('data', (chunk: Buffer) => {
    gotData = true;
    local ??= openLocal();
    if (!local.write(chunk)) {
      remote.pause();
      local.once('drain', () => remote.resume());
    }
  });
  remote.on('error', (err) => (lastError = err));
  remote.once('close', () => {
    state.sockets.delete(remote);
    local?.destroy();
    if (connectedAt !== undefined) socketDown(state);
    if (state.stopped || state.lost) return;
    // A socket that never connected, or was dropped at once without traffic, is a failure.
    const failed = connectedAt === undefined || (!gotData && state.now() - connectedAt < 1000);
    const nextFailures = failed ? failures + 1 : 0;
    if (nextFailures >= state.maxFailures) {
      onGiveUp(
        new Error(
          `Lost the connection to the localtunnel server ${remoteHost}:${remotePort}${lastError ? ` (${lastError.message})` : ''}; the public URL no longer works`,
        ),
      );
      return;
    }
    const cancel = state.setTimer(failed ? state.reconnectDelayMs : 0, () => {
      state.timers.delete(cancel);
      openSlot(state, remoteHost, remotePort, localPort, onConnect, onGiveUp, nextFailures);
    });
    state.timers.add(cancel);
  });
}

/** Opens `count` tunnel sockets; resolves on the first connection, rejects if they all give up or on abort. */
function openPool(
  state: SlotState,
  listeners: CloseListeners,
  remoteHost: string,
  remotePort: number,
  localPort: number,
  count: number,
  signal: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    };
    const onGiveUp = (err: Error): void => {
      if (!settled) {
        settle(new CliError(ErrorCode.NETWORK_ERROR, ExitCode.UNAVAILABLE, `Cannot open the tunnel sockets to ${remoteHost}:${remotePort}: ${err.message}`));
        return;
      }
      state.lost = true;
      shutdownSlots(state);
      listeners.fire(err);
    };
    if (signal.aborted) return settle(new Error('aborted'));
    signal.addEventListener('abort', () => settle(new Error('aborted')), { once: true });
    for (let i = 0; i < count; i++) openSlot(state, remoteHost, remotePort, localPort, () => settle(), onGiveUp);
  });
}

function tunnelWarnings(hostUrl: URL, remoteHost: string, info: LocalTunnelInfo): string[] {
  const warnings = [
    `localtunnel: traffic between this machine and ${remoteHost}:${info.port} is NOT encrypted (plain TCP); anyone on the path can read webhook payloads and media`,
  ];
  if (info.url.startsWith('http:') && !isLoopbackUrl(info.url)) {
    warnings.push(`localtunnel: the public URL ${info.url} is plain http; providers such as Twilio may refuse to call it`);
  }
  if (/(^|\.)(localtunnel\.me|loca\.lt)$/.test(hostUrl.hostname)) {
    warnings.push('localtunnel: loca.lt is a third-party volunteer service; browsers see a reminder page, and outages are common');
  }
  return warnings;
}

/** Creates the localtunnel backend. Throws UsageError without a valid --tunnel-host. */
export function createLocalTunnel(opts: LocalTunnelOptions): Tunnel {
  if (!opts.host) {
    throw new UsageError('--tunnel localtunnel needs --tunnel-host <url>', {
      code: ErrorCode.MISSING_ARGUMENT,
      suggestion: 'Pass --tunnel-host https://localtunnel.me (public, third-party) or the URL of your own localtunnel server',
    });
  }
  const env = opts.env ?? process.env;
  const hostUrl = checkHost(opts.host, env);
  if (opts.subdomain !== undefined && !/^[a-z0-9][a-z0-9-]{3,62}$/.test(opts.subdomain)) {
    throw new UsageError(`Invalid localtunnel subdomain: ${opts.subdomain}`, {
      code: ErrorCode.INVALID_ARGUMENT,
      suggestion: 'Use 4–63 lowercase letters, digits or dashes',
    });
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TUNNEL_TIMEOUT_MS;
  const listeners = new CloseListeners();
  const state: SlotState = {
    sockets: new Set<Socket>(),
    timers: new Set<() => void>(),
    setTimer:
      opts.setTimer ??
      ((ms, fn) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      }),
    stopped: false,
    lost: false,
    maxFailures: opts.maxReconnectFailures ?? 5,
    reconnectDelayMs: opts.reconnectDelayMs ?? 500,
    connected: 0,
    now: opts.now ?? Date.now,
    gaps: new Set(),
  };
  let abortStart: (() => void) | undefined;

  return {
    name: 'localtunnel',
    async start(localPort) {
      const ac = new AbortController();
      abortStart = () => ac.abort();
      const cancelTimeout = state.setTimer(timeoutMs, () => ac.abort());
      try {
        const info = await registerTunnel(hostUrl, opts.subdomain, ac.signal);
        const remoteHost = info.ip ?? hostUrl.hostname.replace(/^\[|\]$/g, '');
        if (isOfflineMode(env) && (!isLoopbackAddress(remoteHost) || !isLoopbackUrl(info.url))) {
          throw new UsageError('Refusing a non-loopback tunnel address from the server (MMS_TEST_OFFLINE is set)', { code: ErrorCode.INVALID_ARGUMENT });
        }
        const count = Math.min(info.maxConnCount, opts.maxConnections ?? 10);
        await openPool(state, listeners, remoteHost, info.port, localPort, count, ac.signal);
        if (state.stopped) throw new Error('aborted');
        return { publicUrl: info.url, warnings: tunnelWarnings(hostUrl, remoteHost, info) };
      } catch (err) {
        shutdownSlots(state);
        if (state.stopped) throw new CliError(ErrorCode.CANCELLED, ExitCode.INTERRUPTED, 'The tunnel was stopped while starting');
        if (ac.signal.aborted && !(err instanceof UsageError)) {
          throw new CliError(
            ErrorCode.TIMEOUT,
            ExitCode.UNAVAILABLE,
            `The localtunnel server ${hostUrl.host} did not open a tunnel within ${Math.round(timeoutMs / 1000)} s`,
            {
              suggestion: 'Check --tunnel-host, or use --tunnel cloudflared, --tunnel ngrok or --public-url <url>',
            },
          );
        }
        throw err;
      } finally {
        cancelTimeout();
        abortStart = undefined;
      }
    },
    stop() {
      state.stopped = true;
      abortStart?.();
      shutdownSlots(state);
      return Promise.resolve();
    },
    onClose: (cb) => listeners.add(cb),
    onGap: (cb) => {
      state.gaps.add(cb);
      return () => state.gaps.delete(cb);
    },
  };
}
