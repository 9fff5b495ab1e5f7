// A reader that goes away (`mms … | head -1`) must end mms quietly: no stack trace, a documented
// exit code. The pipe's read end is closed before mms writes, so every write meets EPIPE.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, baseEnv, tempConfigDir } from '../helpers/run-cli.js';

function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const cfg = tempConfigDir();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: baseEnv(cfg.dir), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      cfg.cleanup();
      resolve({ code, stderr });
    });
  });
}

describe('closed stdout', () => {
  it.each([[['--help']], [['--version']], [['providers']], [['help', 'exit-codes']], [['completion', 'bash']]])('mms %j ends quietly', async (args) => {
    const r = await runWithClosedStdout(args);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
    expect(r.code).toBe(0);
  });
});
