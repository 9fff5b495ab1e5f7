// `mms sandbox` in a real 40×10 terminal (tmux): the start-up banner is fitted to the width, so the
// terminal wraps nothing (no joined row is wider than the usable 39 columns) and the origin URL and
// the credentials path each stand whole on one row. Needs the built binary (`npm run build`) and
// tmux (skipped without it).
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BIN, baseEnv, tempConfigDir } from '../helpers/run-cli.js';
import { hasTmux, shellQuote } from '../tty/tmux.js';

const WIDTH = 40;
const conf = tempConfigDir();
const sockets: string[] = [];
afterAll(() => {
  for (const s of sockets) spawnSync('tmux', ['-L', s, 'kill-server'], { stdio: 'ignore' });
  conf.cleanup();
});

/** Runs `command` in a detached WIDTH×10 tmux session on a private socket; capture() reads the scrollback too, wrapped rows joined. */
function startPane(command: string, env: Record<string, string>) {
  const socket = `mms-sbx-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  sockets.push(socket);
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
  tmux('new-session', '-d', '-x', String(WIDTH), '-y', '10', '-s', 'mms', command);
  return {
    capture: () => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'mms').replace(/\n+$/, '').split('\n'),
    keys: (...keys: string[]) => void tmux('send-keys', '-t', 'mms', ...keys),
  };
}

describe.skipIf(!hasTmux())('mms sandbox in a 40-column terminal', () => {
  it('the banner fits: no row wider than the terminal, the URL and the credentials path whole', async () => {
    // The usual layout: the config directory under the home directory (shown as ~/…).
    const home = join(conf.dir, '..');
    const env: Record<string, string> = { ...baseEnv(conf.dir), HOME: home, MMS_CONFIG_DIR: join(home, '.config', 'mms'), TERM: 'xterm' };
    delete env.CI;
    const assignments = Object.entries(env)
      .map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(' ');
    const pane = startPane(`env ${assignments} ${shellQuote(process.execPath)} ${shellQuote(BIN)} sandbox --port 0 --memory; sleep 600`, {
      PATH: process.env.PATH ?? '',
      HOME: home,
      TERM: 'xterm',
    });
    const screen = await vi.waitFor(
      () => {
        const rows = pane.capture();
        if (!rows.some((l) => l.includes('Press Ctrl+C to stop.'))) throw new Error(`no banner yet:\n${rows.join('\n')}`);
        return rows;
      },
      { timeout: 20_000, interval: 50 },
    );
    const banner = screen.filter((l) => l.trim() !== '');
    for (const row of banner) expect([...row].length, row).toBeLessThan(WIDTH);
    const origin = /http:\/\/127\.0\.0\.1:\d+/.exec(banner.join('\n'))![0];
    expect(banner).toContain(origin);
    expect(banner.some((l) => l.trim() === `${origin}/<provider>`)).toBe(true);
    expect(banner.some((l) => l.trim() === '~/.config/mms/sandbox/credentials.json')).toBe(true);
    expect(banner.some((l) => /^ {15}bandwidth \+15557770041,$/.test(l))).toBe(true);
    pane.keys('C-c');
    await vi.waitFor(
      () => {
        if (!pane.capture().some((l) => l.includes('Sandbox stopped.'))) throw new Error('still running');
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});
