// Spawns the built `mms` binary the way a script or cron job would: no TTY, CI=1, no color.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/mms.js', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

/** Environment for a hermetic run: nothing inherited that could change behaviour. */
export function baseEnv(configDir: string): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: configDir, CI: '1', NO_COLOR: '1', MMS_CONFIG_DIR: configDir };
  return env;
}

/** Runs `mms` with args; resolves when it exits. */
export function runCli(args: string[], opts: RunOptions & { configDir: string }): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = { ...baseEnv(opts.configDir) };
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: opts.cwd ?? process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A temporary config directory, removed by the returned cleanup. */
export function tempConfigDir(): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'mms-test-'));
  const dir = join(root, 'config');
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
