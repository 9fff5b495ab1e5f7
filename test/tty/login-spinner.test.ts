// `mms login` in a real terminal: its "Checking credentials" spinner runs on a TTY stderr (ora hooks
// the stream's write) and the run ends with the result line, not a stack overflow.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, baseEnv, tempConfigDir } from '../helpers/run-cli.js';
import { startLocalSandbox, type LocalSandbox } from '../helpers/sandbox-in-process.js';
import { hasTmux, shellQuote, startPane, type TmuxPane } from './tmux.js';

const conf = tempConfigDir();
let sandbox: LocalSandbox;
let pane: TmuxPane | undefined;

beforeAll(async () => {
  if (!hasTmux()) return;
  // In this process: the terminal is about `mms login`; a sandbox process would only cost a start-up.
  sandbox = await startLocalSandbox();
  await sandbox.setFaults({ latencyMs: [300, 400] });
});

afterAll(async () => {
  pane?.kill();
  await sandbox?.stop();
  conf.cleanup();
});

describe.skipIf(!hasTmux())('mms login in a terminal', () => {
  it('shows the spinner while checking, then the result; exit 0', async () => {
    const codeFile = join(conf.dir, '..', 'login.code');
    const env: Record<string, string> = { ...baseEnv(conf.dir), TERM: 'xterm' };
    delete env.CI;
    const assignments = Object.entries(env)
      .map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(' ');
    const tw = sandbox.twilio;
    const login = [process.execPath, BIN, 'login', '--provider', 'twilio', '--account-sid', tw.accountSid, '--auth-token-stdin', '--base-url', tw.baseUrl]
      .map(shellQuote)
      .join(' ');
    const command = `printf %s ${shellQuote(tw.authToken)} | env ${assignments} ${login}; echo $? > ${shellQuote(codeFile)}; sleep 600`;
    pane = startPane(command, { width: 60, height: 10, env: { PATH: process.env.PATH ?? '', HOME: conf.dir, TERM: 'xterm' } });
    const samples: string[][] = [];
    await vi.waitFor(
      () => {
        samples.push(pane!.capture());
        if (!existsSync(codeFile) || readFileSync(codeFile, 'utf8').trim() === '') throw new Error('still running');
      },
      { timeout: 20_000, interval: 40 },
    );
    const final = pane.capture().join('\n');
    expect(readFileSync(codeFile, 'utf8').trim()).toBe('0');
    expect(samples.some((s) => s.some((l) => l.includes('Checking Twilio credentials')))).toBe(true);
    expect(final).not.toContain('Maximum call stack');
    expect(final).not.toContain('Checking Twilio credentials');
  });
});
