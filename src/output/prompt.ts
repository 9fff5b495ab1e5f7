// The only @inquirer/prompts importer. Every helper checks canPrompt first: a cron job never hangs.
import { CancelledError, UsageError, ErrorCode } from '../errors/errors.js';
import type { IO } from './io.js';

function ensure(io: IO, flagHint: string): void {
  if (!io.canPrompt) {
    throw new UsageError(`${flagHint} is required when not running interactively`, { code: ErrorCode.MISSING_ARGUMENT });
  }
}

async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    // inquirer throws ExitPromptError on Ctrl+C; match by name as its class is internal.
    if (err instanceof Error && err.name === 'ExitPromptError') throw new CancelledError('Cancelled at the prompt');
    throw err;
  }
}

/** Asks for a line of text. */
export async function askText(
  io: IO,
  flagHint: string,
  message: string,
  opts: { default?: string; validate?: (v: string) => true | string } = {},
): Promise<string> {
  ensure(io, flagHint);
  const { input } = await import('@inquirer/prompts');
  return guard(
    input(
      { message, ...(opts.default !== undefined ? { default: opts.default } : {}), ...(opts.validate ? { validate: opts.validate } : {}) },
      { output: io.stderr as NodeJS.WritableStream, input: io.stdin as NodeJS.ReadableStream },
    ),
  );
}

/** Asks for a secret with a masked prompt. */
export async function askSecret(io: IO, flagHint: string, message: string): Promise<string> {
  ensure(io, flagHint);
  const { password } = await import('@inquirer/prompts');
  return guard(
    password(
      { message, mask: '*', validate: (v) => (v.trim() ? true : 'A value is required') },
      { output: io.stderr as NodeJS.WritableStream, input: io.stdin as NodeJS.ReadableStream },
    ),
  );
}

/** Asks the user to choose one of several values. */
export async function askChoice<T extends string>(io: IO, flagHint: string, message: string, choices: { value: T; name: string }[]): Promise<T> {
  ensure(io, flagHint);
  const { select } = await import('@inquirer/prompts');
  return guard(select<T>({ message, choices }, { output: io.stderr as NodeJS.WritableStream, input: io.stdin as NodeJS.ReadableStream }));
}

/** Asks a yes/no question. */
export async function askConfirm(io: IO, flagHint: string, message: string, def = false): Promise<boolean> {
  ensure(io, flagHint);
  const { confirm } = await import('@inquirer/prompts');
  return guard(confirm({ message, default: def }, { output: io.stderr as NodeJS.WritableStream, input: io.stdin as NodeJS.ReadableStream }));
}
