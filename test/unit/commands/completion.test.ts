// Completion scripts are generated from the command tree; the bash one is run in a real bash.
import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { bashScript, commandTree, completionScript, fishScript, type CommandSpec } from '../../../src/commands/completion.js';
import { createContext } from '../../../src/context.js';
import { createIO } from '../../../src/output/io.js';
import { PLAIN_THEME } from '../../../src/output/theme.js';
import { createProgram } from '../../../src/program.js';
import { CONFIG_KEYS } from '../../../src/config/schema.js';
import { PROVIDER_NAMES } from '../../../src/providers/registry.js';

const io = createIO({}, {}, { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough() });
const ctx = createContext({ io, env: {}, version: '0.0.0', errTheme: PLAIN_THEME, outTheme: PLAIN_THEME, signal: new AbortController().signal, cleanups: [] });

let tree: CommandSpec;
let script: string;
beforeAll(async () => {
  tree = await commandTree(await createProgram(ctx, []), ctx);
  script = bashScript(tree);
});

/** What bash offers for a command line ending in `words` (the last word is being completed). */
function complete(words: string[]): string[] {
  const line = ['mms', ...words];
  const program = [
    // `mms completion --list profiles`, as an installed mms would answer.
    'mms() { [[ "$*" == "completion --list profiles" ]] && printf "work\\nhome\\n"; }',
    script,
    `COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}`,
    '_mms_completion',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return execFileSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('mms completion', () => {
  it('lists every command and the global flags', () => {
    expect(complete([''])).toEqual(expect.arrayContaining(['send', 'listen', 'status', 'login', 'config', 'sandbox', 'providers', '--json', '--profile']));
    expect(complete(['se'])).toEqual(['send']);
  });

  it("completes a command's own flags, and flag values from the tree (choices, providers, files)", () => {
    expect(complete(['send', '--to-f'])).toEqual(['--to-file']);
    expect(complete(['send', '--provider', ''])).toEqual([...PROVIDER_NAMES]);
    expect(complete(['listen', '--tunnel', ''])).toEqual(['auto', 'ngrok', 'cloudflared', 'localtunnel', 'public-url']);
    expect(complete(['send', '--dry'])).toEqual(['--dry-run']);
  });

  it('asks mms for profile names, and skips a flag value when finding the command', () => {
    expect(complete(['--profile', ''])).toEqual(['work', 'home']);
    expect(complete(['--profile', 'work', 'sta'])).toEqual(['status']);
    expect(complete(['profiles', 'use', ''])).toEqual(expect.arrayContaining(['work', 'home']));
  });

  it('completes help topics', () => {
    expect(complete(['help', 'env'])).toEqual(['environment']);
    expect(complete(['help', ''])).toEqual(expect.arrayContaining(['send', 'exit-codes', 'environment']));
  });

  it('completes subcommands and config keys', () => {
    expect(complete(['config', ''])).toEqual(expect.arrayContaining(['get', 'set', 'list', 'path']));
    expect(complete(['config', 'set', ''])).toEqual(expect.arrayContaining(Object.keys(CONFIG_KEYS)));
  });

  it('zsh loads the same completion through bashcompinit; fish gets its own complete lines', () => {
    expect(completionScript('zsh', tree)).toContain('bashcompinit');
    const fish = fishScript(tree);
    expect(fish).toContain("complete -c mms -n 'not __fish_seen_subcommand_from");
    expect(fish).toMatch(/-l to-file -r -F/);
    expect(fish).toContain("-l provider -x -a 'twilio telnyx plivo vonage bandwidth sinch'");
  });
});
