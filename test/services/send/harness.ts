// Shared by the in-process send tests: `mms sandbox` started in this process (no child), a temp
// config dir, env pointing `mms` at each dialect, and two ways in: the whole CLI (runInProcess:
// exact stdout/stderr/exit code) or the flow itself (sendMessages with ports the test controls).
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { openStore } from '../../../src/config/store.js';
import type { Sleep } from '../../../src/core/token-bucket.js';
import { loadAccount, type AccountFlags } from '../../../src/services/account.js';
import { createSendPorts, type SendPorts, type SendRequest } from '../../../src/services/send/index.js';
import type { Faults, Sandbox, WebhookAttempt } from '../../../src/sandbox/server.js';
import type { SandboxMessage } from '../../../src/sandbox/store.js';
import { baseEnv, tempConfigDir, type RunResult } from '../../helpers/run-cli.js';
import { runInProcess, type InProcessOptions } from '../../helpers/run-in-process.js';

export interface SendHarness {
  sb: Sandbox;
  cfg: { dir: string; cleanup: () => void };
  /** A scratch directory for input files (the cwd of `run` unless told otherwise). */
  dir: string;
  /** Env pointing `mms` at the Twilio dialect. */
  env: Record<string, string>;
  /** Env pointing `mms` at `provider`'s dialect. */
  providerEnv(provider: string): Record<string, string>;
  messages(provider?: string): SandboxMessage[];
  setFaults(f: Faults): Promise<void>;
  webhooks(): Promise<WebhookAttempt[]>;
  /** Waits (vi.waitFor) until message `id` matches. */
  waitFor(id: string, pred: (m: SandboxMessage) => boolean): Promise<SandboxMessage>;
  /** `mms <args>` in-process, in `cwd` (default: `dir`). */
  run(args: string[], opts?: Omit<InProcessOptions, 'configDir'> & { cwd?: string }): Promise<RunResult>;
}

/** Env for each dialect, from the sandbox's own description (as `mms sandbox --json` prints it). */
export function dialectEnv(sb: Sandbox, provider: string): Record<string, string> {
  const i = sb.info().providers[provider]!;
  const c = i.credentials;
  const byProvider: Record<string, Record<string, string>> = {
    twilio: { TWILIO_ACCOUNT_SID: c.accountSid!, TWILIO_AUTH_TOKEN: c.authToken! },
    telnyx: { TELNYX_API_KEY: c.apiKey! },
    plivo: { PLIVO_AUTH_ID: c.authId!, PLIVO_AUTH_TOKEN: c.authToken! },
    bandwidth: { BW_ACCOUNT_ID: c.accountId!, BW_MESSAGING_APPLICATION_ID: c.applicationId!, BW_CLIENT_ID: c.clientId!, BW_CLIENT_SECRET: c.clientSecret! },
    sinch: { SINCH_SERVICE_PLAN_ID: c.servicePlanId!, SINCH_API_TOKEN: c.apiToken! },
  };
  return { ...byProvider[provider]!, [`MMS_${provider.toUpperCase()}_BASE_URL`]: i.baseUrl, MMS_FROM: i.defaultFrom };
}

/** Registers beforeAll/afterAll/beforeEach: a sandbox in this process, cleared (and its faults reset) per test. */
export function useSendHarness(stepDelayMs = 5): SendHarness {
  const h = {} as SendHarness;
  beforeAll(async () => {
    const { startSandbox } = await import('../../../src/sandbox/server.js');
    h.cfg = tempConfigDir();
    h.dir = join(h.cfg.dir, '..', 'work');
    mkdirSync(h.dir, { recursive: true });
    h.sb = await startSandbox({ port: 0, stepDelayMs });
    h.env = dialectEnv(h.sb, 'twilio');
    h.providerEnv = (p) => dialectEnv(h.sb, p);
    h.messages = (provider) => h.sb.store.list(provider ? { provider } : {});
    h.setFaults = async (f) => {
      // Through the admin API: it also resets the rate-limit windows.
      await fetch(`${h.sb.origin}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(f) });
    };
    h.webhooks = async () => ((await (await fetch(`${h.sb.origin}/_sandbox/webhooks`)).json()) as { webhooks: WebhookAttempt[] }).webhooks;
    h.waitFor = (id, pred) =>
      vi.waitFor(
        () => {
          const m = h.sb.store.get(id);
          if (!m || !pred(m)) throw new Error(`message ${id} never reached the expected state: ${JSON.stringify(m)}`);
          return m;
        },
        { timeout: 5000, interval: 10 },
      );
    h.run = async (args, opts = {}) => {
      const { cwd, ...rest } = opts;
      const before = process.cwd();
      process.chdir(cwd ?? h.dir);
      try {
        return await runInProcess(args, { configDir: h.cfg.dir, env: h.env, ...rest });
      } finally {
        process.chdir(before);
      }
    };
  });
  afterAll(async () => {
    const { closeHttp } = await import('../../../src/providers/http-client.js');
    await h.sb?.close();
    await closeHttp();
    h.cfg?.cleanup();
  });
  beforeEach(async () => {
    await h.setFaults({});
    await fetch(`${h.sb.origin}/_sandbox/messages`, { method: 'DELETE' });
  });
  return h;
}

/** A sleep that returns at once (backoff, deadlines), recording what was asked for. */
export function instantSleep(log: number[] = []): Sleep {
  return async (ms, signal) => {
    log.push(ms);
    signal?.throwIfAborted();
    await new Promise((r) => setImmediate(r));
  };
}

/** Ports for sendMessages against the harness's sandbox: the real ones, with any overridden. */
export function sendPortsFor(
  h: SendHarness,
  opts: { env?: Record<string, string>; flags?: AccountFlags; signal?: AbortSignal; stdin?: string } & Partial<SendPorts> = {},
): SendPorts {
  const { env: extra, flags, signal, stdin, ...overrides } = opts;
  const env = { ...baseEnv(h.cfg.dir), ...h.env, ...extra };
  const sig = signal ?? new AbortController().signal;
  return createSendPorts({
    env,
    signal: sig,
    loadAccount: () => loadAccount({ store: () => openStore(env), env, signal: sig }, flags ?? {}),
    configuredCountry: () => undefined,
    readStdin: async () => stdin ?? '',
    ...overrides,
  });
}

/** A request with the defaults the flags have. */
export function sendRequest(r: Partial<SendRequest>): SendRequest {
  return {
    to: [],
    media: [],
    skipInvalid: false,
    dryRun: false,
    concurrency: 4,
    retryAmbiguous: false,
    checkMedia: false,
    mediaTimeoutSeconds: 120,
    reach: {},
    collectResults: true,
    ...r,
  };
}

/** A loopback port nothing listens on (bound, then closed): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}
