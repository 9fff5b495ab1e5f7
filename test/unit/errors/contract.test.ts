// The README is the user's manual: every error code and exit code in the code must be documented.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ErrorCode, exitCodeForErrorCode } from '../../../src/errors/errors.js';
import { EXIT_CODE_HELP } from '../../../src/errors/exit-codes.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('the documented contract', () => {
  it('lists every error code in the README', () => {
    const missing = Object.values(ErrorCode).filter((c) => !readme.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });

  it('documents every exit code in the README table', () => {
    for (const [code] of EXIT_CODE_HELP) expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('maps provider-side codes to the documented exit codes', () => {
    expect(exitCodeForErrorCode(ErrorCode.AUTH_REJECTED)).toBe(4);
    expect(exitCodeForErrorCode(ErrorCode.RATE_LIMITED)).toBe(7);
    expect(exitCodeForErrorCode(ErrorCode.OUTCOME_UNKNOWN)).toBe(7);
    expect(exitCodeForErrorCode(ErrorCode.RECIPIENT_INVALID)).toBe(6);
    expect(exitCodeForErrorCode(ErrorCode.CANCELLED)).toBe(130);
  });

  it('gives a journal that cannot be written (disk full) its own exit code, never 1', () => {
    expect(exitCodeForErrorCode(ErrorCode.JOURNAL_WRITE_FAILED)).toBe(9);
    expect(EXIT_CODE_HELP.map(([code]) => code)).toContain(9);
  });
});
