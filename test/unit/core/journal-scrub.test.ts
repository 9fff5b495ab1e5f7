// The journal never stores a secret: provider error texts that echo credentials are masked before
// the line (and its sum) is written.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, loadJournal } from '../../../src/core/journal.js';
import { createRedactor, rememberSecrets } from '../../../src/config/redact.js';

const SECRET = 'j0urnal/Secret+"token"';
let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mms-journal-scrub-'));
  file = path.join(dir, 'run.jsonl');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const echoed = `Authenticate: ${SECRET} ${Buffer.from(`AC1:${SECRET}`).toString('base64')} ${encodeURIComponent(SECRET)}`;

describe('journal scrubbing', () => {
  it("masks secrets with the caller's redactor, in every string of the record, and the lines still verify", () => {
    const j = Journal.open(file, { scrub: createRedactor([SECRET]) });
    j.started('+15550001111');
    j.finished({ to: '+15550001111', status: 'failed', error: { code: 'AUTH_REJECTED', message: echoed } });
    j.finished({ to: '+15550001112', status: 'accepted', id: 'SM1', providerStatus: `queued ${SECRET}` });
    j.close();
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('j0urnal');
    expect(text).not.toContain(encodeURIComponent(SECRET));
    expect(text).toContain('[REDACTED]');
    const loaded = loadJournal(file);
    expect(loaded.damagedLines ?? []).toEqual([]);
    expect(loaded.records.get('+15550001111')?.error?.message).toMatch(/^Authenticate: \[REDACTED\]/);
  });

  it('by default masks every secret this process resolved', () => {
    rememberSecrets(['default/Scrub+secret99']);
    const j = Journal.open(file);
    j.finished({ to: '+15550001111', status: 'failed', error: { code: 'PROVIDER_REJECTED', message: 'echo default/Scrub+secret99' } });
    j.close();
    expect(fs.readFileSync(file, 'utf8')).not.toContain('default/Scrub');
  });
});
