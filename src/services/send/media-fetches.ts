// After dispatch: keep serving local files until the provider has fetched each one once per
// accepted message, or the media timeout passes. Event-driven: the server wakes us at each fetch.
import type { WebhookServer } from '../../webhook/server.js';
import type { SendClock } from './ports.js';
import type { SendRun } from './types.js';

/**
 * Wakes waiters at every completed media fetch (wire `onMediaFetched` into the server). Needed
 * because `waitForMediaFetch` answers at once after a file's first fetch, so it cannot wait for
 * the n-th one (see the report for the change to the server that would make this unnecessary).
 */
export class MediaFetchWatch {
  private readonly waiters = new Set<() => void>();

  /** Pass to the webhook server's `onMediaFetched`. */
  readonly onMediaFetched = (): void => {
    for (const wake of [...this.waiters]) wake();
  };

  /** Resolves once `isDone()` holds (checked now and after each fetch); rejects when `signal` aborts. */
  until(isDone: () => boolean, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        this.waiters.delete(check);
        signal.removeEventListener('abort', onAbort);
      };
      const check = (): void => {
        if (!isDone()) return;
        finish();
        resolve();
      };
      const onAbort = (): void => {
        finish();
        reject(signal.reason);
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(check);
      check();
    });
  }
}

/** How waiting for the provider's fetches ended. */
export interface FetchWait {
  /** Tokens fetched fewer times than wanted, with their completed fetches. */
  short: Array<{ token: string; fetched: number }>;
  /** Why the wait ended while some were short: the timeout passed, or Ctrl+C. */
  ended: 'done' | 'timeout' | 'interrupted';
}

/** Waits until every served file was fetched `want` times, the timeout, or Ctrl+C; says which, and what is short. */
export async function waitForMediaFetches(
  server: WebhookServer,
  tokens: string[],
  want: number,
  opts: { timeoutMs: number; signal: AbortSignal; sleep: SendClock['sleep']; watch: MediaFetchWatch },
): Promise<FetchWait> {
  const stop = new AbortController();
  const onAbort = (): void => {
    stop.abort();
  };
  if (opts.signal.aborted) onAbort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });
  const fetched = async (token: string): Promise<void> => {
    await server.waitForMediaFetch(token, stop.signal, want);
    await opts.watch.until(() => server.fetchCount(token) >= want, stop.signal);
  };
  let isTimedOut = false;
  const timeout = opts.sleep(opts.timeoutMs, stop.signal).then(() => {
    isTimedOut = true;
  });
  try {
    await Promise.race([Promise.all(tokens.map(fetched)), timeout]);
  } catch {
    // Ctrl+C: stop waiting; what is still short is reported below.
  } finally {
    stop.abort();
    opts.signal.removeEventListener('abort', onAbort);
    await timeout.catch(() => undefined);
  }
  const short = tokens.map((token) => ({ token, fetched: server.fetchCount(token) })).filter((t) => t.fetched < want);
  // Only a wait that really ran out may blame the timeout (a fetch seconds after sending is not "too late").
  return { short, ended: short.length === 0 ? 'done' : isTimedOut ? 'timeout' : 'interrupted' };
}

/** Waits (see waitForMediaFetches) when this run serves files and someone accepted them; says what is still short, and why. */
export async function keepServingMedia(
  run: SendRun,
  server: WebhookServer,
  served: ReadonlyArray<{ token: string; name: string }>,
  accepted: number,
  watch: MediaFetchWatch,
): Promise<void> {
  if (served.length === 0 || accepted === 0) return;
  const seconds = run.request.mediaTimeoutSeconds;
  const { short, ended } = await waitForMediaFetches(
    server,
    served.map((s) => s.token),
    accepted,
    { timeoutMs: seconds * 1000, signal: run.ports.signal, sleep: run.ports.time.sleep, watch },
  );
  const nameOf = (token: string): string => served.find((s) => s.token === token)?.name ?? 'a local file';
  for (const note of shortFetchNotes(short, ended, accepted, seconds, nameOf)) run.events.note?.(note);
}

/** Warnings for files still short: never fetched by the timeout, fetched for some messages only, or Ctrl+C before the end. */
export function shortFetchNotes(
  short: FetchWait['short'],
  ended: FetchWait['ended'],
  want: number,
  seconds: number,
  nameOf: (token: string) => string,
): string[] {
  if (short.length === 0 || ended === 'done') return [];
  if (ended === 'interrupted') {
    const names = short.map((s) => nameOf(s.token)).join(', ');
    return [`Warning: stopped serving local files before the provider had fetched them for every message (${names}); those messages may fail.`];
  }
  const notes: string[] = [];
  const never = short.filter((s) => s.fetched === 0).length;
  if (never > 0) {
    const files = `${never} local file${never === 1 ? ' was' : 's were'}`;
    notes.push(`Warning: ${files} not fetched for every message before the ${seconds} s media timeout; those messages may fail.`);
  }
  for (const s of short.filter((f) => f.fetched > 0)) {
    notes.push(
      `Warning: ${nameOf(s.token)} was fetched ${s.fetched} time${s.fetched === 1 ? '' : 's'} for ${want} accepted messages by the ${seconds} s media timeout; ` +
        'a provider that reuses its copy needs no more, otherwise the other messages may fail.',
    );
  }
  return notes;
}
