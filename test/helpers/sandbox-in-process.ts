// The sandbox started in the test's own process (startSandbox) behind the same handle as the
// spawned one (sandbox.ts): what is under test is `mms`, not the sandbox's process, so no child.
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { sandboxApi, type SandboxHandle } from './sandbox.js';

/** The spawned sandbox's handle without the child process, plus the in-process Sandbox itself. */
export type LocalSandbox = Omit<SandboxHandle, 'child' | 'stop'> & { sandbox: Sandbox; stop(): Promise<void> };

/** Starts a sandbox on a free loopback port in this process (5 ms steps, as the spawned one). */
export async function startLocalSandbox(): Promise<LocalSandbox> {
  const sandbox = await startSandbox({ port: 0, stepDelayMs: 5 });
  const info = sandbox.info();
  const handle: LocalSandbox = {
    ...sandboxApi(info.origin, info.providers),
    sandbox,
    stop: () => sandbox.close(),
  };
  return handle;
}
