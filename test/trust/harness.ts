// Shared by the trust tests: a workspace (recipient file, journal, config dir), `mms send` against
// the Twilio mock in-process or as the built binary, and the judge that compares what mms reported
// with what the mock actually created.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from '../helpers/run-in-process.js';
import { skipSendWaitsWith } from '../helpers/send-clock.js';
import { spawnCli, type SpawnedCli } from '../helpers/spawn-cli.js';
import type { TwilioMock } from '../mocks/twilio/server.js';

export const FROM = '+15550009999';
export const BODY = 'Nightly chart';

/** `n` distinct US numbers in the 555 range. */
export function numbers(n: number, first = 2_000_000): string[] {
  return Array.from({ length: n }, (_, i) => `+1555${String(first + i).padStart(7, '0')}`);
}

/** A temporary directory with the recipient list, a journal path and a config dir. */
export interface Workspace {
  recipients: string[];
  listFile: string;
  journal: string;
  configDir: string;
  cleanup(): void;
}

/** Creates a workspace for `recipients`. */
export function workspace(recipients: string[]): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'mms-trust-'));
  const configDir = join(root, 'config');
  mkdirSync(configDir);
  const listFile = join(root, 'to.txt');
  writeFileSync(listFile, `${recipients.join('\n')}\n`);
  return { recipients, listFile, journal: join(root, 'run.jsonl'), configDir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Environment that points mms at the mock with the account's SID and token. */
export function mockEnv(mock: TwilioMock): Record<string, string> {
  return { TWILIO_ACCOUNT_SID: mock.accountSid, TWILIO_AUTH_TOKEN: mock.authToken, MMS_TWILIO_BASE_URL: mock.url };
}

/** The arguments of a bulk send with a journal; no rate limit so the tests stay fast. */
export function sendArgs(ws: Workspace, opts: { from?: string; concurrency?: number; extra?: string[] } = {}): string[] {
  return [
    'send',
    '--provider',
    'twilio',
    '--to-file',
    ws.listFile,
    '--from',
    opts.from ?? FROM,
    '--body',
    BODY,
    '--journal',
    ws.journal,
    '--rate',
    'unlimited',
    '--concurrency',
    String(opts.concurrency ?? 16),
    '--json',
    ...(opts.extra ?? []),
  ];
}

/** One row of `--json` results. */
export interface ResultRow {
  to: string;
  status: 'accepted' | 'failed' | 'unknown' | 'skipped';
  id?: string;
  error?: { code: string; message: string };
}

/** What a send run printed, parsed. */
export interface SendRun {
  code: number | null;
  results: ResultRow[];
  summary: Record<string, unknown> | undefined;
  stdout: string;
  stderr: string;
}

function parseRun(r: { code: number | null; stdout: string; stderr: string }): SendRun {
  let doc: { results?: ResultRow[]; summary?: Record<string, unknown> } = {};
  try {
    doc = JSON.parse(r.stdout) as typeof doc;
  } catch {
    // No JSON document (killed, or a fatal error before output): no results.
  }
  return { code: r.code, results: doc.results ?? [], summary: doc.summary, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Send-flow time that never waits, for in-process runs until the returned function is called: a
 * sleep (backoff, Retry-After, the provider's log delay) moves our clock and the mock's forward
 * together and returns at once, so the run sees the same world it would after waiting.
 */
export function skipWaits(mock: TwilioMock): () => void {
  return skipSendWaitsWith((ms) => mock.clock.advance(ms));
}

/** `mms send` in this process (abort `signal` = Ctrl+C). */
export async function sendInProcess(mock: TwilioMock, ws: Workspace, opts: Parameters<typeof sendArgs>[1] & { signal?: AbortSignal } = {}): Promise<SendRun> {
  const r = await runInProcess(sendArgs(ws, opts), { configDir: ws.configDir, env: mockEnv(mock), ...(opts.signal ? { signal: opts.signal } : {}) });
  return parseRun(r);
}

/** `mms send` as the built binary, left running (for kill -9). */
export function spawnSend(mock: TwilioMock, ws: Workspace, opts: Parameters<typeof sendArgs>[1] = {}): SpawnedCli {
  return spawnCli(sendArgs(ws, opts), { configDir: ws.configDir, env: mockEnv(mock) });
}

/** The judge's findings: empty lists and 0 duplicates mean mms kept its promises. */
export interface Verdict {
  /** Messages beyond the first per (recipient, body), counted at the provider. */
  duplicates: number;
  /** Reports the provider's log contradicts (accepted without a message, failed with one, …). */
  dishonest: string[];
  /** Recipients with no result at all (silently skipped). */
  missing: string[];
  counts: Record<string, number>;
}

/** Compares a run's results with what the mock created. */
export function judge(mock: TwilioMock, recipients: string[], results: ResultRow[]): Verdict {
  const byTo = new Map<string, { sids: Set<string> }>();
  for (const m of mock.messages()) {
    const e = byTo.get(m.to) ?? { sids: new Set<string>() };
    e.sids.add(m.sid);
    byTo.set(m.to, e);
  }
  const seen = new Map(results.map((r) => [r.to, r]));
  const dishonest: string[] = [];
  const counts: Record<string, number> = {};
  for (const r of results) {
    const sids = byTo.get(r.to)?.sids ?? new Set<string>();
    const kind = r.status === 'skipped' && !r.id ? 'not-sent' : r.status;
    counts[kind] = (counts[kind] ?? 0) + 1;
    if ((r.status === 'accepted' || (r.status === 'skipped' && r.id)) && !(r.id && sids.has(r.id)))
      dishonest.push(`${r.to}: ${r.status} ${r.id ?? ''} but the provider has no such message`);
    if (r.status === 'failed' && sids.size > 0) dishonest.push(`${r.to}: failed, but the provider created ${sids.size} message(s)`);
  }
  const duplicates = mock.duplicates().reduce((n, d) => n + d.count - 1, 0);
  return { duplicates, dishonest, missing: recipients.filter((to) => !seen.has(to)), counts };
}
