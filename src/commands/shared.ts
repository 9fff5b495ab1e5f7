// Helpers shared by commands: the account for a run, exit codes, stdin and list flags.
import type { AppContext } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { formatBytes } from '../media/size.js';
import { loadAccount as loadAccountFor, type AccountEnvironment, type AccountFlags, type LoadedAccount } from '../services/account.js';
import type { GlobalOptions } from './index.js';

export type { LoadedAccount } from '../services/account.js';

/** Resolves profile → provider → adapter → credentials for a command (see services/account.ts). */
export function loadAccount(ctx: AppContext, opts: GlobalOptions & AccountFlags): Promise<LoadedAccount> {
  return loadAccountFor(accountEnvironment(ctx), opts);
}

/** The part of the context an account needs: the store, env, Ctrl+C, and the --debug log. */
function accountEnvironment(ctx: AppContext): AccountEnvironment {
  return {
    store: () => ctx.store(),
    env: ctx.env,
    signal: ctx.signal,
    secretsFound: (values) => ctx.io.addSecrets(values),
    ...(ctx.io.debug ? { debugLog: (line: string) => ctx.io.debugLog(line) } : {}),
  };
}

/**
 * Wraps a command action that returns its exit code (or nothing, for success): the code is
 * handed to cli.ts, the only place that applies it to the process.
 */
export function withExitCode<A extends unknown[]>(ctx: AppContext, action: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = await action(...args);
    if (typeof code === 'number') ctx.setExitCode(code);
  };
}

/** Reads all of stdin as text. */
export async function readStdin(ctx: AppContext, what = 'stdin', maxBytes = STDIN_TEXT_LIMIT): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.io.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    // Stop reading at the limit: `/dev/zero` or a mistaken multi-GB file must not exhaust memory.
    if (size > maxBytes) throw new UsageError(`${what}: stdin holds more than ${formatBytes(maxBytes)}; pass a smaller input`);
    chunks.push(buf);
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.includes(0)) throw new UsageError(`${what}: stdin holds binary data (a NUL byte); pass text`);
  return bytes.toString('utf8');
}

/** The most text read from stdin for one value (a message body, a secret): far above any real one. */
export const STDIN_TEXT_LIMIT = 1024 * 1024;

/** Splits repeatable, comma-separated flag values. */
export function splitList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Commander collector for repeatable flags. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
