// Runs a command in a real pseudo-terminal of a fixed size (tmux, on a private socket so that test
// runs never meet each other or the user's sessions) and reads what the screen shows.
import { execFileSync, spawnSync } from 'node:child_process';

/** True when the tmux binary can be run (the tests skip otherwise; CI installs it). */
export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

export interface TmuxPane {
  /** The screen, one string per row; wrapped rows are joined (-J), so a wrapped line shows up as one long line. */
  capture(): string[];
  /** Types keys into the pane (tmux key names, e.g. 'C-c'). */
  keys(...keys: string[]): void;
  /** Ends the session and its server. */
  kill(): void;
}

/** Quotes one word for sh. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Starts `command` (a sh command line) in a detached session `width`×`height` on its own socket. */
export function startPane(command: string, opts: { width: number; height: number; env: Record<string, string> }): TmuxPane {
  const socket = `mms-tty-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: opts.env });
  tmux('new-session', '-d', '-x', String(opts.width), '-y', String(opts.height), '-s', 'mms', command);
  return {
    capture: () => tmux('capture-pane', '-p', '-J', '-t', 'mms').replace(/\n$/, '').split('\n'),
    keys: (...keys) => void tmux('send-keys', '-t', 'mms', ...keys),
    kill: () => {
      spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    },
  };
}
