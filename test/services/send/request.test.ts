// `mms send` flags → SendRequest (pure): the fit flags and the config's `fit`, --rate 0, and URL flags, each
// refused with a UsageError (exit 2) naming the flag before anything is read or sent.
import { describe, expect, it } from 'vitest';
import { toSendRequest, type SendOptions } from '../../../src/commands/send.js';

const opts = (o: Partial<SendOptions> = {}): SendOptions => ({ to: ['+15551234567'], media: [], dryRun: false, concurrency: '4', mediaTimeout: '120', ...o });

describe('fit flags', () => {
  it.each([
    [{}, {}, undefined],
    [{ fit: true }, {}, true],
    [{}, { fit: 'auto' }, true],
    [{}, { fit: 'off' }, undefined],
    [{ fit: false }, { fit: 'auto' }, undefined],
    [{ fitBudget: '600KB' }, {}, true],
  ] as const)('%j with config %j → fit %s', (flags, config, fit) => {
    expect(toSendRequest(opts(flags), config).fit).toBe(fit);
  });

  it('parses --fit-budget (KB and MB are 1000-based, KiB 1024)', () => {
    expect(toSendRequest(opts({ fitBudget: '600KB' })).fitBudgetBytes).toBe(600_000);
    expect(toSendRequest(opts({ fitBudget: '500 KiB' })).fitBudgetBytes).toBe(512_000);
  });

  it('refuses --fit-budget with --no-fit, and sizes it cannot read', () => {
    expect(() => toSendRequest(opts({ fit: false, fitBudget: '600KB' }))).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringContaining('--no-fit') }),
    );
    expect(() => toSendRequest(opts({ fitBudget: '5 GB' }))).toThrow(expect.objectContaining({ exitCode: 2, code: 'INVALID_ARGUMENT' }));
  });

  it('--strip-metadata and --journal-repair pass through', () => {
    expect(toSendRequest(opts({ stripMetadata: true, journalRepair: true }))).toMatchObject({ stripMetadata: true, journalRepair: true });
  });
});

describe('--rate', () => {
  it.each(['0', '0/s', '0.0/m'])('%j is refused', (rate) => {
    expect(() => toSendRequest(opts({ rate }))).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('would send nothing') }));
  });

  it.each([
    ['unlimited', Infinity],
    ['none', Infinity],
    ['10/s', 10],
  ])('%j → %d per second', (rate, perSecond) => {
    expect(toSendRequest(opts({ rate })).ratePerSecond).toBe(perSecond);
  });
});

describe('URL flags', () => {
  it('accepts http(s) URLs, and credentials in --status-callback (basic auth on callbacks)', () => {
    const r = toSendRequest(opts({ baseUrl: 'http://127.0.0.1:4010', statusCallback: 'https://user:pw@example.com/status' }));
    expect(r.statusCallback).toBe('https://user:pw@example.com/status');
  });

  it('sanitises what it echoes', () => {
    expect(() => toSendRequest(opts({ statusCallback: 'javascript:\u001b[31mred' }))).toThrow(
      expect.objectContaining({ message: '--status-callback "javascript:\\u001b[31mred": only http(s) URLs are accepted (got javascript)' }),
    );
  });
});
