// mms completion {bash|zsh|fish}: shell completion generated from the command tree itself (every
// command, subcommand, flag and flag value), so it cannot drift from what `mms` accepts. Values that
// change at run time (profile names) are asked of `mms completion --list <kind>` when completing.
import { Command, Option } from 'commander';
import type { AppContext } from '../context.js';
import { ErrorCode, UsageError } from '../errors/errors.js';
import { HELP_TOPICS } from './help.js';
import { withExitCode } from './shared.js';

/** One flag as completion needs it. */
export interface FlagSpec {
  long: string;
  short?: string;
  takesValue: boolean;
  /** Fixed values, a dynamic kind (`@profiles`), or `@file`. */
  values: string[] | '@profiles' | '@file' | undefined;
  description: string;
}

/** One command or subcommand. */
export interface CommandSpec {
  name: string;
  description: string;
  flags: FlagSpec[];
  subcommands: CommandSpec[];
  /** Fixed values for its first argument (e.g. config keys), or a dynamic kind. */
  args?: string[] | '@profiles';
}

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/** What each dynamic kind lists (`mms completion --list <kind>`). */
export const LIST_KINDS = ['profiles', 'providers', 'config-keys', 'commands'] as const;

function flagValues(opt: Option, providers: readonly string[]): FlagSpec['values'] {
  if (opt.argChoices) return [...opt.argChoices];
  const long = opt.long ?? '';
  if (long === '--provider') return [...providers];
  if (long === '--profile') return '@profiles';
  if (/<(path|file|dir|path-or-url)/.test(opt.flags) || ['--journal', '--save-media'].includes(long)) return '@file';
  return undefined;
}

function describe(cmd: Command, providers: readonly string[], argValues: (path: string) => CommandSpec['args'], prefix = ''): CommandSpec {
  const path = `${prefix}${cmd.name()}`;
  const flags = cmd.options
    .filter((o) => !o.hidden && o.long)
    .map((o): FlagSpec => ({
      long: o.long!,
      ...(o.short ? { short: o.short } : {}),
      takesValue: o.required || o.optional,
      values: o.required || o.optional ? flagValues(o, providers) : undefined,
      description: o.description,
    }));
  const args = argValues(path);
  return {
    name: cmd.name(),
    description: cmd.description(),
    flags,
    subcommands: cmd.commands.map((c) => describe(c, providers, argValues, `${path} `)),
    ...(args ? { args } : {}),
  };
}

/** Builds the spec of the whole program: the real commands, each loaded. */
export async function commandTree(program: Command, ctx: AppContext): Promise<CommandSpec> {
  const [{ COMMANDS, loadCommand }, { PROVIDER_NAMES }, { CONFIG_KEYS }] = await Promise.all([
    import('./index.js'),
    import('../providers/registry.js'),
    import('../config/schema.js'),
  ]);
  const keys = Object.keys(CONFIG_KEYS);
  const argValues = (path: string): CommandSpec['args'] =>
    ({
      'config get': keys,
      'config set': keys,
      'profiles use': '@profiles' as const,
      'profiles remove': '@profiles' as const,
      help: [...COMMANDS.map((c) => c.name), ...HELP_TOPICS],
    })[path];
  const root = { name: 'mms', description: program.description(), flags: describe(program, PROVIDER_NAMES, () => undefined).flags };
  const subcommands: CommandSpec[] = [];
  for (const entry of COMMANDS) {
    // The command being run is already loaded (and is the real one); the others load here.
    const cmd = entry.name === 'completion' ? program.commands.find((c) => c.name() === 'completion') : await loadCommand(entry.name, ctx);
    if (cmd) subcommands.push(describe(cmd, PROVIDER_NAMES, argValues));
  }
  const help = program.commands.find((c) => c.name() === 'help');
  if (help) subcommands.push(describe(help, PROVIDER_NAMES, argValues));
  return { ...root, subcommands };
}

function quote(words: readonly string[]): string {
  return words.join(' ');
}

