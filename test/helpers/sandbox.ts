// Starts `mms sandbox --port 0 --json` as a child process and reads its ready line.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { vi } from 'vitest';
import { writeCredentialSets } from '../../src/sandbox/persist-credentials.js';
import { sandboxPaths } from '../../src/sandbox/persist-paths.js';
import { defaultKeyPair } from '../../src/sandbox/dialects/vonage/context.js';
import { BIN, baseEnv } from './run-cli.js';

export interface SandboxProviderInfo {
  baseUrl: string;
  credentials: Record<string, string>;
  numbers: string[];
  defaultFrom: string;
}

export interface SandboxHandle {
  origin: string;
  /** Every dialect's base URL, credentials and numbers, as the ready line printed them. */
  providers: Record<string, SandboxProviderInfo>;
  twilio: { baseUrl: string; accountSid: string; authToken: string; defaultFrom: string };
  child: ChildProcess;
  /** GET /_sandbox/messages (query e.g. "?provider=telnyx"). */
  messages(query?: string): Promise<SandboxMessage[]>;
  webhooks(): Promise<Array<{ kind: string; messageId: string; url: string; status?: number; error?: string }>>;
  message(id: string): Promise<SandboxMessage>;
  waitFor(id: string, pred: (m: SandboxMessage) => boolean, timeoutMs?: number): Promise<SandboxMessage>;
  setFaults(f: Record<string, unknown>): Promise<void>;
  clear(): Promise<void>;
  stop(): Promise<void>;
}

export interface SandboxMessage {
  id: string;
  provider: string;
  to: string;
  from: string;
  body: string;
  status: string;
  errorCode?: number | string;
  media: Array<{ url: string; status: string; contentType?: string; size?: number; sha256?: string }>;
}

/**
 * Saves a Vonage credential set under `configDir`, where a spawned `mms sandbox` reads its saved
 * credentials (even with --memory): with this process's RSA key pair in it, the child skips making
 * its own 2048-bit pair (0.2–1 s of CPU). In-process sandboxes already share that pair, so a test
 * worker usually has it at hand. The other dialects make fresh credentials as usual. A config dir
 * that already has the file keeps it.
 */
export async function seedSandboxCredentials(configDir: string): Promise<void> {
  const file = sandboxPaths(configDir).credentialsFile;
  if (existsSync(file)) return;
  const vonage = {
    apiKey: randomBytes(4).toString('hex'),
    apiSecret: randomBytes(8).toString('hex'),
    signatureSecret: randomBytes(24).toString('base64url'),
    applicationId: randomUUID(),
    ...defaultKeyPair(),
  };
  await writeCredentialSets(file, { vonage });
}

/**
 * Starts a sandbox on a free loopback port. It keeps its record in memory (as before persistence
 * existed) unless `extraArgs` names a data directory (`--data <dir>`).
 */
export async function startSandboxProcess(configDir: string, extraArgs: string[] = []): Promise<SandboxHandle> {
  const keep = extraArgs.includes('--data') || extraArgs.includes('--memory') ? [] : ['--memory'];
  await seedSandboxCredentials(configDir);
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--json', '--step-delay', '5', ...keep, ...extraArgs], {
    env: baseEnv(configDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const rl = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ origin: string; providers: Record<string, SandboxProviderInfo> }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${stderr}`)), 10_000);
    rl.once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited ${code}: ${stderr}`)));
  });
  rl.on('line', () => undefined);
  const handle: SandboxHandle = {
    ...sandboxApi(ready.origin, ready.providers),
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  return handle;
}

/** What a test reads and sets through a running sandbox's HTTP API (spawned or in this process). */
export function sandboxApi(origin: string, providers: Record<string, SandboxProviderInfo>): Omit<SandboxHandle, 'child' | 'stop'> {
  const tw = providers.twilio!;
  const get = async (path: string): Promise<unknown> => (await fetch(`${origin}${path}`)).json();
  const api: Omit<SandboxHandle, 'child' | 'stop'> = {
    origin,
    providers,
    twilio: { baseUrl: tw.baseUrl, accountSid: tw.credentials.accountSid!, authToken: tw.credentials.authToken!, defaultFrom: tw.defaultFrom },
    messages: async (query = '') => ((await get(`/_sandbox/messages${query}`)) as { messages: SandboxMessage[] }).messages,
    webhooks: async () => ((await get('/_sandbox/webhooks')) as { webhooks: Awaited<ReturnType<SandboxHandle['webhooks']>> }).webhooks,
    message: async (id) => (await get(`/_sandbox/messages/${id}`)) as SandboxMessage,
    waitFor: (id, pred, timeoutMs = 5000) =>
      vi.waitFor(
        async () => {
          const m = await api.message(id);
          if (!pred(m)) throw new Error(`message ${id} never reached the expected state: ${JSON.stringify(m)}`);
          return m;
        },
        { timeout: timeoutMs, interval: 20 },
      ),
    async setFaults(f) {
      // Through the admin API: it also resets the rate-limit buckets, which are private to the server.
      await fetch(`${origin}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(f) });
    },
    async clear() {
      await fetch(`${origin}/_sandbox/messages`, { method: 'DELETE' });
    },
  };
  return api;
}

/** Env vars that point `mms` at the sandbox's Twilio dialect with its credentials. */
export function sandboxEnv(sb: Pick<SandboxHandle, 'twilio'>): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: sb.twilio.accountSid,
    TWILIO_AUTH_TOKEN: sb.twilio.authToken,
    MMS_TWILIO_BASE_URL: sb.twilio.baseUrl,
    MMS_FROM: sb.twilio.defaultFrom,
  };
}
