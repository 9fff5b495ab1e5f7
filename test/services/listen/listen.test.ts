// listenForMessages in-process against an in-process `mms sandbox` (Twilio dialect) on 127.0.0.1:
// the sandbox delivers inbound messages and receipts to the listener like the provider would.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CliError } from '../../../src/errors/errors.js';
import { closeHttp, createHttpClient } from '../../../src/providers/http-client.js';
import { getAdapter } from '../../../src/providers/registry.js';
import type { ProviderAdapter, ProviderCallContext } from '../../../src/providers/types.js';
import { computeTwilioSignature } from '../../../src/providers/twilio/webhook.js';
import { eventToJson } from '../../../src/output/render-listen.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import { listenForMessages } from '../../../src/services/listen/index.js';
import { startWebhookServer } from '../../../src/webhook/server.js';
import { CloseListeners } from '../../../src/webhook/tunnel/types.js';
import type { ListenEvent, ListeningInfo, ListenNotice, ListenOutcome, ListenPorts, ListenRequest } from '../../../src/services/listen/types.js';
import { startLtTestServer } from '../../helpers/lt-server.js';
import { BIN } from '../../helpers/run-cli.js';
import { PNG_1X1, startMediaServer, type MediaServer } from '../../helpers/media-server.js';

let sb: Sandbox;
let media: MediaServer;
let adapter: ProviderAdapter;
let twilio: { baseUrl: string; credentials: Record<string, string>; defaultFrom: string };
let root: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mms-listen-'));
  env = { MMS_CONFIG_DIR: join(root, 'config') };
  sb = await startSandbox({ port: 0, stepDelayMs: 5 });
  media = await startMediaServer();
  media.add('/photo.png', PNG_1X1, 'image/png');
  adapter = await getAdapter('twilio');
  twilio = sb.info().providers.twilio!;
});

afterAll(async () => {
  await sb?.close();
  await media?.close();
  await closeHttp();
  rmSync(root, { recursive: true, force: true });
});

const callContext = (signal?: AbortSignal): ProviderCallContext => ({
  credentials: twilio.credentials,
  baseUrl: twilio.baseUrl,
  http: createHttpClient({ provider: 'twilio', env }),
  ...(signal ? { signal } : {}),
});

interface Run {
  ready: Promise<ListeningInfo>;
  done: Promise<ListenOutcome>;
  events: ListenEvent[];
  notices: ListenNotice[];
  hookOutput: () => string;
  abort(reason?: unknown): void;
  /** The cleanups the run registered for cli.ts to run at exit. */
  exits: Array<() => Promise<void>>;
}

const running: Run[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.abort();
    await r.done.catch(() => undefined);
    for (const fn of r.exits) await fn();
  }
});

/** Starts a listener; `ready` resolves with the listening info (or rejects if the run ends first). */
function startListen(request: Partial<ListenRequest> = {}, ports: Partial<ListenPorts> = {}): Run {
  const ac = new AbortController();
  const events: ListenEvent[] = [];
  const notices: ListenNotice[] = [];
  const exits: Array<() => Promise<void>> = [];
  const out = new PassThrough();
  let hookText = '';
  out.on('data', (d: Buffer) => (hookText += d.toString()));
  let listening!: (info: ListeningInfo) => void;
  const ready = new Promise<ListeningInfo>((resolve) => (listening = resolve));
  const done = listenForMessages(
    { port: 0, skipVerify: false, ...request },
    {
      account: { adapter, callContext: callContext(ac.signal), cleanupContext: () => callContext() },
      env,
      signal: ac.signal,
      onExit: (fn) => void exits.push(fn),
      hookOutput: out,
      hookInput: (ev) => JSON.stringify(eventToJson(ev)) + '\n',
      ...ports,
    },
    { listening, event: (ev) => void events.push(ev), notice: (n) => void notices.push(n) },
  );
  const readyOrEnd = Promise.race([ready, done.then(() => Promise.reject(new Error('the run ended before listening')))]);
  // Tests that expect the run to fail never await `ready`.
  readyOrEnd.catch(() => undefined);
  const run: Run = {
    ready: readyOrEnd,
    done,
    events,
    notices,
    hookOutput: () => hookText,
    abort: (reason) => ac.abort(reason),
    exits,
  };
  running.push(run);
  return run;
}

