// The stand-ins `mms --help` lists must say exactly what the real commands say.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { COMMANDS, loadCommand, targetCommand } from '../../../src/commands/index.js';
import { createContext } from '../../../src/context.js';
import { createIO } from '../../../src/output/io.js';
import { PLAIN_THEME } from '../../../src/output/theme.js';

const io = createIO({}, {}, { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough() });
const ctx = createContext({ io, env: {}, version: '0.0.0', errTheme: PLAIN_THEME, outTheme: PLAIN_THEME, signal: new AbortController().signal, cleanups: [] });

describe('command registry', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: the stand-in matches the real command', async (name, entry) => {
    const real = (await loadCommand(name, ctx))!;
    expect(real.name()).toBe(name);
    expect(real.description()).toBe(entry.description);
    const term = new Command().createHelp().subcommandTerm(real);
    expect(term).toBe(entry.term ? `${name} ${entry.term}` : name);
  });

  it.each([
    [['send', '--to', 'x'], 'send'],
    [['--json', '--profile', 'work', 'status', 'SM1'], 'status'],
    [['--profile', 'send', 'listen'], 'listen'],
    [['--help'], undefined],
    [['--', 'send'], undefined],
  ])('finds the command in %j', (args, name) => {
    expect(targetCommand(args)).toBe(name);
  });
});
