// Keeping the tunnel of `mms listen` up: when it drops, it is re-opened with backoff (bounded
// attempts and a give-up deadline), the routes verify against the new public URL, --number is
// re-pointed when the URL changed, and the messages of the gap are read back from the provider's
// log (catch-up). A backend that heals a gap by itself (localtunnel) gets the catch-up too. Every
// drop and return is reported once (`events.tunnel`).
import type { PublicEndpoint } from '../../webhook/endpoint.js';
import type { Tunnel, TunnelGap } from '../../webhook/tunnel/types.js';
import type { InboundLease } from './lease.js';
import type { ListenEvents, ListenPorts, ListenRequest, ReopenedTunnel, TunnelReport } from './types.js';

/** Waits before each re-open attempt: 8 attempts over about 2 minutes. */
export const RECONNECT_DELAYS_MS: readonly number[] = [1000, 2000, 4000, 8000, 15_000, 30_000, 30_000, 30_000];
/** Gives up once this long has passed since the drop, whatever attempts remain. */
export const RECONNECT_GIVE_UP_MS = 5 * 60_000;
/** The catch-up after a gap starts this long before the drop at least (clocks differ; webhooks in flight were lost too). */
export const GAP_MARGIN_MS = 60_000;

type Timer = (ms: number, fn: () => void) => () => void;
const defaultTimer: Timer = (ms, fn) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

/** Resolves after `ms`, or false at once when `signal` aborts. */
function pause(ms: number, setTimer: Timer, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      cancel();
      resolve(false);
    };
    const cancel = setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What {@link reopenWithBackoff} needs. */
export interface ReopenOptions {
  open(signal: AbortSignal): Promise<ReopenedTunnel>;
  setTimer?: Timer;
  delaysMs?: readonly number[];
  giveUpAfterMs?: number;
  now(): number;
  /** Aborted when the run stops: no further attempt, and a tunnel opened meanwhile is closed. */
  signal: AbortSignal;
}

/** How re-opening went. */
export type ReopenResult = { opened: ReopenedTunnel; attempts: number } | { opened?: undefined; attempts: number; error: Error; stopped: boolean };

/** Re-opens the tunnel: one attempt after each delay, until one works, the delays run out, the deadline passes or the run stops. */
export async function reopenWithBackoff(o: ReopenOptions): Promise<ReopenResult> {
  const started = o.now();
  const giveUpAfter = o.giveUpAfterMs ?? RECONNECT_GIVE_UP_MS;
  let error = new Error('no attempt was made');
  let attempts = 0;
  for (const delay of o.delaysMs ?? RECONNECT_DELAYS_MS) {
    if (o.now() + delay - started > giveUpAfter) break;
    if (!(await pause(delay, o.setTimer ?? defaultTimer, o.signal))) return { attempts, error, stopped: true };
    attempts++;
    try {
      const opened = await o.open(o.signal);
      if (!o.signal.aborted) return { opened, attempts };
      await opened.tunnel.stop();
      return { attempts, error, stopped: true };
    } catch (err) {
      if (o.signal.aborted) return { attempts, error, stopped: true };
      error = err instanceof Error ? err : new Error(String(err));
    }
  }
  return { attempts, error, stopped: false };
}

