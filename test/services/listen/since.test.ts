// `mms listen --number --since`: messages the number received while nobody listened (no inbound
// URL: the in-process sandbox only stored them) are read back from the provider's log once the
// number is pointed here, and go through the normal message path flagged `recovered: true`; a live
// message after them is reported as usual, and nothing twice. Telnyx/Vonage say they cannot.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { closeHttp, createHttpClient } from '../../../src/providers/http-client.js';
import { getAdapter } from '../../../src/providers/registry.js';
import type { ProviderCallContext } from '../../../src/providers/types.js';
import { eventToJson, formatEventLines, formatNotice } from '../../../src/output/render-listen.js';
import { listenForMessages } from '../../../src/services/listen/index.js';
import { computeTwilioSignature } from '../../../src/providers/twilio/webhook.js';
import type { ListenEvent, ListeningInfo, ListenNotice, ListenRequest } from '../../../src/services/listen/types.js';
import { listenRequestFrom } from '../../../src/commands/listen.js';
import { startLocalSandbox, type LocalSandbox } from '../../helpers/sandbox-in-process.js';

let sb: LocalSandbox;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mms-since-'));
  sb = await startLocalSandbox();
});
afterAll(async () => {
  await sb.stop();
  await closeHttp();
  rmSync(root, { recursive: true, force: true });
});

const plainTheme = new Proxy({}, { get: () => (x: string) => x }) as Parameters<typeof formatNotice>[1];

/** The provider's adapter and a call context against the sandbox's dialect. */
async function account(provider: string, env: NodeJS.ProcessEnv, signal?: AbortSignal) {
  const info = sb.providers[provider]!;
  const ctx = (s?: AbortSignal): ProviderCallContext => ({
    credentials: { ...info.credentials },
    baseUrl: info.baseUrl,
    http: createHttpClient({ provider, env }),
    ...(s ? { signal: s } : {}),
  });
  return { adapter: await getAdapter(provider), ctx: ctx(signal), cleanup: () => ctx(), numbers: info.numbers };
}

/** Runs listenForMessages in-process; events and notices are collected. */
async function startListen(provider: string, request: Partial<ListenRequest>, env: NodeJS.ProcessEnv) {
  const ac = new AbortController();
  const { adapter, ctx, cleanup } = await account(provider, env, ac.signal);
  const events: ListenEvent[] = [];
  const notices: ListenNotice[] = [];
  const exits: Array<() => Promise<void>> = [];
  let listening!: (info: ListeningInfo) => void;
  const ready = new Promise<ListeningInfo>((resolve) => (listening = resolve));
  const done = listenForMessages(
    { port: 0, skipVerify: false, ...request },
    {
      account: { adapter, callContext: ctx, cleanupContext: cleanup },
      env,
      signal: ac.signal,
      onExit: (fn) => void exits.push(fn),
      hookOutput: new PassThrough(),
      hookInput: (ev) => JSON.stringify(eventToJson(ev)) + '\n',
    },
    { listening, event: (ev) => void events.push(ev), notice: (n) => void notices.push(n) },
  );
  const stop = async () => {
    ac.abort();
    await done.catch(() => undefined);
    for (const fn of exits) await fn();
  };
  return { ready, done, events, notices, stop };
}

