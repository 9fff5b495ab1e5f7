// The send flow's I/O, behind small ports: commands pass the real ones (createSendPorts), tests
// swap any of them (a fake clock, a journal on a full disk, a provider that never answers).
import { readFile } from 'node:fs/promises';
import type { DispatchJournal, LoadedJournal } from '../../core/journal.js';
import { realSleep, type Clock, type Sleep } from '../../core/token-bucket.js';
import type { EndpointOptions, PublicEndpoint } from '../../webhook/endpoint.js';
import type { LoadedAccount } from '../account.js';
import type { ResultFile } from './result-file.js';

/** The journal calls the flow makes (the `Journal` class). */
export interface SendJournal extends DispatchJournal {
  readonly loaded: LoadedJournal;
  reconciled(to: string, found: { id: string; providerStatus: string } | undefined): void;
  close(): void;
}

/** A HEAD answer: status and lower-case headers. */
export interface HeadAnswer {
  status: number;
  headers: Record<string, string>;
}

/** Time, injectable so tests never wait for backoff, rate windows or deadlines. */
export interface SendClock {
  /** Monotonic milliseconds (durations, the rate limiter). */
  now: Clock;
  /** Milliseconds since the epoch (journal times, the provider's message log). */
  wallNow(): number;
  /** Backoff, rate-limit waits and deadlines. */
  sleep: Sleep;
  /** Uniform in [0, 1): backoff jitter. */
  random(): number;
}

export interface SendPorts {
  loadAccount(): Promise<LoadedAccount>;
  /** The stored default country, used when --default-country is absent. */
  configuredCountry(): string | undefined;
  readStdin(): Promise<string>;
  /** Asks for a recipient when none was given; absent when prompts are impossible. */
  askRecipient?: () => Promise<string>;
  readFile(path: string): Promise<Buffer>;
  /** HEAD of a media URL (--check-media), through the provider's HTTP client. */
  head(url: string, provider: string, signal: AbortSignal): Promise<HeadAnswer>;
  /** Locks and loads a journal (throws a CliError when another run holds it). */
  openJournal(path: string): Promise<SendJournal>;
  /** A local server the provider can reach (local files, receipts). */
  openEndpoint(opts: Omit<EndpointOptions, 'env'>): Promise<PublicEndpoint>;
  /** Ctrl+C: stop starting new work. */
  signal: AbortSignal;
  time: SendClock;
  /** --json's results file for `expected` recipients, however few (default: a ResultFile in the OS temp dir over 50; tests play a full disk). */
  openResultFile?(expected: number): ResultFile;
}

/** What only the caller knows; everything else has a real default. */
export type SendPortsBase = Pick<SendPorts, 'loadAccount' | 'configuredCountry' | 'readStdin' | 'signal'> & Partial<SendPorts> & { env: NodeJS.ProcessEnv };

const realClock: SendClock = { now: () => performance.now(), wallNow: () => Date.now(), sleep: realSleep, random: Math.random };
let clockForTests: SendClock | undefined;

/**
 * Makes every later `createSendPorts` in this process use `clock` (undefined: real time again), so
 * tests that run `mms` in-process skip backoff and the provider's log delay instead of waiting.
 */
export function setSendClockForTests(clock: SendClock | undefined): void {
  clockForTests = clock;
}

/** The real ports, with any of them overridden. */
export function createSendPorts(base: SendPortsBase): SendPorts {
  const { env, ...given } = base;
  return {
    readFile: (path) => readFile(path),
    async head(url, provider, signal) {
      const { createHttpClient } = await import('../../providers/http-client.js');
      const res = await createHttpClient({ provider, env }).request({ method: 'HEAD', url, timeoutMs: 15_000, signal });
      return { status: res.status, headers: res.headers };
    },
    async openJournal(path) {
      const { Journal } = await import('../../core/journal.js');
      return Journal.open(path);
    },
    async openEndpoint(opts) {
      const { openEndpoint } = await import('../../webhook/endpoint.js');
      return openEndpoint({ ...opts, env });
    },
    time: clockForTests ?? realClock,
    ...given,
  };
}
