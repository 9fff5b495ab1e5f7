import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { colorEnabled, createIO } from '../../../src/output/io.js';
import { sendExitCode } from '../../../src/commands/send.js';

describe('colorEnabled', () => {
  it.each([
    [true, {}, undefined, true],
    [false, {}, undefined, false],
    [true, { NO_COLOR: '1' }, undefined, false],
    [true, { NO_COLOR: '' }, undefined, true],
    [true, {}, false, false],
    [true, { TERM: 'dumb' }, undefined, false],
    [false, { FORCE_COLOR: '1' }, undefined, true],
    [true, { FORCE_COLOR: '0' }, undefined, false],
    [false, { FORCE_COLOR: '1', NO_COLOR: '1' }, undefined, false],
  ])('tty=%s env=%j flag=%s → %s', (tty, env, flag, expected) => {
    expect(colorEnabled(tty, env, flag)).toBe(expected);
  });
});

describe('createIO', () => {
  const streams = (tty: boolean) => {
    const mk = () => Object.assign(new PassThrough(), { isTTY: tty });
    return { stdout: mk(), stderr: mk(), stdin: mk() };
  };
  it('prompts only on a TTY, outside CI, without --json', () => {
    expect(createIO({}, {}, streams(true)).canPrompt).toBe(true);
    expect(createIO({}, { CI: '1' }, streams(true)).canPrompt).toBe(false);
    expect(createIO({}, { MMS_NO_PROMPT: '1' }, streams(true)).canPrompt).toBe(false);
    expect(createIO({ json: true }, {}, streams(true)).canPrompt).toBe(false);
    expect(createIO({}, {}, streams(false)).canPrompt).toBe(false);
  });
  it('turns debug on with MMS_DEBUG', () => {
    expect(createIO({}, { MMS_DEBUG: '1' }, streams(false)).debug).toBe(true);
    expect(createIO({}, { MMS_DEBUG: '0' }, streams(false)).debug).toBe(false);
  });
});

describe('sendExitCode', () => {
  const ok = { to: '+1', status: 'accepted' as const, id: 'x' };
  const fail = (code: 'RECIPIENT_INVALID' | 'AUTH_REJECTED' | 'NETWORK_ERROR') => ({ to: '+2', status: 'failed' as const, error: { code, message: 'm' } });
  it("is 0 when all are accepted, 3 when some fail, the failure's own code when none is accepted", () => {
    expect(sendExitCode({ dryRun: false, interrupted: false, results: [ok, ok] })).toBe(0);
    expect(sendExitCode({ dryRun: false, interrupted: false, results: [ok, fail('RECIPIENT_INVALID')] })).toBe(3);
    expect(sendExitCode({ dryRun: false, interrupted: false, results: [fail('RECIPIENT_INVALID')] })).toBe(6);
    expect(sendExitCode({ dryRun: false, interrupted: false, results: [fail('NETWORK_ERROR'), fail('NETWORK_ERROR'), fail('RECIPIENT_INVALID')] })).toBe(7);
    expect(sendExitCode({ dryRun: false, interrupted: true, results: [ok] })).toBe(130);
  });
  it('with --wait: 8 while a delivery is pending, 3 when one of several was undelivered, 6 when none was delivered', () => {
    const a = { ...ok, id: 'a' };
    const b = { ...ok, to: '+3', id: 'b' };
    const d = (x: Record<string, string>) => new Map(Object.entries(x).map(([k, v]) => [k, { status: v as 'delivered' }]));
    expect(sendExitCode({ dryRun: false, interrupted: false, results: [a, b], delivery: d({ a: 'delivered', b: 'delivered' }) })).toBe(0);
    expect(sendExitCode({ dryRun: false, interrupted: false, results: [a, b], delivery: d({ a: 'delivered', b: 'pending' }) })).toBe(8);
    expect(sendExitCode({ dryRun: false, interrupted: false, results: [a, b], delivery: d({ a: 'delivered', b: 'undelivered' }) })).toBe(3);
    expect(sendExitCode({ dryRun: false, interrupted: false, results: [a], delivery: d({ a: 'failed' }) })).toBe(6);
  });
});