describe('mms listen --since', () => {
  it('twilio: two messages sent while away are recovered, then a live one; 3 lines, no duplicates', async () => {
    const env = { MMS_CONFIG_DIR: join(root, 'twilio') };
    const { adapter, ctx, numbers } = await account('twilio', env);
    const [from, to] = [numbers[0]!, numbers[1]!];
    for (const body of ['away 1', 'away 2']) await adapter.send({ from, to, body, mediaUrls: [] }, ctx);
    // Both stored as inbound for `to` before the listener starts (no webhook configured: nobody got them).
    const inbound = () => sb.sandbox.store.list({ provider: 'twilio' }).filter((m) => m.direction === 'inbound' && m.to === to);
    await vi.waitFor(() => expect(inbound()).toHaveLength(2), { timeout: 10_000, interval: 20 });
    const away = inbound().map((m) => m.id);

    const l = await startListen('twilio', { number: to, since: new Date(Date.now() - 3_600_000), count: 3 }, env);
    await l.ready;
    await vi.waitFor(() => expect(l.events).toHaveLength(2), { timeout: 10_000, interval: 20 });
    await adapter.send({ from, to, body: 'live', mediaUrls: [] }, ctx);
    const outcome = await l.done;
    await l.stop();

    expect(outcome).toMatchObject({ reason: 'count', messages: 3 });
    const lines = l.events.map((ev) => eventToJson(ev));
    expect(lines).toHaveLength(3);
    // The two recovered first (their order within one second of the log is the log's), then the live one.
    expect(
      lines
        .slice(0, 2)
        .map((j) => j.body)
        .sort(),
    ).toEqual(['away 1', 'away 2']);
    expect(lines[2]!.body).toBe('live');
    expect(
      lines
        .slice(0, 2)
        .map((j) => j.id)
        .sort(),
    ).toEqual([...away].sort());
    expect(lines.map((j) => j.recovered)).toEqual([true, true, undefined]);
    expect(new Set(lines.map((j) => j.id)).size).toBe(3);
    expect(l.notices).toContainEqual(expect.objectContaining({ type: 'catch-up', recovered: 2, skipped: 0, truncated: false }));
    const summary = l.notices.find((n) => n.type === 'catch-up')!;
    expect(formatNotice(summary, plainTheme).line).toMatch(/^Recovered 2 messages received since \d{4}-\d\d-\d\dT.*Z \(0 already seen\)\.$/);
    expect(formatEventLines(l.events[0]!, { tty: false, theme: plainTheme })[0]).toMatch(/away \d {2}\(recovered\)$/);
    expect(formatEventLines(l.events[2]!, { tty: false, theme: plainTheme })[0]).not.toMatch(/recovered/);

    // A second run over the same window: the live message is in the event log, so it is not recovered again.
    const again = await startListen('twilio', { number: to, since: new Date(Date.now() - 3_600_000), count: 5, timeoutS: 3600 }, env);
    await again.ready;
    await vi.waitFor(() => expect(again.notices.some((n) => n.type === 'catch-up')).toBe(true), { timeout: 10_000, interval: 20 });
    await again.stop();
    expect(again.events.map((ev) => ev.id)).not.toContain(lines[2]!.id);
  });

  it('twilio: a webhook arriving late for a recovered message is acknowledged but not reported again', async () => {
    const env = { MMS_CONFIG_DIR: join(root, 'late') };
    const { adapter, ctx, numbers } = await account('twilio', env);
    const [from, to] = [numbers[0]!, numbers[2] ?? numbers[1]!];
    await adapter.send({ from, to, body: 'late copy', mediaUrls: [] }, ctx);
    const stored = () => sb.sandbox.store.list({ provider: 'twilio' }).filter((m) => m.direction === 'inbound' && m.to === to && m.body === 'late copy');
    await vi.waitFor(() => expect(stored()).toHaveLength(1), { timeout: 10_000, interval: 20 });
    const l = await startListen('twilio', { number: to, since: new Date(Date.now() - 3_600_000), count: 5, timeoutS: 3600 }, env);
    const ready = await l.ready;
    await vi.waitFor(() => expect(l.events.some((ev) => ev.type === 'message' && ev.body === 'late copy')).toBe(true), { timeout: 10_000, interval: 20 });
    const recovered = l.events.find((ev) => ev.type === 'message' && ev.body === 'late copy')!;
    expect(l.notices).toContainEqual(expect.objectContaining({ type: 'catch-up', recovered: 1 }));
    const before = l.events.length;
    const params = { MessageSid: recovered.id, AccountSid: sb.providers.twilio!.credentials.accountSid!, From: from, To: to, Body: 'late copy', NumMedia: '0' };
    const res = await fetch(ready.inboundUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': computeTwilioSignature(sb.providers.twilio!.credentials.authToken!, ready.inboundUrl, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(200);
    await l.stop();
    expect(l.events).toHaveLength(before);
    expect(l.events.filter((ev) => ev.id === recovered.id)).toHaveLength(1);
  });

  it('telnyx: says once at start-up that recovery is not possible, and keeps listening', async () => {
    const env = { MMS_CONFIG_DIR: join(root, 'telnyx') };
    const { numbers } = await account('telnyx', env);
    const l = await startListen('telnyx', { number: numbers[0]!, since: new Date(Date.now() - 60_000), timeoutS: 3600 }, env);
    await l.ready;
    await l.stop();
    const unsupported = l.notices.filter((n) => n.type === 'catch-up-unsupported');
    expect(unsupported).toHaveLength(1);
    expect(formatNotice(unsupported[0]!, plainTheme).line).toMatch(/^Recovery after gaps is not possible: Telnyx keeps no API-readable log/);
    expect(l.notices.some((n) => n.type === 'catch-up')).toBe(false);
  });

  it('--since without --number is a usage error (exit 2)', () => {
    expect(() => listenRequestFrom({ since: '1h' })).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/--since needs --number/) }),
    );
  });
});