function valueCase(flags: readonly FlagSpec[], indent: string): string {
  const lines: string[] = [];
  for (const f of flags) {
    if (!f.takesValue) continue;
    const names = [f.long, ...(f.short ? [f.short] : [])].join('|');
    if (f.values === '@file') lines.push(`${indent}${names}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`);
    else if (f.values === '@profiles')
      lines.push(`${indent}${names}) COMPREPLY=($(compgen -W "$(mms completion --list profiles 2>/dev/null)" -- "$cur")); return ;;`);
    else if (f.values) lines.push(`${indent}${names}) COMPREPLY=($(compgen -W "${quote(f.values)}" -- "$cur")); return ;;`);
    else lines.push(`${indent}${names}) return ;;`);
  }
  return lines.join('\n');
}

function argWords(spec: CommandSpec): string {
  if (spec.args === '@profiles') return '$(mms completion --list profiles 2>/dev/null)';
  return quote(spec.args ?? []);
}

/** The bash script (zsh loads it through bashcompinit). */
export function bashScript(tree: CommandSpec): string {
  const global = tree.flags;
  const valueFlags = [...global, ...tree.subcommands.flatMap((c) => [...c.flags, ...c.subcommands.flatMap((s) => s.flags)])]
    .filter((f) => f.takesValue)
    .flatMap((f) => [f.long, ...(f.short ? [f.short] : [])]);
  const cases = tree.subcommands.map((c) => {
    const own = [...c.flags, ...global];
    const subs = c.subcommands.map((s) => {
      const flags = [...s.flags, ...global];
      return [
        `        ${s.name})`,
        `          case "$prev" in\n${valueCase(flags, '            ')}\n          esac`,
        `          COMPREPLY=($(compgen -W "${quote(flags.map((f) => f.long))} ${argWords(s)}" -- "$cur")) ;;`,
      ].join('\n');
    });
    return [
      `    ${c.name})`,
      `      case "$prev" in\n${valueCase(own, '        ')}\n      esac`,
      c.subcommands.length
        ? `      case "$sub" in\n${subs.join('\n')}\n        *) COMPREPLY=($(compgen -W "${quote(c.subcommands.map((s) => s.name))} ${quote(own.map((f) => f.long))}" -- "$cur")) ;;\n      esac ;;`
        : `      COMPREPLY=($(compgen -W "${quote(own.map((f) => f.long))} ${argWords(c)}" -- "$cur")) ;;`,
    ].join('\n');
  });
  return `# bash completion for mms (generated by \`mms completion bash\`; regenerate after upgrading)
_mms_completion() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" sub="" i w
  # The command and subcommand: the first words that are neither flags nor flag values.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case " ${quote(valueFlags)} " in *" $w "*) i=$((i + 1)); continue ;; esac
    case "$w" in -*) continue ;; esac
    if [[ -z "$cmd" ]]; then cmd="$w"; elif [[ -z "$sub" ]]; then sub="$w"; fi
  done
  case "$cmd" in
${cases.join('\n')}
    *)
      case "$prev" in
${valueCase(global, '        ')}
      esac
      COMPREPLY=($(compgen -W "${quote(tree.subcommands.map((c) => c.name))} ${quote(global.map((f) => f.long))}" -- "$cur")) ;;
  esac
}
complete -o default -F _mms_completion mms
`;
}

