// Turns any thrown value into the one-line error the user sees (or the JSON error document), and
// the exit code. Stack traces and causes only with --debug.
import { CliError, ErrorCode, UsageError } from './errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import type { IO } from '../output/io.js';
import type { Theme } from '../output/theme.js';
import { redactText } from '../config/redact.js';

export interface HandleOptions {
  io: IO;
  theme: Theme;
  version: string;
  /** Usage line of the command that failed (for usage errors). */
  usage?: string;
  /** Secrets to scrub from anything printed. */
  secrets?: string[];
}

/** Prints the error and returns the exit code. */
export function handleError(err: unknown, opts: HandleOptions): ExitCodeValue {
  const { io, theme } = opts;
  const scrub = (s: string) => redactText(s, opts.secrets ?? []);
  if (!(err instanceof CliError)) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (io.json) {
      io.stdout.write(JSON.stringify({ error: { code: ErrorCode.INTERNAL, message: scrub(e.message), suggestion: 'This is a bug: please report it' } }) + '\n');
    }
    io.warn(theme.error(`Error: ${scrub(e.message)}`));
    io.warn(`This is a bug in mms ${opts.version}: please report it with the command you ran (run again with --debug for details).`);
    if (io.debug && e.stack) io.warn(theme.dim(scrub(e.stack)));
    return ExitCode.INTERNAL;
  }
  if (io.json) {
    const error: Record<string, unknown> = { code: err.code, message: scrub(err.message) };
    if (err.suggestion) error.suggestion = scrub(err.suggestion);
    const pe = err as CliError & { providerCode?: unknown; httpStatus?: unknown; moreInfo?: unknown };
    if (pe.providerCode !== undefined) error.providerCode = pe.providerCode;
    if (pe.httpStatus !== undefined) error.httpStatus = pe.httpStatus;
    if (pe.moreInfo !== undefined) error.moreInfo = pe.moreInfo;
    if (err.details !== undefined) error.details = err.details;
    io.stdout.write(JSON.stringify({ error }) + '\n');
  }
  io.warn(theme.error(`Error: ${scrub(err.message)}`));
  if (err.suggestion) io.warn(scrub(err.suggestion));
  if (err instanceof UsageError && opts.usage) io.warn(theme.dim(opts.usage));
  if (io.debug) {
    if (err.stack) io.warn(theme.dim(scrub(err.stack)));
    let c: unknown = err.cause;
    while (c) {
      io.warn(theme.dim(`Caused by: ${scrub(c instanceof Error ? (c.stack ?? c.message) : String(c))}`));
      c = c instanceof Error ? c.cause : undefined;
    }
  }
  return err.exitCode;
}
