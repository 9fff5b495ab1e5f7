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

/** Waits until every served file was fetched `want` times, the timeout, or Ctrl+C; returns the tokens still short. */
export async function waitForMediaFetches(
  server: WebhookServer,
  tokens: string[],
  want: number,
  opts: { timeoutMs: number; signal: AbortSignal; sleep: SendClock['sleep']; watch: MediaFetchWatch },
): Promise<string[]> {
  const stop = new AbortController();
  const onAbort = (): void => {
    stop.abort();
  };
  if (opts.signal.aborted) onAbort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });
  const fetched = async (token: string): Promise<void> => {
    await server.waitForMediaFetch(token, stop.signal);
    await opts.watch.until(() => server.fetchCount(token) >= want, stop.signal);
  };
  try {
    await Promise.race([Promise.all(tokens.map(fetched)), opts.sleep(opts.timeoutMs, stop.signal)]);
  } catch {
    // Ctrl+C: stop waiting; what is still short is reported below.
  } finally {
    stop.abort();
    opts.signal.removeEventListener('abort', onAbort);
  }
  return tokens.filter((t) => server.fetchCount(t) < want);
}

/** Waits (see waitForMediaFetches) when this run serves files and someone accepted them; warns about files still short. */
export async function keepServingMedia(run: SendRun, server: WebhookServer, tokens: string[], accepted: number, watch: MediaFetchWatch): Promise<void> {
  if (tokens.length === 0 || accepted === 0) return;
  const seconds = run.request.mediaTimeoutSeconds;
  const short = await waitForMediaFetches(server, tokens, accepted, {
    timeoutMs: seconds * 1000,
    signal: run.ports.signal,
    sleep: run.ports.time.sleep,
    watch,
  });
  if (short.length === 0) return;
  const files = `${short.length} local file${short.length === 1 ? ' was' : 's were'}`;
  run.events.note?.(`Warning: ${files} not fetched for every message before the ${seconds} s media timeout; those messages may fail.`);
}
