import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * Stable error codes. They are part of the JSON contract (`{"error":{"code"}}` and per-recipient
 * `error.code`): add new ones, never rename or remove.
 */
export const ErrorCode = {
  INTERNAL: 'INTERNAL',
  USAGE: 'USAGE',
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  UNKNOWN_OPTION: 'UNKNOWN_OPTION',
  MISSING_ARGUMENT: 'MISSING_ARGUMENT',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  CONFIG_INVALID: 'CONFIG_INVALID',
  CONFIG_KEY_UNKNOWN: 'CONFIG_KEY_UNKNOWN',
  PROFILE_NOT_FOUND: 'PROFILE_NOT_FOUND',
  PROVIDER_UNKNOWN: 'PROVIDER_UNKNOWN',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  /** --fit needs sharp (images) or ffmpeg (video, audio), and it is not installed. */
  MEDIA_FIT_UNAVAILABLE: 'MEDIA_FIT_UNAVAILABLE',
  AUTH_MISSING: 'AUTH_MISSING',
  AUTH_REJECTED: 'AUTH_REJECTED',
  AUTH_FORBIDDEN: 'AUTH_FORBIDDEN',
  RECIPIENT_MISSING: 'RECIPIENT_MISSING',
  RECIPIENT_INVALID: 'RECIPIENT_INVALID',
  SENDER_MISSING: 'SENDER_MISSING',
  SENDER_INVALID: 'SENDER_INVALID',
  MESSAGE_EMPTY: 'MESSAGE_EMPTY',
  BODY_TOO_LONG: 'BODY_TOO_LONG',
  BODY_UNREADABLE: 'BODY_UNREADABLE',
  MEDIA_NOT_FOUND: 'MEDIA_NOT_FOUND',
  MEDIA_NOT_A_FILE: 'MEDIA_NOT_A_FILE',
  MEDIA_UNREADABLE: 'MEDIA_UNREADABLE',
  MEDIA_EMPTY: 'MEDIA_EMPTY',
  MEDIA_TYPE_UNSUPPORTED: 'MEDIA_TYPE_UNSUPPORTED',
  MEDIA_TOO_LARGE: 'MEDIA_TOO_LARGE',
  MEDIA_TOO_MANY: 'MEDIA_TOO_MANY',
  MEDIA_URL_INVALID: 'MEDIA_URL_INVALID',
  MEDIA_NEEDS_PUBLIC_URL: 'MEDIA_NEEDS_PUBLIC_URL',
  MEDIA_FETCH_FAILED: 'MEDIA_FETCH_FAILED',
  INPUT_INVALID: 'INPUT_INVALID',
  RECIPIENT_REJECTED: 'RECIPIENT_REJECTED',
  RECIPIENT_UNREACHABLE: 'RECIPIENT_UNREACHABLE',
  RECIPIENT_OPTED_OUT: 'RECIPIENT_OPTED_OUT',
  SENDER_REJECTED: 'SENDER_REJECTED',
  MEDIA_REJECTED: 'MEDIA_REJECTED',
  PROVIDER_REJECTED: 'PROVIDER_REJECTED',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  NETWORK_ERROR: 'NETWORK_ERROR',
  TIMEOUT: 'TIMEOUT',
  PROVIDER_UNAVAILABLE: 'PROVIDER_UNAVAILABLE',
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
  PENDING: 'PENDING',
  JOURNAL_LOCKED: 'JOURNAL_LOCKED',
  JOURNAL_UNUSABLE: 'JOURNAL_UNUSABLE',
  JOURNAL_WRITE_FAILED: 'JOURNAL_WRITE_FAILED',
  JOURNAL_DAMAGED: 'JOURNAL_DAMAGED',
  CANCELLED: 'CANCELLED',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface CliErrorOptions {
  suggestion?: string;
  cause?: unknown;
  /** Extra machine-readable detail for --json (e.g. the list of invalid inputs). */
  details?: unknown;
}

/** Base class of every error the CLI expects: a stable code, an exit code, and what to do next. */
export class CliError extends Error {
  readonly code: ErrorCodeValue;
  readonly exitCode: ExitCodeValue;
  readonly suggestion?: string;
  readonly details?: unknown;

  constructor(code: ErrorCodeValue, exitCode: ExitCodeValue, message: string, opts: CliErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    if (opts.suggestion !== undefined) this.suggestion = opts.suggestion;
    if (opts.details !== undefined) this.details = opts.details;
  }
}

/** A bad flag, argument, or a required input missing where prompting is impossible (exit 2). */
export class UsageError extends CliError {
  constructor(message: string, opts: CliErrorOptions & { code?: ErrorCodeValue } = {}) {
    super(opts.code ?? ErrorCode.USAGE, ExitCode.USAGE, message, opts);
  }
}

/** A config file, profile or setting that cannot be used (exit 2: the user must fix the invocation/config). */
export class ConfigError extends CliError {
  constructor(code: ErrorCodeValue, message: string, opts: CliErrorOptions = {}) {
    super(code, ExitCode.USAGE, message, opts);
  }
}

/** Credentials missing or rejected (exit 4). */
export class AuthError extends CliError {
  constructor(code: ErrorCodeValue, message: string, opts: CliErrorOptions = {}) {
    super(code, ExitCode.AUTH, message, opts);
  }
}

/** Invalid input found before anything was sent: recipients, media, body (exit 5). */
export class InputError extends CliError {
  constructor(code: ErrorCodeValue, message: string, opts: CliErrorOptions = {}) {
    super(code, ExitCode.INVALID_INPUT, message, opts);
  }
}

/** Media that fails validation (exit 5). */
export class MediaError extends InputError {}

/** Recipients that fail validation (exit 5). */
export class RecipientError extends InputError {}

export interface ProviderErrorOptions extends CliErrorOptions {
  provider: string;
  httpStatus?: number;
  providerCode?: string | number;
  providerMessage?: string;
  moreInfo?: string;
  retryAfterMs?: number;
}

/** An error reported by (or on the way to) a provider; the adapter translates it to our code. */
export class ProviderError extends CliError {
  readonly provider: string;
  readonly httpStatus?: number;
  readonly providerCode?: string | number;
  readonly providerMessage?: string;
  readonly moreInfo?: string;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCodeValue, exitCode: ExitCodeValue, message: string, opts: ProviderErrorOptions) {
    super(code, exitCode, message, opts);
    this.provider = opts.provider;
    if (opts.httpStatus !== undefined) this.httpStatus = opts.httpStatus;
    if (opts.providerCode !== undefined) this.providerCode = opts.providerCode;
    if (opts.providerMessage !== undefined) this.providerMessage = opts.providerMessage;
    if (opts.moreInfo !== undefined) this.moreInfo = opts.moreInfo;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

/** The user interrupted (Ctrl+C, or Ctrl+C inside a prompt): exit 130. */
export class CancelledError extends CliError {
  constructor(message = 'Interrupted', opts: CliErrorOptions = {}) {
    super(ErrorCode.CANCELLED, ExitCode.INTERRUPTED, message, opts);
  }
}

/** The exit code a provider-side or network error class maps to. */
export function exitCodeForErrorCode(code: ErrorCodeValue): ExitCodeValue {
  switch (code) {
    case ErrorCode.AUTH_MISSING:
    case ErrorCode.AUTH_REJECTED:
    case ErrorCode.AUTH_FORBIDDEN:
      return ExitCode.AUTH;
    case ErrorCode.RATE_LIMITED:
    case ErrorCode.NETWORK_ERROR:
    case ErrorCode.TIMEOUT:
    case ErrorCode.PROVIDER_UNAVAILABLE:
    case ErrorCode.OUTCOME_UNKNOWN:
      return ExitCode.UNAVAILABLE;
    case ErrorCode.PENDING:
      return ExitCode.PENDING;
    case ErrorCode.CANCELLED:
      return ExitCode.INTERRUPTED;
    case ErrorCode.JOURNAL_WRITE_FAILED:
      return ExitCode.JOURNAL_FAILED;
    case ErrorCode.INTERNAL:
      return ExitCode.INTERNAL;
    default:
      return ExitCode.PROVIDER_REJECTED;
  }
}