/** The backend the flags chose, created and started again on the same local port. */
export async function openTunnelAgain(request: ListenRequest, env: NodeJS.ProcessEnv, localPort: number, signal: AbortSignal): Promise<ReopenedTunnel> {
  const { selectTunnel } = await import('../../webhook/tunnel/select.js');
  const selection = await selectTunnel({
    ...(request.tunnel !== undefined ? { tunnel: request.tunnel } : {}),
    ...(request.publicUrl !== undefined ? { publicUrl: request.publicUrl } : {}),
    ...(request.tunnelHost !== undefined ? { tunnelHost: request.tunnelHost } : {}),
    env,
  });
  if (!selection) throw new Error('no tunnel backend was chosen');
  const stop = (): void => void selection.tunnel.stop();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const started = await selection.tunnel.start(localPort);
    return { tunnel: selection.tunnel, publicUrl: started.publicUrl.replace(/\/+$/, ''), warnings: started.warnings };
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/** The URLs a run's routes answer on. */
export interface RouteUrls {
  url: string;
  inboundUrl: string;
  statusUrl: string;
}

/** What the keeper needs from its run. */
export interface TunnelKeeperOptions {
  request: ListenRequest;
  ports: Pick<ListenPorts, 'env' | 'reconnect'>;
  events: ListenEvents;
  endpoint: PublicEndpoint;
  /** Verifies webhooks against a new public base URL; returns the routes' URLs there. */
  remount(base: string): RouteUrls;
  lease?: InboundLease;
  /** Credentials a re-pointed number's webhooks carry (the lease's temporary resources). */
  onWebhookCredentials(c: Record<string, string>): void;
  /** Whether a gap's messages can be read back, and why not ('none': no --number, nothing to ask about). */
  recovery: { state: 'catch-up' | 'unavailable' | 'none'; note?: string };
  /** Reads the gap back from the provider's log (dedupe and reporting are the run's). */
  catchUp(since: Date): Promise<void>;
  /** The tunnel is gone for good: the run ends with exit 7, `detail` says why. */
  giveUp(detail: string): void;
  now(): Date;
}

/** A kept tunnel: close() stops re-opening and closes the tunnel in use (the endpoint closes the first one). */
export interface TunnelKeeper {
  close(): Promise<void>;
}

/** Watches the endpoint's tunnel for drops and gaps, and keeps it (see the file comment). */
export function keepTunnel(o: TunnelKeeperOptions): TunnelKeeper | undefined {
  const first = o.endpoint.tunnel;
  if (!first) return undefined;
  const via = o.endpoint.via;
  const stopping = new AbortController();
  let current: Tunnel = first;
  let url = o.endpoint.publicUrl;
  let unsubscribe: Array<() => void> = [];
  let work: Promise<void> = Promise.resolve();
  const report = (r: Omit<TunnelReport, 'type' | 'via' | 'at'>): void => o.events.tunnel?.({ type: 'tunnel', via, at: o.now().toISOString(), ...r });
  const recoveryFields = () => ({ recovery: o.recovery.state, ...(o.recovery.note !== undefined ? { recoveryNote: o.recovery.note } : {}) });
  const gapStart = (at: Date): Date => new Date(at.getTime() - GAP_MARGIN_MS);

  const watch = (t: Tunnel): void => {
    unsubscribe = [t.onClose((reason) => void (work = work.then(() => onLost(reason))))];
    if (t.onGap) unsubscribe.push(t.onGap((gap) => void (work = work.then(() => onGap(gap)))));
  };

  const onGap = async (gap: TunnelGap): Promise<void> => {
    if (stopping.signal.aborted) return;
    report({ state: 'resumed', url, urlChanged: false, durationMs: Math.max(0, gap.until.getTime() - gap.since.getTime()), ...recoveryFields() });
    if (o.recovery.state === 'catch-up') await o.catchUp(gapStart(gap.since));
  };

  let droppedAt = o.now();
  let attempts = 0;
  /** Takes the re-opened tunnel into use; false when the run must end (the number could not be re-pointed). */
  const adopt = async (opened: ReopenedTunnel): Promise<boolean> => {
    const changed = opened.publicUrl !== url;
    current = opened.tunnel;
    url = opened.publicUrl;
    const urls = o.remount(url);
    let numberRepointed = false;
    if (changed && o.lease) {
      try {
        const pointed = await o.lease.repoint(urls.inboundUrl);
        o.onWebhookCredentials(pointed.webhookCredentials);
        numberRepointed = pointed.configured;
      } catch (err) {
        if (!stopping.signal.aborted) o.giveUp(`the number could not be pointed at the new URL ${urls.inboundUrl}: ${(err as Error).message}`);
        return false;
      }
    }
    watch(opened.tunnel);
    for (const w of opened.warnings) o.events.notice({ type: 'endpoint', line: `Warning: ${w}` });
    const durationMs = Math.max(0, o.now().getTime() - droppedAt.getTime());
    report({ state: 'reconnected', ...urls, urlChanged: changed, numberRepointed, attempts, durationMs, ...recoveryFields() });
    return true;
  };

  const onLost = async (reason: Error): Promise<void> => {
    if (stopping.signal.aborted) return;
    droppedAt = o.now();
    for (const u of unsubscribe) u();
    report({ state: 'lost', message: reason.message });
    const lost = current;
    await lost.stop();
    const r = await reopenWithBackoff({
      open: (signal) => (o.ports.reconnect?.open ?? ((port, sig) => openTunnelAgain(o.request, o.ports.env, port, sig)))(o.endpoint.server.port, signal),
      ...(o.ports.reconnect?.setTimer ? { setTimer: o.ports.reconnect.setTimer } : {}),
      ...(o.ports.reconnect?.delaysMs ? { delaysMs: o.ports.reconnect.delaysMs } : {}),
      ...(o.ports.reconnect?.giveUpAfterMs !== undefined ? { giveUpAfterMs: o.ports.reconnect.giveUpAfterMs } : {}),
      now: () => o.now().getTime(),
      signal: stopping.signal,
    });
    attempts = r.attempts;
    if (!r.opened) {
      if (r.stopped) return;
      report({ state: 'gave-up', attempts: r.attempts, message: r.error.message });
      o.giveUp(`it could not be re-opened in ${r.attempts} attempt${r.attempts === 1 ? '' : 's'} (last error: ${r.error.message})`);
      return;
    }
    if (!(await adopt(r.opened))) return;
    if (o.recovery.state === 'catch-up') await o.catchUp(gapStart(droppedAt));
  };

  watch(first);
  return {
    async close() {
      stopping.abort();
      for (const u of unsubscribe) u();
      await work.catch(() => undefined);
      if (current !== first) await current.stop();
    },
  };
}