/** The sandbox number's IncomingPhoneNumber resource, through the Twilio API like a real client. */
async function numberConfig(number: string): Promise<{ sid: string; sms_url: string }> {
  const auth = `Basic ${Buffer.from(`${twilio.credentials.accountSid}:${twilio.credentials.authToken}`).toString('base64')}`;
  const res = await fetch(
    `${twilio.baseUrl}/2010-04-01/Accounts/${twilio.credentials.accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(number)}`,
    { headers: { authorization: auth } },
  );
  const body = (await res.json()) as { incoming_phone_numbers: Array<{ sid: string; phone_number: string; sms_url: string }> };
  const n = body.incoming_phone_numbers.find((x) => x.phone_number === number);
  if (!n) throw new Error(`no such sandbox number ${number}`);
  return n;
}

/** Sends through the sandbox the way `mms send` does. */
const send = (to: string, body: string, extra: { mediaUrls?: string[]; statusCallbackUrl?: string } = {}) =>
  adapter.send(
    {
      to,
      from: twilio.defaultFrom,
      body,
      mediaUrls: extra.mediaUrls ?? [],
      ...(extra.statusCallbackUrl ? { statusCallbackUrl: extra.statusCallbackUrl } : {}),
    },
    callContext(),
  );

const restoreFile = (number: string) => join(env.MMS_CONFIG_DIR!, 'listen-restore', `twilio-${number.replace(/\D/g, '')}.json`);
const noticesOf = (r: Run, type: ListenNotice['type']) => r.notices.filter((n) => n.type === type);

