// A tunnel that drops and comes back, against the in-process sandbox (Twilio dialect): the listener
// re-opens it with backoff (the test fires the backoff timers), re-points the number when the URL
// changed, and recovers the messages that arrived during the gap from the provider's log, each
// once, `recovered: true`, in the event log too. Attempts that run out end the run with exit 7.
// The tunnels are real TCP forwarders (tunnel-fakes.ts): while one is down, the sandbox's webhooks
// are refused, as a provider's are when the tunnel is gone.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CliError } from '../../../src/errors/errors.js';
import { closeHttp, createHttpClient } from '../../../src/providers/http-client.js';
import { getAdapter } from '../../../src/providers/registry.js';
import type { ProviderAdapter, ProviderCallContext } from '../../../src/providers/types.js';
import { eventToJson, formatTunnelReport } from '../../../src/output/render-listen.js';
import { PLAIN_THEME } from '../../../src/output/theme.js';
import { openEventLog, type EventLog } from '../../../src/services/events/store.js';
import { listenForMessages } from '../../../src/services/listen/index.js';
import type {
  ForwardReport,
  ListenEvent,
  ListenEvents,
  ListeningInfo,
  ListenNotice,
  ListenOutcome,
  ListenPorts,
  ListenRequest,
  TunnelReport,
} from '../../../src/services/listen/types.js';
import { startWebhookServer, type WebhookServer } from '../../../src/webhook/server.js';
import { startLocalSandbox, type LocalSandbox } from '../../helpers/sandbox-in-process.js';
import { manualTimers, startFakeTunnel, type FakeTunnel } from './tunnel-fakes.js';
import { memoryIO } from '../../helpers/memory-io.js';

let sb: LocalSandbox;
let twilioAdapter: ProviderAdapter;
let root: string;
const NUMBER = '+15557770001';

beforeAll(async () => {
  sb = await startLocalSandbox();
  twilioAdapter = await getAdapter('twilio');
});
afterAll(async () => {
  await sb.stop();
  await closeHttp();
});
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'mms-reconnect-'));
  await sb.clear();
});

const tw = () => sb.providers.twilio!;
const callContext = (env: NodeJS.ProcessEnv, signal?: AbortSignal): ProviderCallContext => ({
  credentials: { ...tw().credentials },
  baseUrl: tw().baseUrl,
  http: createHttpClient({ provider: 'twilio', env }),
  ...(signal ? { signal } : {}),
});

interface Run {
  ready: Promise<ListeningInfo>;
  done: Promise<ListenOutcome>;
  events: ListenEvent[];
  notices: ListenNotice[];
  reports: TunnelReport[];
  abort(): void;
  exits: Array<() => Promise<void>>;
  env: NodeJS.ProcessEnv;
  log: EventLog;
  first: Promise<FakeTunnel>;
}
const running: Run[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.abort();
    await r.done.catch(() => undefined);
    for (const fn of r.exits) await fn();
  }
  rmSync(root, { recursive: true, force: true });
});

/** A listener whose endpoint is the real loopback server behind a fake tunnel. */
function startListen(request: Partial<ListenRequest>, ports: Partial<ListenPorts> & { adapter?: ProviderAdapter } = {}, more: Partial<ListenEvents> = {}): Run {
  const ac = new AbortController();
  const env = { MMS_CONFIG_DIR: join(root, 'config') };
  const log = openEventLog(env);
  const run = { events: [], notices: [], reports: [], exits: [], env, log } as unknown as Run;
  let firstTunnel!: (t: FakeTunnel) => void;
  run.first = new Promise((resolve) => (firstTunnel = resolve));
  let listening!: (info: ListeningInfo) => void;
  const ready = new Promise<ListeningInfo>((resolve) => (listening = resolve));
  const { adapter = twilioAdapter, ...rest } = ports;
  run.done = listenForMessages(
    { port: 0, skipVerify: false, tunnel: 'cloudflared', ...request },
    {
      account: { adapter, callContext: callContext(env, ac.signal), cleanupContext: () => callContext(env) },
      env,
      signal: ac.signal,
      onExit: (fn) => void run.exits.push(fn),
      hookOutput: new PassThrough(),
      hookInput: (ev) => JSON.stringify(eventToJson(ev)) + '\n',
      eventLog: log,
      openEndpoint: async (opts) => {
        const server: WebhookServer = await startWebhookServer(opts.server);
        const t = await startFakeTunnel(server.port);
        firstTunnel(t);
        return { server, publicUrl: t.publicUrl, via: 'cloudflared', tunnel: t.tunnel, close: () => t.tunnel.stop().then(() => server.close()) };
      },
      ...rest,
    },
    {
      listening,
      event: (ev) => void run.events.push(ev),
      notice: (n) => void run.notices.push(n),
      tunnel: (r) => void run.reports.push(r),
      ...more,
    },
  );
  run.ready = Promise.race([ready, run.done.then(() => Promise.reject(new Error('the run ended before listening')))]);
  run.ready.catch(() => undefined);
  run.abort = () => ac.abort();
  running.push(run);
  return run;
}

