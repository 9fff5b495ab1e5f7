import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { killTrackedChildren, killWithProcess } from '../../../../src/webhook/tunnel/orphans.js';

describe('tunnel child processes', () => {
  it('killTrackedChildren ends every tracked child still running (what cli.ts does at process exit)', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    killWithProcess(child);
    const exited = once(child, 'exit');
    killTrackedChildren();
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect(code).toBeNull();
    expect(signal).toBe('SIGKILL');
    // Nothing left to kill: a second call is harmless.
    expect(() => killTrackedChildren()).not.toThrow();
  });
});