describe('listenForMessages (in-process, against the sandbox)', () => {
  it('--number --count 1: reports the inbound MMS with its media, then restores the SmsUrl and removes the restore file', async () => {
    const before = await numberConfig('+15557770001');
    expect(before.sms_url).toBe('');
    const l = startListen({ number: '+15557770001', count: 1 });
    const ready = await l.ready;
    expect(ready).toMatchObject({ provider: 'twilio', number: '+15557770001', numberConfigured: true, verify: true, via: 'loopback (the provider is local)' });
    expect((await numberConfig('+15557770001')).sms_url).toBe(ready.inboundUrl);
    expect(statSync(restoreFile('+15557770001')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(restoreFile('+15557770001'), 'utf8'))).toMatchObject({
      version: 1,
      provider: 'twilio',
      number: '+15557770001',
      state: { data: { sid: before.sid, smsUrl: '' } },
    });
    expect(noticesOf(l, 'number-pointed')).toHaveLength(1);

    await send('+15557770001', 'round trip', { mediaUrls: [media.url('/photo.png')] });
    expect(await l.done).toEqual({ reason: 'count', messages: 1, statuses: 0, rejected: 0, count: 1 });
    expect(l.events).toHaveLength(1);
    const msg = l.events[0]!;
    if (msg.type !== 'message') throw new Error('expected a message');
    expect(msg).toMatchObject({ from: '+15005550006', to: '+15557770001', body: 'round trip', provider: 'twilio' });
    expect(msg.id).toMatch(/^MM[0-9a-f]{32}$/);
    expect(msg.media).toHaveLength(1);
    expect(msg.media[0]!.contentType).toBe('image/png');
    expect(msg.media[0]!.url).toContain(`/Messages/${msg.id}/Media/ME`);
    expect(noticesOf(l, 'number-restored')).toEqual([{ type: 'number-restored', number: '+15557770001' }]);
    expect((await numberConfig('+15557770001')).sms_url).toBe('');
    expect(existsSync(restoreFile('+15557770001'))).toBe(false);
    // The inbound copy is in the sandbox's record too.
    expect(sb.store.get(msg.id)?.to).toBe('+15557770001');
  });

  it('answers forged and unsigned requests with 403 (and a notice each), unknown paths 404, a signed one with empty TwiML', async () => {
    const l = startListen({ count: 1 });
    const ready = await l.ready;
    expect(ready.numberConfigured).toBe(false);
    const params = {
      MessageSid: `SM${'1'.repeat(32)}`,
      AccountSid: twilio.credentials.accountSid!,
      From: '+15550001111',
      To: '+15557770002',
      Body: 'forged',
      NumMedia: '0',
    };
    const body = new URLSearchParams(params).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const token = twilio.credentials.authToken!;
    expect((await fetch(ready.inboundUrl, { method: 'POST', headers, body })).status).toBe(403);
    const wrongKey = await fetch(ready.inboundUrl, {
      method: 'POST',
      headers: { ...headers, 'x-twilio-signature': computeTwilioSignature('not-the-token', ready.inboundUrl, params) },
      body,
    });
    expect(wrongKey.status).toBe(403);
    const tampered = await fetch(ready.inboundUrl, {
      method: 'POST',
      headers: { ...headers, 'x-twilio-signature': computeTwilioSignature(token, ready.inboundUrl, params) },
      body: body.replace('forged', 'tampered'),
    });
    expect(tampered.status).toBe(403);
    expect((await fetch(`${ready.url}/nope`, { method: 'POST', headers, body })).status).toBe(404);
    expect(noticesOf(l, 'signature-rejected')).toHaveLength(3);
    expect(noticesOf(l, 'request-rejected')).toMatchObject([{ method: 'POST', path: '/nope', status: 404 }]);
    const ok = await fetch(ready.inboundUrl, {
      method: 'POST',
      headers: { ...headers, 'x-twilio-signature': computeTwilioSignature(token, ready.inboundUrl, params) },
      body,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/xml');
    expect(await ok.text()).toBe('<Response></Response>');
    expect(await l.done).toMatchObject({ reason: 'count', messages: 1, rejected: 4 });
    expect(l.events.filter((e) => e.type === 'message')).toHaveLength(1);
  });

  it('--save-media writes the exact bytes under a safe generated name; --exec gets the event and MMS_* variables', async () => {
    const dir = join(root, 'inbox');
    const hookOut = join(root, 'hook.json');
    const hook = join(root, 'hook.mjs');
    writeFileSync(
      hook,
      `import { readFileSync, writeFileSync } from 'node:fs';
const stdin = readFileSync(0, 'utf8');
const pick = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MMS_') && k !== 'MMS_CONFIG_DIR' && !k.endsWith('_BASE_URL')));
writeFileSync(${JSON.stringify(hookOut)}, JSON.stringify({ stdin, env: pick }));
process.stdout.write('hook ran\\n');`,
    );
    const l = startListen({ number: '+15557770002', count: 1, saveMedia: dir, exec: `"${process.execPath}" "${hook}"` });
    await l.ready;
    await send('+15557770002', 'with media', { mediaUrls: [media.url('/photo.png')] });
    expect((await l.done).reason).toBe('count');
    const msg = l.events.find((e) => e.type === 'message')!;
    if (msg.type !== 'message') throw new Error('expected a message');
    const files = readdirSync(dir);
    expect(files).toEqual([`${msg.id}-1.png`]);
    expect(msg.media[0]!.path).toBe(join(dir, files[0]!));
    expect(msg.media[0]!.size).toBe(PNG_1X1.length);
    expect(readFileSync(join(dir, files[0]!)).equals(PNG_1X1)).toBe(true);
    const ran = JSON.parse(readFileSync(hookOut, 'utf8')) as { stdin: string; env: Record<string, string> };
    expect(JSON.parse(ran.stdin)).toMatchObject({ type: 'message', id: msg.id, body: 'with media' });
    expect(ran.env).toMatchObject({
      MMS_EVENT: 'message',
      MMS_MESSAGE_PROVIDER: 'twilio',
      MMS_MESSAGE_FROM: '+15005550006',
      MMS_MESSAGE_TO: '+15557770002',
      MMS_MESSAGE_BODY: 'with media',
      MMS_MESSAGE_MEDIA: join(dir, files[0]!),
      MMS_MESSAGE_ID: msg.id,
      // `mms send`'s default sender in the hook is the number that was texted (issue 11).
      MMS_FROM: '+15557770002',
    });
    // The old event names are gone: MMS_FROM meant the customer and made replies go out from them.
    for (const old of ['MMS_TO', 'MMS_BODY', 'MMS_MEDIA', 'MMS_PROVIDER']) expect(ran.env).not.toHaveProperty(old);
    // The hook's output goes where the command says (stderr): never into the event stream.
    expect(l.hookOutput()).toContain('hook ran');
  });

  it('the natural auto-reply `mms send --to "$MMS_MESSAGE_FROM"` from --exec goes out from the listening number (needs npm run build)', async () => {
    // The user's configured default sender (MMS_FROM) is another number: the hook must still reply
    // from the number the customer texted, to the customer.
    const cliEnv = {
      ...env,
      PATH: process.env.PATH ?? '',
      CI: '1',
      NO_COLOR: '1',
      TWILIO_ACCOUNT_SID: twilio.credentials.accountSid!,
      TWILIO_AUTH_TOKEN: twilio.credentials.authToken!,
      MMS_TWILIO_BASE_URL: twilio.baseUrl,
      MMS_FROM: '+15557770002',
    };
    const exec = `"${process.execPath}" "${BIN}" send --to "$MMS_MESSAGE_FROM" --body Thanks`;
    const l = startListen({ number: '+15557770001', count: 1, exec }, { env: cliEnv });
    await l.ready;
    await send('+15557770001', 'hello?');
    expect((await l.done).reason).toBe('count');
    expect(noticesOf(l, 'exec-failed')).toEqual([]);
    const res = await fetch(`${sb.info().origin}/_sandbox/messages`);
    const { messages } = (await res.json()) as { messages: Array<{ from: string; to: string; body: string }> };
    const replies = messages.filter((m) => m.body === 'Thanks');
    expect(replies.length).toBeGreaterThan(0);
    for (const r of replies) expect({ from: r.from, to: r.to }).toEqual({ from: '+15557770001', to: twilio.defaultFrom });
  });

  it('reports signed delivery receipts; a late-failing test number ends undelivered with its error code; Ctrl+C stops it', async () => {
    const l = startListen();
    const ready = await l.ready;
    const { id } = await send('+15557770030', 'x', { statusCallbackUrl: ready.statusUrl });
    await vi.waitFor(() => expect(l.events.some((e) => e.type === 'status' && e.status === 'undelivered')).toBe(true), { timeout: 10_000 });
    const statuses = l.events.filter((e) => e.type === 'status');
    expect(statuses.at(-1)).toMatchObject({ id, errorCode: 30003 });
    expect(statuses.map((e) => e.type === 'status' && e.status)).toEqual(['queued', 'sending', 'sent', 'undelivered']);
    l.abort();
    expect(await l.done).toEqual({ reason: 'signal', messages: 0, statuses: 4, rejected: 0 });
  });

  it('--timeout before --count ends with reason timeout (injected timer) and puts the number back', async () => {
    let fire: (() => void) | undefined;
    let armedMs: number | undefined;
    const l = startListen(
      { number: '+15557770002', count: 1, timeoutS: 0.3 },
      {
        setTimer: (ms, fn) => {
          armedMs = ms;
          fire = fn;
          return () => (fire = undefined);
        },
      },
    );
    await l.ready;
    expect(armedMs).toBe(300);
    fire!();
    expect(await l.done).toEqual({ reason: 'timeout', messages: 0, statuses: 0, rejected: 0, count: 1 });
    expect(fire).toBeUndefined();
    expect(noticesOf(l, 'number-restored')).toHaveLength(1);
    expect((await numberConfig('+15557770002')).sms_url).toBe('');
  });

  it('refuses a Messaging Service number and a number of another account, writing no restore file', async () => {
    const mg = startListen({ number: '+15557770009' });
    const err = await mg.done.then(
      () => undefined,
      (e: unknown) => e as CliError,
    );
    expect(err).toMatchObject({ code: 'NOT_SUPPORTED', exitCode: 2 });
    expect(err!.message).toMatch(/belongs to Messaging Service MG[0-9a-f]{32}/);
    expect(existsSync(restoreFile('+15557770009'))).toBe(false);
    const notOurs = await startListen({ number: '+15551234567' }).done.then(
      () => undefined,
      (e: unknown) => e as CliError,
    );
    expect(notOurs?.exitCode).toBe(6);
    expect(notOurs?.message).toContain('is not a phone number of this Twilio account');
  });

  it('refuses a number another run still holds, before starting anything', async () => {
    const first = startListen({ number: '+15557770002' });
    await first.ready;
    const second = await startListen({ number: '+15557770002' }).done.then(
      () => undefined,
      (e: unknown) => e as CliError,
    );
    expect(second?.exitCode).toBe(2);
    first.abort();
    await first.done;
    expect((await numberConfig('+15557770002')).sms_url).toBe('');
  });

  it('works end to end through a localtunnel-protocol server on loopback', async () => {
    const lt = await startLtTestServer();
    try {
      const l = startListen({ number: '+15557770001', count: 1, tunnel: 'localtunnel', tunnelHost: lt.url }, { env: { ...env, MMS_TEST_OFFLINE: '1' } });
      const ready = await l.ready;
      expect(ready.url).toBe(lt.clients[0]!.publicUrl);
      expect((await numberConfig('+15557770001')).sms_url).toBe(ready.inboundUrl);
      await send('+15557770001', 'via tunnel');
      expect((await l.done).reason).toBe('count');
      expect(l.events).toMatchObject([{ type: 'message', body: 'via tunnel' }]);
      expect(
        noticesOf(l, 'endpoint')
          .map((n) => (n.type === 'endpoint' ? n.line : ''))
          .join('\n'),
      ).toMatch(/unencrypted|plain-http|http:/i);
      expect((await numberConfig('+15557770001')).sms_url).toBe('');
    } finally {
      await lt.close();
    }
  });

  it('reports a lost tunnel, restores the number and fails with exit code 7', async () => {
    // A stand-in tunnel in front of the real loopback server: the loss is fired by the test (how each
    // backend detects a loss is tested in test/unit/webhook/tunnel/).
    const tunnel = {
      name: 'localtunnel' as const,
      start: () => Promise.resolve({ publicUrl: '', warnings: [] }),
      stop: () => Promise.resolve(),
      listeners: new CloseListeners(),
    };
    const l = startListen(
      { number: '+15557770002' },
      {
        openEndpoint: async (opts) => {
          const server = await startWebhookServer(opts.server);
          return {
            server,
            publicUrl: server.origin,
            via: 'localtunnel',
            tunnel: { ...tunnel, onClose: (cb) => tunnel.listeners.add(cb) },
            close: () => server.close(),
          };
        },
      },
    );
    const ready = await l.ready;
    expect((await numberConfig('+15557770002')).sms_url).toBe(ready.inboundUrl);
    tunnel.listeners.fire(new Error('the localtunnel server went away'));
    const err = await l.done.then(
      () => undefined,
      (e: unknown) => e as CliError,
    );
    expect(err).toBeInstanceOf(CliError);
    expect(err?.exitCode).toBe(7);
    expect(noticesOf(l, 'tunnel-lost')).toEqual([{ type: 'tunnel-lost', message: 'the localtunnel server went away' }]);
    expect(noticesOf(l, 'number-restored')).toEqual([{ type: 'number-restored', number: '+15557770002' }]);
    expect((await numberConfig('+15557770002')).sms_url).toBe('');
    expect(existsSync(restoreFile('+15557770002'))).toBe(false);
  });

  it('an unexpected error (the run aborted with it) ends the run with that error, and the number is put back', async () => {
    const l = startListen({ number: '+15557770001' });
    const ready = await l.ready;
    expect((await numberConfig('+15557770001')).sms_url).toBe(ready.inboundUrl);
    const boom = new Error('boom');
    l.abort(boom);
    await expect(l.done).rejects.toBe(boom);
    expect(noticesOf(l, 'number-restored')).toHaveLength(1);
    expect((await numberConfig('+15557770001')).sms_url).toBe('');
    expect(existsSync(restoreFile('+15557770001'))).toBe(false);
  });

  it('the cleanup it registers for cli.ts restores the number even if the run never unwinds', async () => {
    const l = startListen({ number: '+15557770001' });
    await l.ready;
    expect(l.exits).toHaveLength(1);
    await l.exits[0]!();
    expect((await numberConfig('+15557770001')).sms_url).toBe('');
    expect(existsSync(restoreFile('+15557770001'))).toBe(false);
    // Idempotent: the run's own shutdown does not restore twice.
    l.abort();
    await l.done;
    expect(noticesOf(l, 'number-restored')).toHaveLength(1);
  });
});
