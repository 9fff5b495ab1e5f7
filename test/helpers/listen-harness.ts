// `mms listen` in-process for the listen-side conformance tests (test/conformance/listen-*.test.ts):
// the real listen service with a real adapter, on a loopback server (the provider base URL is
// loopback, so no tunnel), and a way to post what a provider (or an attacker) would.
import { PassThrough } from 'node:stream';
import { createHttpClient } from '../../src/providers/http-client.js';
import { getAdapter } from '../../src/providers/registry.js';
import type { Credentials, ProviderCallContext, ProviderName } from '../../src/providers/types.js';
import { listenForMessages } from '../../src/services/listen/index.js';
import type { ListenEvent, ListeningInfo, ListenNotice, ListenOutcome } from '../../src/services/listen/types.js';

/** What a POST got back. */
export interface PostResult {
  status: number;
  headers: Headers;
  body: string;
}

/** A running listener. */
export interface ListenHarness {
  info: ListeningInfo;
  /** What `mms listen` printed (one entry per line on stdout). */
  events: ListenEvent[];
  notices: ListenNotice[];
  post(url: string, body: string, headers: Record<string, string>): Promise<PostResult>;
  /** Ctrl+C: stops the run and returns its outcome. */
  stop(): Promise<ListenOutcome>;
}

/** Starts `mms listen` for `provider` with these credentials (no --number, signatures checked). */
export async function startListenHarness(provider: ProviderName, credentials: Credentials): Promise<ListenHarness> {
  const adapter = await getAdapter(provider);
  const env = { MMS_TEST_OFFLINE: '1' };
  const ac = new AbortController();
  const exits: Array<() => Promise<void>> = [];
  const events: ListenEvent[] = [];
  const notices: ListenNotice[] = [];
  // Never called: without --number the listener makes no API call. Loopback keeps it off any tunnel.
  const callContext = (): ProviderCallContext => ({ credentials, baseUrl: 'http://127.0.0.1:9', http: createHttpClient({ provider, env }), signal: ac.signal });
  let listening!: (info: ListeningInfo) => void;
  const ready = new Promise<ListeningInfo>((resolve) => (listening = resolve));
  const done = listenForMessages(
    { port: 0, skipVerify: false },
    {
      account: { adapter, callContext: callContext(), cleanupContext: callContext },
      env,
      signal: ac.signal,
      onExit: (fn) => void exits.push(fn),
      hookOutput: new PassThrough(),
      hookInput: () => '',
    },
    { listening, event: (ev) => void events.push(ev), notice: (n) => void notices.push(n) },
  );
  const info = await Promise.race([ready, done.then(() => Promise.reject(new Error('the run ended before listening')))]);
  return {
    info,
    events,
    notices,
    async post(url, body, headers) {
      const res = await fetch(url, { method: 'POST', headers, body });
      return { status: res.status, headers: res.headers, body: await res.text() };
    },
    async stop() {
      ac.abort();
      try {
        return await done;
      } finally {
        for (const fn of exits) await fn();
      }
    },
  };
}
