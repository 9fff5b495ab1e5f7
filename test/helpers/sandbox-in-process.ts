// The sandbox started in the test's own process (startSandbox) behind the same handle as the
// spawned one (sandbox.ts): what is under test is `mms`, not the sandbox's process, so no child.
import { vi } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle, SandboxMessage } from './sandbox.js';

/** The spawned sandbox's handle without the child process, plus the in-process Sandbox itself. */
export type LocalSandbox = Omit<SandboxHandle, 'child' | 'stop'> & { sandbox: Sandbox; stop(): Promise<void> };

/** Starts a sandbox on a free loopback port in this process (5 ms steps, as the spawned one). */
export async function startLocalSandbox(): Promise<LocalSandbox> {
  const sandbox = await startSandbox({ port: 0, stepDelayMs: 5 });
  const info = sandbox.info();
  const tw = info.providers.twilio!;
  const get = async (path: string): Promise<unknown> => (await fetch(`${info.origin}${path}`)).json();
  const handle: LocalSandbox = {
    sandbox,
    origin: info.origin,
    providers: info.providers,
    twilio: { baseUrl: tw.baseUrl, accountSid: tw.credentials.accountSid!, authToken: tw.credentials.authToken!, defaultFrom: tw.defaultFrom },
    messages: async (query = '') => ((await get(`/_sandbox/messages${query}`)) as { messages: SandboxMessage[] }).messages,
    webhooks: async () => ((await get('/_sandbox/webhooks')) as { webhooks: Awaited<ReturnType<SandboxHandle['webhooks']>> }).webhooks,
    message: async (id) => (await get(`/_sandbox/messages/${id}`)) as SandboxMessage,
    waitFor: (id, pred, timeoutMs = 5000) =>
      vi.waitFor(
        async () => {
          const m = await handle.message(id);
          if (!pred(m)) throw new Error(`message ${id} never reached the expected state: ${JSON.stringify(m)}`);
          return m;
        },
        { timeout: timeoutMs, interval: 20 },
      ),
    async setFaults(f) {
      // Through the admin API: it also resets the rate-limit buckets, which are private to the server.
      await fetch(`${info.origin}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(f) });
    },
    async clear() {
      await fetch(`${info.origin}/_sandbox/messages`, { method: 'DELETE' });
    },
    stop: () => sandbox.close(),
  };
  return handle;
}
