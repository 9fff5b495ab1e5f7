// Lost answers settled from the provider's message log (findSent), per provider with a log API:
// the sandbox creates the message and then resets the connection; `mms send` must not resend but
// find the message in the dialect's list endpoint and count it as accepted, with the record's id.
// (Twilio's case is in bulk.test.ts; Telnyx and Vonage have no usable log, see their adapters.)
// Also: a journal an earlier run left in doubt is settled from the same log before sending.
import { describe, expect, it } from 'vitest';
import { sendMessages } from '../../../src/services/send/index.js';
import type { SendJournal } from '../../../src/services/send/index.js';
import type { JournalRecord } from '../../../src/core/journal.js';
import { sendPortsFor, sendRequest, useSendHarness } from './harness.js';

const h = useSendHarness();

describe('a lost answer is settled from the provider log, never resent', () => {
  for (const p of ['plivo', 'bandwidth', 'sinch']) {
    it(`${p}: exit 0, accepted with the sandbox record's id, exactly one message`, async () => {
      await h.setFaults({ resetRate: 1 });
      const r = await h.run(['send', '--provider', p, '--to', '+15552000031', '--body', 'x', '--json'], { env: h.providerEnv(p) });
      // The sandbox created the message and then reset the connection: mms finds it in the log.
      const msgs = h.messages(p);
      expect(msgs, JSON.stringify(msgs)).toHaveLength(1);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).results[0]).toMatchObject({ status: 'accepted', id: msgs[0]!.id });
      expect(r.stderr).toMatch(/the answer was lost, but the provider's log shows the message/);
    });
  }
});

describe('a journal left in doubt by an earlier run', () => {
  /** A journal that already holds `records` (the Journal class is tested on its own). */
  function fakeJournal(records: JournalRecord[]): SendJournal & { reconciledWith: Array<[string, unknown]> } {
    const map = new Map(records.map((r) => [r.to, r]));
    const reconciledWith: Array<[string, unknown]> = [];
    return {
      loaded: { records: map, badLines: [], truncatedTail: true },
      prior: (to) => map.get(to),
      started: () => undefined,
      finished: () => undefined,
      reconciled(to, found) {
        reconciledWith.push([to, found]);
        map.set(
          to,
          found
            ? { to, status: 'accepted', id: found.id, providerStatus: found.providerStatus, at: new Date().toISOString() }
            : { to, status: 'failed', at: new Date().toISOString() },
        );
      },
      close: () => undefined,
      reconciledWith,
    };
  }

  it('asks the log: found → not sent again, missing → sent now; says so for each', async () => {
    const sent = await h.run(['send', '--to', '+15552000041', '--body', 'x', '--json']);
    const id = JSON.parse(sent.stdout).results[0].id as string;
    const at = new Date(Date.now() - 600_000).toISOString();
    const journal = fakeJournal([
      { to: '+15552000041', status: 'started', at: new Date().toISOString() },
      { to: '+15552000042', status: 'unknown', at },
    ]);
    const notes: string[] = [];
    const outcome = await sendMessages(
      sendRequest({ to: ['+15552000041', '+15552000042'], body: 'x', journal: 'journal.jsonl' }),
      sendPortsFor(h, { openJournal: async () => journal }),
      { note: (l) => notes.push(l) },
    );
    expect(journal.reconciledWith).toEqual([
      ['+15552000041', expect.objectContaining({ id })],
      ['+15552000042', undefined],
    ]);
    expect(notes).toEqual([
      'Journal journal.jsonl: its last line was cut short (an earlier run was killed).',
      `+15552000041: an earlier run did not record the outcome; the provider's log has it (${id}), so it is not sent again.`,
      "+15552000042: an earlier run did not record the outcome; the provider's log has no such message, so it is sent now.",
    ]);
    expect(outcome.summary).toMatchObject({ total: 2, accepted: 1, skipped: 1 });
    expect(
      h
        .messages()
        .map((m) => m.to)
        .sort(),
    ).toEqual(['+15552000041', '+15552000042']);
  });

  it('leaves a recipient unknown when the log may still be catching up (Bandwidth: 60 s)', async () => {
    const journal = fakeJournal([{ to: '+15552000043', status: 'started', at: new Date().toISOString() }]);
    const notes: string[] = [];
    const ports = sendPortsFor(h, { openJournal: async () => journal, env: h.providerEnv('bandwidth'), flags: { provider: 'bandwidth' } });
    const outcome = await sendMessages(sendRequest({ to: ['+15552000043'], body: 'x', journal: 'j.jsonl' }), ports, { note: (l) => notes.push(l) });
    expect(journal.reconciledWith).toEqual([]);
    expect(notes).toContain(
      "+15552000043: an earlier run did not record the outcome, and it is too recent for Bandwidth's message log to be sure; left as unknown (re-run in a minute to settle it).",
    );
    expect(outcome.summary).toMatchObject({ unknown: 1, accepted: 0 });
    expect(h.messages()).toHaveLength(0);
  });
});
