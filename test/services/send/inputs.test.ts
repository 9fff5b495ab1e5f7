// Send inputs that must be refused or handled before anything is sent (#8, #11): URL flags, --rate 0, recipient
// files read as streams, --journal-repair, a journal that cannot be written (exit 9), and the credentials
// problem reported before a missing --from.
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../../src/core/journal.js';
import { sendExitCode, sendMessages } from '../../../src/services/send/index.js';
import { sendPortsFor, sendRequest, useSendHarness } from './harness.js';

const h = useSendHarness();

describe('URL flags are checked before anything is sent (exit 2)', () => {
  it.each([
    [['--status-callback', 'javascript:alert(1)'], 'Error: --status-callback "javascript:alert(1)": only http(s) URLs are accepted (got javascript)'],
    [['--status-callback', 'not a url'], 'Error: --status-callback "not a url": not a URL (expected http:// or https://)'],
    [['--base-url', 'file:///etc/passwd'], 'Error: --base-url "file:///etc/passwd": only http(s) URLs are accepted (got file)'],
    [['--base-url', 'http:///x'], 'Error: --base-url "http:///x": has no host after "//"'],
  ])('%j', async (flags, line) => {
    const r = await h.run(['send', '--to', '+15551234567', '--body', 'x', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(line);
    expect(h.messages()).toHaveLength(0);
  });

  it('never echoes credentials embedded in a refused --base-url', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--body', 'x', '--base-url', 'https://user:hunter2@api.example.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('hunter2');
  });
});

describe('--rate 0', () => {
  it('is refused: it reads as "send nothing", and no limit is spelled "unlimited"', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--body', 'x', '--rate', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--rate "0" would send nothing: pass a rate such as 10/s, or --rate unlimited for no limit');
    expect(h.messages()).toHaveLength(0);
  });
});

describe('--to-file is parsed as a stream', () => {
  it('stops at the first NUL byte of a file that never ends (/dev/zero)', async () => {
    const r = await h.run(['send', '--to-file', '/dev/zero', '--body', 'x']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('/dev/zero:1 "": contains a NUL byte: this is not a text file of numbers');
  });

  it('reports a line over 64 KiB with its file:line, and the good lines around it are still read', async () => {
    writeFileSync(join(h.dir, 'long.txt'), `+15552000001\n${'9'.repeat(70_000)}\n+15552000002\n`);
    const r = await h.run(['send', '--to-file', 'long.txt', '--body', 'x', '--skip-invalid', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.plan.recipients).toEqual(['+15552000001', '+15552000002']);
    expect(doc.plan.invalid).toEqual([expect.objectContaining({ source: 'long.txt', line: 2, reason: expect.stringContaining('longer than 64 KiB') })]);
  });

  it('names a missing file, and a directory', async () => {
    const r = await h.run(['send', '--to-file', 'nope.txt', '--body', 'x']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('Error: --to-file nope.txt: file not found; nothing was sent');
    const d = await h.run(['send', '--to-file', '.', '--body', 'x']);
    expect(d.code).toBe(5);
    expect(d.stderr).toContain('Error: --to-file .: is a directory; nothing was sent');
  });
});

describe('journal', () => {
  it('--journal-repair repairs a damaged journal, says what it did, and the run goes on', async () => {
    const journal = join(h.dir, 'damaged.jsonl');
    expect((await h.run(['send', '--to', '+15552000020', '--body', 'x', '--journal', journal])).code).toBe(0);
    writeFileSync(journal, Buffer.concat([readFileSync(journal), Buffer.alloc(64, 0), Buffer.from('\n')]));
    const refused = await h.run(['send', '--to', '+15552000020,+15552000021', '--body', 'x', '--journal', journal, '--json']);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout).error.code).toBe('JOURNAL_DAMAGED');
    const r = await h.run(['send', '--to', '+15552000020,+15552000021', '--body', 'x', '--journal', journal, '--journal-repair', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Journal .*damaged\.jsonl repaired: damaged line \d+ left out; .*the original is kept as .*\.$/m);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ total: 2, accepted: 1, skipped: 1 });
    expect(h.messages()).toHaveLength(2);
  });

  it('exits 9 when the journal could not be written, even though a recipient was accepted', async () => {
    const path = join(h.dir, 'full.jsonl');
    let writes = 0;
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const fileOps = {
      // Header, run line, started + finished for the first recipient; the disk is full at the second's "started".
      write: (fd: number, buf: Buffer, off: number, len: number) => {
        if (++writes >= 5) throw full;
        return writeSync(fd, buf, off, len);
      },
    };
    const ports = { ...sendPortsFor(h), openJournal: async (p: string) => Journal.open(p, { fileOps }) };
    const notes: string[] = [];
    const outcome = await sendMessages(sendRequest({ to: ['+15552000030', '+15552000031', '+15552000032'], body: 'x', journal: path, concurrency: 1 }), ports, {
      note: (l) => notes.push(l),
    });
    expect(outcome.summary).toMatchObject({ accepted: 1 });
    expect(outcome.stopped).toMatchObject({ code: 'JOURNAL_WRITE_FAILED' });
    expect(sendExitCode(outcome)).toBe(9);
    expect(notes.some((n) => n.startsWith('Stopped early:'))).toBe(true);
  });
});

describe('no credentials and no --from (#11)', () => {
  it('reports the credentials problem (exit 4), not the missing sender', async () => {
    const tw = h.env;
    const r = await h.run(['send', '--to', '+15551234567', '--body', 'x'], { env: { MMS_TWILIO_BASE_URL: tw.MMS_TWILIO_BASE_URL! } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^Error: No Twilio credentials found/);
    expect(r.stderr).not.toContain('--from');
  });
});
