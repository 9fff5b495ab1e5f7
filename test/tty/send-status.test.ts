// `mms send` in a real 40-column terminal (tmux) against the sandbox with added latency: the live
// status line is on screen while the run goes on, stays on one line (no wrapping, no flood), and is
// gone at the end. Needs the built binary (`npm run build`) and tmux (skipped without it). The
// sandbox runs in this process: the terminal is about `mms send`, and a second process would only
// cost a start-up.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, baseEnv, tempConfigDir } from '../helpers/run-cli.js';
import { sandboxEnv } from '../helpers/sandbox.js';
import { startLocalSandbox, type LocalSandbox } from '../helpers/sandbox-in-process.js';
import { hasTmux, shellQuote, startPane, type TmuxPane } from './tmux.js';

const WIDTH = 40;
const STATUS = /ETA/;
const conf = tempConfigDir();
let sandbox: LocalSandbox;
const panes: TmuxPane[] = [];

beforeAll(async () => {
  if (!hasTmux()) return;
  sandbox = await startLocalSandbox();
  await sandbox.setFaults({ latencyMs: [120, 180] });
  const numbers = Array.from({ length: 24 }, (_, i) => `+1555300${String(i).padStart(4, '0')}`);
  writeFileSync(join(conf.dir, '..', 'list.txt'), numbers.join('\n'));
});

afterAll(async () => {
  for (const p of panes) p.kill();
  await sandbox?.stop();
  conf.cleanup();
});

/** Runs `mms send` in a 40×10 pane; samples the screen until it exits, then returns samples and the final screen. */
async function sendInPane(
  name: string,
  redirectStdout: boolean,
  onSample?: (pane: TmuxPane, screen: string[]) => void,
): Promise<{ samples: string[][]; final: string[]; code: number; stdout: string }> {
  const root = join(conf.dir, '..');
  const codeFile = join(root, `${name}.code`);
  const outFile = join(root, `${name}.out`);
  const env: Record<string, string> = { ...baseEnv(conf.dir), ...sandboxEnv(sandbox), TERM: 'xterm' };
  delete env.CI;
  const assignments = Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ');
  const send = `env ${assignments} ${shellQuote(process.execPath)} ${shellQuote(BIN)} send --to-file ${shellQuote(join(root, 'list.txt'))} --body hi --concurrency 2 --rate unlimited`;
  // The pane stays open after the command (sleep) so the final screen can be read.
  const command = `${send}${redirectStdout ? ` > ${shellQuote(outFile)}` : ''}; echo $? > ${shellQuote(codeFile)}; sleep 600`;
  const pane = startPane(command, { width: WIDTH, height: 10, env: { PATH: process.env.PATH ?? '', HOME: conf.dir, TERM: 'xterm' } });
  panes.push(pane);
  const samples: string[][] = [];
  await vi.waitFor(
    () => {
      const screen = pane.capture();
      samples.push(screen);
      onSample?.(pane, screen);
      if (!existsSync(codeFile) || readFileSync(codeFile, 'utf8').trim() === '') throw new Error('still sending');
    },
    { timeout: 20_000, interval: 40 },
  );
  const final = pane.capture();
  pane.kill();
  return { samples, final, code: Number(readFileSync(codeFile, 'utf8').trim()), stdout: redirectStdout ? readFileSync(outFile, 'utf8') : '' };
}

describe.skipIf(!hasTmux())('mms send in a 40-column terminal', () => {
  it('with stdout redirected: the status line is visible while sending, one line, never wider than the terminal', async () => {
    const r = await sendInPane('redirected', true);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(24);
    const shown = r.samples.filter((s) => s.some((l) => STATUS.test(l)));
    // Most samples taken while sending show it (the first ones predate the first result).
    expect(shown.length).toBeGreaterThan(r.samples.length / 2);
    for (const s of r.samples) {
      expect(s.filter((l) => STATUS.test(l)).length).toBeLessThanOrEqual(1);
      for (const l of s) expect([...l].length).toBeLessThanOrEqual(WIDTH);
    }
    expect(r.final.some((l) => STATUS.test(l))).toBe(false);
    expect(r.final.join('\n')).toMatch(/24 of 24 accepted via twilio in \d+\.\d s\./);
  });

  it('with stdout on the terminal: results scroll above the status line, which stays the last line', async () => {
    const r = await sendInPane('shared', false);
    expect(r.code).toBe(0);
    const withStatus = r.samples.filter((s) => s.some((l) => STATUS.test(l)));
    expect(withStatus.length).toBeGreaterThan(0);
    for (const s of withStatus) {
      const rows = s.filter((l) => l.trim() !== '');
      expect(rows.filter((l) => STATUS.test(l))).toHaveLength(1);
      expect(STATUS.test(rows.at(-1)!)).toBe(true);
      expect([...rows.at(-1)!].length).toBeLessThan(WIDTH);
    }
    expect(r.final.some((l) => STATUS.test(l))).toBe(false);
  });

  it('Ctrl+C while sending: the status line goes, and without --journal the hint says how to keep one next time', async () => {
    let isSent = false;
    const r = await sendInPane('interrupted', true, (pane, screen) => {
      if (!isSent && screen.some((l) => STATUS.test(l))) {
        isSent = true;
        pane.keys('C-c');
      }
    });
    expect(isSent).toBe(true);
    expect(r.code).toBe(130);
    const text = r.final.join('\n');
    expect(text).toContain('Interrupted');
    expect(text).not.toContain('Re-run with the same --journal');
    expect(text).toContain('--journal');
    expect(r.final.some((l) => STATUS.test(l))).toBe(false);
  });
});
