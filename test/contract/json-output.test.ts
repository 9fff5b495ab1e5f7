// The README's "JSON output" table is the contract: a sample of every command's JSON (real runs
// against the in-process sandbox) has exactly the documented keys: every required key, and no key
// the table does not name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createListenRenderer, eventToJson, renderListening } from '../../src/output/render-listen.js';
import { PLAIN_THEME } from '../../src/output/theme.js';
import { dialectEnv, useSendHarness } from '../services/send/harness.js';
import { memoryIO } from '../helpers/memory-io.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The table under "### JSON output": output name → {type, required keys, optional keys}. */
function documentedShapes(): Map<string, { type: string; required: string[]; optional: string[] }> {
  const section = README.split('### JSON output')[1]!.split('\n### ')[0]!;
  const shapes = new Map<string, { type: string; required: string[]; optional: string[] }>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || cells[1] === 'output' || cells[1]!.startsWith('---')) continue;
    const keys = [...cells[3]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((k) => /^\w+\??$/.test(k));
    shapes.set(cells[1]!, {
      type: cells[2]!.replace(/`/g, ''),
      required: keys.filter((k) => !k.endsWith('?')),
      optional: keys.filter((k) => k.endsWith('?')).map((k) => k.slice(0, -1)),
    });
  }
  return shapes;
}

const shapes = documentedShapes();
const checked = new Set<string>();

/** Asserts that `value` has the keys the table documents for `name` (and its `type`, when it has one). */
function expectShape(name: string, value: unknown): void {
  checked.add(name);
  const shape = shapes.get(name);
  expect(shape, `README "JSON output" has no row "${name}"`).toBeDefined();
  expect(value).toBeTypeOf('object');
  const keys = Object.keys(value as object);
  for (const k of shape!.required) expect(keys, `${name}: missing ${k}`).toContain(k);
  for (const k of keys) expect([...shape!.required, ...shape!.optional], `${name}: undocumented key ${k}`).toContain(k);
  if (shape!.type) expect((value as { type?: unknown }).type).toBe(shape!.type);
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const h = useSendHarness();

describe('the README "JSON output" table matches real output', () => {
  it('a fatal error', async () => {
    const r = await h.run(['status', 'MM0', '--json'], { env: {} });
    const doc = JSON.parse(r.stdout);
    expectShape('any command, on a fatal error', doc);
    expectShape('`.error`', doc.error);
  });

  it('mms send --json (an accepted and a failed recipient); durationMs is an integer', async () => {
    const r = await h.run(['send', '--to', '+15552000011,+15005550001', '--body', 'x', '--json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expectShape('`mms send --json`', doc);
    expectShape('`mms send --json` `.summary`', doc.summary);
    expect(Number.isInteger(doc.summary.durationMs)).toBe(true);
    for (const row of doc.results) expectShape('`mms send --json` `.results[]`', row);
    expect(doc.results.map((x: { status: string }) => x.status).sort()).toEqual(['accepted', 'failed']);
  });

  it('mms send --dry-run --json', async () => {
    const doc = JSON.parse((await h.run(['send', '--to', '+15552000011', '--body', 'x', '--dry-run', '--json'])).stdout);
    expectShape('`mms send --dry-run --json`', doc);
    expectShape('`mms send --dry-run --json` `.summary`', doc.summary);
    expectShape('`mms send --dry-run --json` `.plan`', doc.plan);
  });

  it('mms send --ndjson', async () => {
    const r = await h.run(['send', '--to', '+15552000011,+15005550001', '--body', 'x', '--ndjson']);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const l of lines.slice(0, -1)) expectShape('`mms send --ndjson`, per recipient', l);
    expectShape('`mms send --ndjson`, last line', lines.at(-1));
    expect(Number.isInteger(lines.at(-1).durationMs)).toBe(true);
  });

  it.each(['twilio', 'telnyx', 'plivo', 'bandwidth', 'sinch'])('mms status --json (%s): the same keys, dates in ISO 8601 UTC', async (provider) => {
    const env = dialectEnv(h.sb, provider);
    const sent = JSON.parse((await h.run(['send', '--provider', provider, '--to', '+15552000011', '--body', 'x', '--json'], { env })).stdout);
    const id = sent.results[0].id as string;
    const r = await h.run(['status', id, '--provider', provider, '--json'], { env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expectShape('`mms status --json`', doc);
    for (const k of ['dateCreated', 'dateUpdated'] as const) {
      if (doc[k] !== null) expect(doc[k]).toMatch(ISO_UTC);
      // A date the provider gave is never lost: if it has raw text, it has the converted date.
      if (doc[`provider${k[0]!.toUpperCase()}${k.slice(1)}`] !== null) expect(doc[k]).not.toBeNull();
    }
  });

  it('mms providers --json', async () => {
    const doc = JSON.parse((await h.run(['providers', '--json'])).stdout) as unknown[];
    expect(doc.length).toBe(6);
    for (const p of doc) expectShape('`mms providers --json` `[]`', p);
  });

  it('mms help exit-codes --json', async () => {
    expectShape('`mms help exit-codes --json`', JSON.parse((await h.run(['help', 'exit-codes', '--json'])).stdout));
  });

  it('mms help environment --json', async () => {
    const doc = JSON.parse((await h.run(['help', 'environment', '--json'])).stdout);
    expectShape('`mms help environment --json`', doc);
    for (const v of doc.environment) expectShape('`mms help environment --json` `.environment[]`', v);
  });

  it('mms listen --json lines', () => {
    const { io, stdout } = memoryIO({ json: true });
    const info = {
      provider: 'twilio',
      url: 'https://x',
      inboundUrl: 'https://x/in',
      statusUrl: 'https://x/st',
      via: 'tunnel',
      number: null,
      numberConfigured: false,
      verify: true,
    };
    renderListening(info, io, PLAIN_THEME);
    expectShape('`mms listen --json`, first line', JSON.parse(stdout()));
    const receivedAt = '2026-12-01T04:50:02.000Z';
    const message = eventToJson({
      type: 'message',
      provider: 'twilio',
      id: 'MM1',
      from: '+1',
      to: '+2',
      body: '',
      media: [{ url: 'https://m', path: '/p' }],
      receivedAt,
    });
    expectShape('`mms listen --json`, inbound message', message);
    for (const m of message.media as unknown[]) expectShape('`mms listen --json` `.media[]`', m);
    expectShape(
      '`mms listen --json`, delivery receipt',
      eventToJson({ type: 'status', provider: 'twilio', id: 'MM1', status: 'delivered', providerStatus: 'delivered', receivedAt }),
    );
  });

  it('mms listen --json: the tunnel line', async () => {
    const { io, stdout } = memoryIO({ json: true });
    const r = createListenRenderer(io, { out: PLAIN_THEME, err: PLAIN_THEME });
    r.tunnel!({
      type: 'tunnel',
      state: 'reconnected',
      via: 'cloudflared',
      at: '2026-12-01T12:00:00.000Z',
      url: 'https://x',
      urlChanged: true,
      inboundUrl: 'https://x/in',
      statusUrl: 'https://x/st',
      numberRepointed: true,
      attempts: 2,
      durationMs: 4000,
      recovery: 'catch-up',
    });
    r.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(stdout().trim()) as Record<string, unknown>;
    expectShape('`mms listen --json`, tunnel dropped or back', line);
    expect(line.at).toMatch(ISO_UTC);
    expect(Number.isInteger(line.durationMs)).toBe(true);
  });

  it('every row of the table was checked above (runs last)', () => {
    expect([...shapes.keys()].filter((k) => !checked.has(k))).toEqual([]);
  });
});