/** The number's SmsUrl, through the Twilio API. */
async function smsUrl(number: string): Promise<string> {
  const { accountSid, authToken } = tw().credentials;
  const auth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const res = await fetch(`${tw().baseUrl}/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(number)}`, {
    headers: { authorization: auth },
  });
  const body = (await res.json()) as { incoming_phone_numbers: Array<{ phone_number: string; sms_url: string }> };
  return body.incoming_phone_numbers.find((x) => x.phone_number === number)!.sms_url;
}

/** Sends to the number as a customer would (from the sandbox's default sender); returns the inbound message's id once stored. */
async function textTheNumber(body: string): Promise<string> {
  const before = new Set(inboundIds());
  await twilioAdapter.send({ from: tw().defaultFrom, to: NUMBER, body, mediaUrls: [] }, callContext({}));
  return vi.waitFor(
    () => {
      const id = inboundIds().find((x) => !before.has(x));
      if (!id) throw new Error(`"${body}" was not stored yet`);
      return id;
    },
    { timeout: 5000, interval: 10 },
  );
}
const inboundIds = (): string[] =>
  sb.sandbox.store
    .list({ provider: 'twilio' })
    .filter((m) => m.direction === 'inbound' && m.to === NUMBER)
    .map((m) => m.id);

const restoreFile = (env: NodeJS.ProcessEnv) => join(env.MMS_CONFIG_DIR!, 'listen-restore', `twilio-${NUMBER.replace(/\D/g, '')}.json`);

