// Child processes (tunnel clients such as cloudflared) that must not outlive mms. Normally a
// tunnel's stop() ends its child; when the process exits without it (process.exit after a second
// Ctrl+C, or a run that did not wind down), cli.ts kills what is still tracked here, synchronously,
// in its process 'exit' handler: the only process-wide handlers live in cli.ts.
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();

/** Tracks `child` until it exits, so that it is killed if mms exits first. */
export function killWithProcess(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** SIGKILLs every tracked child still running (synchronous: safe in a process 'exit' handler). */
export function killTrackedChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
