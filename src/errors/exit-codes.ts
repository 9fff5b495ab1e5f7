/** Process exit codes: part of the scripting contract, documented in the README and `mms help exit-codes`. */
export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  PARTIAL: 3,
  AUTH: 4,
  INVALID_INPUT: 5,
  PROVIDER_REJECTED: 6,
  UNAVAILABLE: 7,
  PENDING: 8,
  /** The journal could not be written (disk full, quota, I/O error): the run stopped, what it recorded is kept. */
  JOURNAL_FAILED: 9,
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per exit code, shown by `mms help exit-codes`. */
export const EXIT_CODE_HELP: ReadonlyArray<readonly [ExitCodeValue, string]> = [
  [ExitCode.OK, 'success: every recipient accepted (also: `mms listen` stopped cleanly)'],
  [ExitCode.INTERNAL, 'unexpected internal error (a bug: please report it with `mms --version`)'],
  [ExitCode.USAGE, 'usage: unknown flag, bad flag value, or a required input missing without a TTY'],
  [ExitCode.PARTIAL, 'partial: some recipients accepted, some failed'],
  [ExitCode.AUTH, 'credentials missing, or rejected by the provider (401/403)'],
  [ExitCode.INVALID_INPUT, 'invalid input found before sending (recipient, media, body): nothing was sent'],
  [ExitCode.PROVIDER_REJECTED, 'the provider rejected the request (4xx other than auth and rate limits)'],
  [ExitCode.UNAVAILABLE, 'network or provider unavailable, or still rate-limited after retries'],
  [ExitCode.PENDING, 'pending: --wait ended before a final delivery status'],
  [
    ExitCode.JOURNAL_FAILED,
    "the journal (or `--json`'s temporary copy of the results) could not be written (disk full, quota): the run stopped; what it recorded is kept, re-run to resume",
  ],
  [ExitCode.INTERRUPTED, 'interrupted (Ctrl+C)'],
];