describe('mms listen: the tunnel drops and comes back', () => {
  it('re-opens it with backoff, re-points the number, and recovers each message of the gap once (recovered: true, in the event log)', async () => {
    const timers = manualTimers();
    let second: FakeTunnel | undefined;
    let attempts = 0;
    const l = startListen(
      { number: NUMBER },
      {
        reconnect: {
          setTimer: timers.setTimer,
          delaysMs: [1000, 2000, 4000],
          open: async (port) => {
            if (++attempts === 1) throw new Error('the edge is unreachable');
            second = await startFakeTunnel(port);
            return { tunnel: second.tunnel, publicUrl: second.publicUrl, warnings: [] };
          },
        },
      },
    );
    const ready = await l.ready;
    const first = await l.first;
    const live = await textTheNumber('before the drop');
    await vi.waitFor(() => expect(l.events.map((e) => e.id)).toContain(live));

    await first.drop('cloudflared exited (code 1); the tunnel is down');
    await vi.waitFor(() => expect(l.reports.map((r) => r.state)).toEqual(['lost']));
    expect(first.stopped()).toBe(true);
    const missed = [await textTheNumber('in the gap 1'), await textTheNumber('in the gap 2')];

    expect(await timers.fireNext()).toBe(1000); // attempt 1: fails
    expect(await timers.fireNext()).toBe(2000); // attempt 2: a new tunnel, at a new URL
    await vi.waitFor(() => expect(l.reports.map((r) => r.state)).toEqual(['lost', 'reconnected']));
    const back = l.reports[1]!;
    expect(back).toMatchObject({
      type: 'tunnel',
      via: 'cloudflared',
      url: second!.publicUrl,
      urlChanged: true,
      numberRepointed: true,
      attempts: 2,
      recovery: 'catch-up',
    });
    expect(back.inboundUrl).toBe(ready.inboundUrl.replace(ready.url, second!.publicUrl));
    expect(await smsUrl(NUMBER)).toBe(back.inboundUrl);
    // The restore file still holds the number's original settings (an empty SmsUrl).
    expect(JSON.parse(readFileSync(restoreFile(l.env), 'utf8'))).toMatchObject({
      number: NUMBER,
      state: { description: expect.stringContaining('was empty') },
    });

    await vi.waitFor(() => expect(l.notices.filter((n) => n.type === 'catch-up')).toHaveLength(1));
    // Oldest first, but both arrived within the second the log records: compared as sets.
    const sorted = (ids: string[]) => [...ids].sort();
    const recovered = l.events.filter((e) => e.type === 'message' && e.recovered);
    expect(sorted(recovered.map((e) => e.id))).toEqual(sorted(missed));
    expect(l.notices.find((n) => n.type === 'catch-up')).toMatchObject({ recovered: 2, skipped: 1 });

    // The second look, once the provider's log delay has passed, finds nothing new.
    expect(await timers.fireNext()).toBe(twilioAdapter.messageLogDelayMs);
    // After the reconnect, webhooks reach the listener at the new URL and verify against it.
    const after = await textTheNumber('after the return');
    await vi.waitFor(() => expect(l.events.map((e) => e.id)).toContain(after));
    expect(sorted(l.events.map((e) => e.id))).toEqual(sorted([live, ...missed, after]));
    expect([l.events[0]!.id, l.events.at(-1)!.id]).toEqual([live, after]);
    expect(l.events.filter((e) => e.type === 'message' && e.recovered)).toHaveLength(2);
    expect(l.notices.filter((n) => n.type === 'signature-rejected')).toEqual([]);

    const stored = await vi.waitFor(async () => {
      const all = await l.log.list();
      if (all.length < 4) throw new Error(`${all.length} events logged`);
      return all;
    });
    const rec = stored.filter((e) => e.recovered);
    expect(sorted(rec.map((e) => e.events[0]!.id))).toEqual(sorted(missed));
    const gap1 = rec.find((e) => e.events[0]!.id === missed[0])!;
    expect(gap1).toMatchObject({ kind: 'inbound', provider: 'twilio', recovered: true, request: { method: 'GET', url: '', bodyEncoding: 'utf8' } });
    expect(JSON.parse(gap1.request.body)).toMatchObject({ id: missed[0], body: 'in the gap 1', to: NUMBER });
    expect(gap1.request.body).not.toContain(tw().credentials.authToken!);

    l.abort();
    expect((await l.done).reason).toBe('signal');
    expect(await smsUrl(NUMBER)).toBe('');
    expect(existsSync(restoreFile(l.env))).toBe(false);
    expect(second!.stopped()).toBe(true);
  });

  it('gives up after the last attempt: exit 7 with a clear message, the number put back', async () => {
    const timers = manualTimers();
    const l = startListen(
      { number: NUMBER },
      { reconnect: { setTimer: timers.setTimer, delaysMs: [0, 0, 0], open: () => Promise.reject(new Error('no route to the edge')) } },
    );
    await l.ready;
    await (await l.first).drop('the tunnel process died');
    for (let i = 0; i < 3; i++) await timers.fireNext();
    const err = await l.done.then(
      () => undefined,
      (e: unknown) => e as CliError,
    );
    expect(err).toBeInstanceOf(CliError);
    expect(err?.exitCode).toBe(7);
    expect(err?.message).toBe(
      'The tunnel was lost and it could not be re-opened in 3 attempts (last error: no route to the edge); the listener stopped after 0 messages',
    );
    expect(l.reports.map((r) => [r.state, r.attempts ?? null])).toEqual([
      ['lost', null],
      ['gave-up', 3],
    ]);
    expect(formatTunnelReport(l.reports[1]!, PLAIN_THEME)).toBe('Gave up re-opening the tunnel after 3 attempts: no route to the edge');
    expect(await smsUrl(NUMBER)).toBe('');
    expect(existsSync(restoreFile(l.env))).toBe(false);
  });

  it('gives up when the deadline passes before the attempts run out', async () => {
    const timers = manualTimers();
    let clock = Date.parse('2026-12-01T12:00:00Z');
    const l = startListen(
      {},
      {
        now: () => new Date(clock),
        reconnect: {
          setTimer: timers.setTimer,
          delaysMs: [1000, 1000, 1000, 1000],
          giveUpAfterMs: 2500,
          open: () => {
            clock += 1000;
            return Promise.reject(new Error('still down'));
          },
        },
      },
    );
    await l.ready;
    await (await l.first).drop('gone');
    await timers.fireNext();
    await timers.fireNext();
    await expect(l.done).rejects.toMatchObject({ exitCode: 7, message: expect.stringContaining('in 2 attempts') });
  });

  it('Ctrl+C while re-opening: no further attempt, exit as for Ctrl+C, the number put back', async () => {
    const timers = manualTimers();
    const open = vi.fn(() => Promise.reject(new Error('down')));
    const l = startListen({ number: NUMBER }, { reconnect: { setTimer: timers.setTimer, delaysMs: [5000], open } });
    await l.ready;
    await (await l.first).drop('gone');
    await vi.waitFor(() => expect(timers.pending).toHaveLength(1));
    l.abort();
    expect((await l.done).reason).toBe('signal');
    expect(open).not.toHaveBeenCalled();
    expect(await smsUrl(NUMBER)).toBe('');
  });

  it('a provider without a message log: the reconnect line says the gap cannot be recovered', async () => {
    const timers = manualTimers();
    // The Twilio adapter without its log, as Telnyx and Vonage are.
    const noLog = Object.assign(Object.create(twilioAdapter) as ProviderAdapter, { listInbound: undefined, displayName: 'Twilio-without-log' });
    const l = startListen(
      { number: NUMBER },
      {
        adapter: noLog,
        reconnect: {
          setTimer: timers.setTimer,
          delaysMs: [0],
          open: async (port) => {
            const t = await startFakeTunnel(port);
            return { tunnel: t.tunnel, publicUrl: t.publicUrl, warnings: [] };
          },
        },
      },
    );
    await l.ready;
    await (await l.first).drop('gone');
    await timers.fireNext();
    await vi.waitFor(() => expect(l.reports.map((r) => r.state)).toEqual(['lost', 'reconnected']));
    expect(l.reports[1]).toMatchObject({ recovery: 'unavailable', recoveryNote: expect.stringContaining('keeps no API-readable log') });
    expect(formatTunnelReport(l.reports[1]!, PLAIN_THEME)).toMatch(
      /^Tunnel back after \d+ s \(1 attempt\) at http:\/\/127\.0\.0\.1:\d+; the number now points there; messages received in the gap cannot be recovered \(Twilio-without-log keeps no API-readable log/,
    );
    expect(l.notices.filter((n) => n.type === 'catch-up')).toEqual([]);
    expect(timers.pending).toEqual([]);
  });

  it('a gap the backend healed by itself (localtunnel): one line, then the gap is caught up', async () => {
    const timers = manualTimers();
    const l = startListen({ number: NUMBER }, { reconnect: { setTimer: timers.setTimer, open: () => Promise.reject(new Error('not used')) } });
    await l.ready;
    const first = await l.first;
    const since = new Date();
    const missed = await textTheNumber('while localtunnel reconnected');
    first.gap({ since, until: new Date(since.getTime() + 3000) });
    await vi.waitFor(() => expect(l.notices.filter((n) => n.type === 'catch-up')).toHaveLength(1));
    expect(l.reports).toMatchObject([{ state: 'resumed', urlChanged: false, durationMs: 3000, recovery: 'catch-up' }]);
    expect(formatTunnelReport(l.reports[0]!, PLAIN_THEME)).toBe(
      "Tunnel interrupted for 3 s (cloudflared reconnected by itself); reading the messages of the gap from the provider's log.",
    );
    // The sandbox delivered it live too (the fake tunnel never really went away): it is reported once.
    expect(l.events.filter((e) => e.id === missed)).toHaveLength(1);
  });
});

describe('--forward-to and recovered messages', () => {
  it("the app gets each recovered message as the provider's webhook, signed for the app's URL (Twilio's validator passes)", async () => {
    const got: Array<{ signature: string; params: Record<string, string> }> = [];
    const app = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push({ signature: String(req.headers['x-twilio-signature']), params: Object.fromEntries(new URLSearchParams(body)) });
        res.end('<Response></Response>');
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(app.address() as AddressInfo).port}/sms`;
    try {
      // Sent while nobody listened (the number points nowhere): only the provider's log has it.
      const missed = await textTheNumber('nobody was listening');
      const forwarded: ForwardReport[] = [];
      const l = startListen(
        { number: NUMBER, since: new Date(Date.now() - 60_000), forward: { inbound: target } },
        {},
        { forwarded: (r) => void forwarded.push(r) },
      );
      await l.ready;
      await vi.waitFor(() => expect(forwarded).toHaveLength(1));
      expect(forwarded[0]).toMatchObject({ kind: 'inbound', events: [{ type: 'message', id: missed }], attempt: { answered: 200, resigned: true } });
      expect(got[0]!.params).toMatchObject({ MessageSid: missed, Body: 'nobody was listening', To: NUMBER });
      expect(twilio.validateRequest(tw().credentials.authToken!, got[0]!.signature, target, got[0]!.params)).toBe(true);
      expect(l.events).toMatchObject([{ id: missed, recovered: true }]);
      await vi.waitFor(async () => expect((await l.log.list()).map((e) => [e.recovered, e.forwards.length])).toEqual([[true, 1]]));
    } finally {
      await new Promise((r) => app.close(r));
    }
  });
});

describe('formatTunnelReport', () => {
  const base = { type: 'tunnel' as const, via: 'ngrok', at: '2026-12-01T12:00:00.000Z' };
  it.each([
    [{ ...base, state: 'lost' as const, message: 'The ngrok session was closed' }, 'Tunnel lost (ngrok): The ngrok session was closed. Re-opening it…'],
    [
      { ...base, state: 'reconnected' as const, url: 'https://a.example', urlChanged: false, attempts: 1, durationMs: 4200, recovery: 'catch-up' as const },
      "Tunnel back after 4 s (1 attempt) at the same URL; reading the messages of the gap from the provider's log.",
    ],
    [
      {
        ...base,
        state: 'reconnected' as const,
        inboundUrl: 'https://b.example/x/hooks/twilio/inbound',
        urlChanged: true,
        numberRepointed: false,
        attempts: 3,
        recovery: 'none' as const,
      },
      'Tunnel back after 0 s (3 attempts) at a new URL: point your webhook at https://b.example/x/hooks/twilio/inbound; messages received in the gap are not recovered (that needs --number).',
    ],
    [{ ...base, state: 'lost' as const, message: 'bad \u001b[31m' }, 'Tunnel lost (ngrok): bad \\u001b[31m. Re-opening it…'],
  ])('%j', (r, line) => {
    expect(formatTunnelReport(r, PLAIN_THEME)).toBe(line);
  });
});

describe('the renderer', () => {
  it('--json: a tunnel report is one NDJSON line on stdout (type "tunnel"), and the human line goes to stderr', async () => {
    const { createListenRenderer } = await import('../../../src/output/render-listen.js');
    const { io, stdout, stderr } = memoryIO({ json: true, quiet: true });
    const r = createListenRenderer(io, { out: PLAIN_THEME, err: PLAIN_THEME });
    const report: TunnelReport = { type: 'tunnel', state: 'lost', via: 'cloudflared', at: '2026-12-01T12:00:00.000Z', message: 'cloudflared exited (code 1)' };
    r.tunnel!(report);
    r.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([report]);
    // Shown under --quiet too: a dropped tunnel is not chatter.
    expect(stderr()).toBe('Tunnel lost (cloudflared): cloudflared exited (code 1). Re-opening it…\n');
  });
});