function fishEscape(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fishFlag(f: FlagSpec, condition: string): string {
  const parts = [`complete -c mms -n ${fishEscape(condition)} -l ${f.long.slice(2)}`];
  if (f.short) parts.push(`-s ${f.short.slice(1)}`);
  if (f.takesValue) {
    if (f.values === '@file') parts.push('-r -F');
    else if (f.values === '@profiles') parts.push(`-x -a ${fishEscape('(mms completion --list profiles 2>/dev/null)')}`);
    else if (f.values) parts.push(`-x -a ${fishEscape(f.values.join(' '))}`);
    else parts.push('-r');
  }
  parts.push(`-d ${fishEscape(f.description)}`);
  return parts.join(' ');
}

/** The fish script. */
export function fishScript(tree: CommandSpec): string {
  const names = tree.subcommands.map((c) => c.name);
  const lines = ['# fish completion for mms (generated by `mms completion fish`)', 'complete -c mms -f'];
  for (const f of tree.flags) lines.push(fishFlag(f, 'true'));
  for (const c of tree.subcommands) {
    lines.push(`complete -c mms -n ${fishEscape(`not __fish_seen_subcommand_from ${names.join(' ')}`)} -a ${c.name} -d ${fishEscape(c.description)}`);
    const inCmd = `__fish_seen_subcommand_from ${c.name}`;
    for (const f of c.flags) lines.push(fishFlag(f, inCmd));
    for (const s of c.subcommands) {
      lines.push(
        `complete -c mms -n ${fishEscape(`${inCmd}; and not __fish_seen_subcommand_from ${c.subcommands.map((x) => x.name).join(' ')}`)} -a ${s.name} -d ${fishEscape(s.description)}`,
      );
      for (const f of s.flags) lines.push(fishFlag(f, `${inCmd}; and __fish_seen_subcommand_from ${s.name}`));
      if (s.args)
        lines.push(
          `complete -c mms -n ${fishEscape(`${inCmd}; and __fish_seen_subcommand_from ${s.name}`)} -a ${fishEscape(s.args === '@profiles' ? '(mms completion --list profiles 2>/dev/null)' : s.args.join(' '))}`,
        );
    }
    if (c.args)
      lines.push(
        `complete -c mms -n ${fishEscape(inCmd)} -a ${fishEscape(c.args === '@profiles' ? '(mms completion --list profiles 2>/dev/null)' : c.args.join(' '))}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** The script for a shell. */
export function completionScript(shell: Shell, tree: CommandSpec): string {
  if (shell === 'fish') return fishScript(tree);
  if (shell === 'zsh')
    return `#compdef mms\n# zsh completion for mms: the bash completion through zsh's bashcompinit.\nautoload -U +X bashcompinit && bashcompinit\n${bashScript(tree)}`;
  return bashScript(tree);
}

async function listValues(kind: string, ctx: AppContext, program: Command): Promise<string[]> {
  switch (kind) {
    case 'profiles':
      return Object.keys(ctx.store().readConfig().profiles ?? {});
    case 'providers':
      return [...(await import('../providers/registry.js')).PROVIDER_NAMES];
    case 'config-keys':
      return Object.keys((await import('../config/schema.js')).CONFIG_KEYS);
    default:
      return (await commandTree(program, ctx)).subcommands.map((c) => c.name);
  }
}

/** `mms completion`. */
export function createCompletionCommand(ctx: AppContext): Command {
  const cmd: Command = new Command('completion')
    .description('print a shell completion script: bash, zsh or fish')
    .argument('[shell]', `one of: ${SHELLS.join(', ')}`)
    .addOption(new Option('--list <kind>', 'print the current values of a kind, one per line (used by the scripts)').choices([...LIST_KINDS]).hideHelp())
    .addHelpText(
      'after',
      `
Examples:
  $ source <(mms completion bash)                       # this shell; add it to ~/.bashrc to keep it
  $ mms completion zsh > "\${fpath[1]}/_mms"             # zsh
  $ mms completion fish > ~/.config/fish/completions/mms.fish`,
    )
    .action(
      withExitCode(ctx, async (shell: string | undefined, opts: { list?: string }) => {
        const program = cmd.parent ?? cmd;
        if (opts.list !== undefined) {
          for (const v of await listValues(opts.list, ctx, program)) ctx.io.out(v);
          return;
        }
        if (shell === undefined || !(SHELLS as readonly string[]).includes(shell)) {
          throw new UsageError(shell === undefined ? 'Name the shell: mms completion bash, zsh or fish' : `Unknown shell "${shell}": use bash, zsh or fish`, {
            code: shell === undefined ? ErrorCode.MISSING_ARGUMENT : ErrorCode.INVALID_ARGUMENT,
            suggestion: 'Example: source <(mms completion bash)',
          });
        }
        ctx.io.stdout.write(completionScript(shell as Shell, await commandTree(program, ctx)));
      }),
    );
  return cmd;
}
