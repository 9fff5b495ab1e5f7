// `mms send` against `mms sandbox` (Twilio dialect), both in this process: what used to spawn the
// binary per case (test/e2e/send.test.ts) now runs the CLI in-process with exact output and exit
// codes, or calls sendMessages where time has to be controlled.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { sendExitCode, sendMessages } from '../../../src/services/send/index.js';
import { tempConfigDir } from '../../helpers/run-cli.js';
import { runInProcess } from '../../helpers/run-in-process.js';
import { startMediaServer, PNG_1X1, type MediaServer } from '../../helpers/media-server.js';
import { closedPort, dialectEnv, instantSleep, sendPortsFor, sendRequest, useSendHarness } from './harness.js';

const h = useSendHarness();
let media: MediaServer;

beforeAll(async () => {
  media = await startMediaServer();
  media.add('/chart.png', PNG_1X1, 'image/png');
  media.add('/notype.png', PNG_1X1);
  media.add('/big.png', Buffer.alloc(6 * 1024 * 1024, 1), 'image/png');
});
afterAll(async () => {
  await media?.close();
});

describe('mms send against the sandbox', () => {
  it('sends an MMS with an image URL; the sandbox records it and fetches the media', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--media', media.url('/chart.png'), '--body', 'Nightly chart', '--json']);
    expect(r.stderr).toMatch(/^1 of 1 accepted via twilio in \d+\.\d s\.\n$/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toMatchObject({ total: 1, accepted: 1, failed: 0, provider: 'twilio' });
    const id = doc.results[0].id as string;
    expect(id).toMatch(/^MM[0-9a-f]{32}$/);
    const rec = await h.waitFor(id, (m) => m.status === 'delivered');
    expect(rec).toMatchObject({ to: '+15551234567', from: '+15005550006', body: 'Nightly chart' });
    expect(rec.media).toHaveLength(1);
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    expect(media.hits('/chart.png')).toBeGreaterThanOrEqual(1);
  });

  it('prints one tab-separated line per recipient when piped, and a summary on stderr', async () => {
    const r = await h.run(['send', '--to', '+15551234567,+15557654321', '--body', 'hi']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^\+1555\d{7}\tqueued\tSM[0-9a-f]{32}$/);
    expect(r.stderr).toContain('2 of 2 accepted');
    expect(h.messages()).toHaveLength(2);
  });

  it.each([
    ['+15005550001', 'RECIPIENT_INVALID', 21211],
    ['+15005550002', 'RECIPIENT_UNREACHABLE', 21612],
    ['+15005550003', 'RECIPIENT_UNREACHABLE', 21408],
    ['+15005550004', 'RECIPIENT_OPTED_OUT', 21610],
    ['+15005550009', 'RECIPIENT_UNREACHABLE', 21614],
  ])('maps magic To %s to %s (Twilio %d), exit 6', async (to, code, twilioCode) => {
    const r = await h.run(['send', '--to', to, '--body', 'x', '--json']);
    expect(r.code).toBe(6);
    const doc = JSON.parse(r.stdout);
    expect(doc.results[0]).toMatchObject({ to, status: 'failed', error: { code, providerCode: twilioCode, httpStatus: 400 } });
    expect(doc.results[0].error.moreInfo).toBe(`https://www.twilio.com/docs/errors/${twilioCode}`);
  });

  it.each([
    ['+15005550001', 'SENDER_INVALID', 21212, 6],
    ['+15005550007', 'SENDER_REJECTED', 21606, 6],
    ['+15005550008', 'RATE_LIMITED', 21611, 7],
  ])('maps magic From %s to %s (Twilio %d)', async (from, code, twilioCode, exit) => {
    const r = await h.run(['send', '--to', '+15551234567', '--from', from, '--body', 'x', '--json']);
    expect(r.code).toBe(exit);
    expect(JSON.parse(r.stdout).results[0].error).toMatchObject({ code, providerCode: twilioCode });
  });

  it('exits 3 with per-recipient results when some recipients fail', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--to', '+15005550004', '--body', 'x', '--json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toMatchObject({ total: 2, accepted: 1, failed: 1 });
    expect(doc.results.map((x: { status: string }) => x.status)).toEqual(['accepted', 'failed']);
    expect(h.messages().map((m) => m.to)).toEqual(['+15551234567']);
  });

  it('marks the message failed in the sandbox when media has no Content-Type (12300) or is too large (11751)', async () => {
    for (const [path, code] of [
      ['/notype.png', 12300],
      ['/big.png', 11751],
      ['/missing.png', 11200],
    ] as const) {
      const r = await h.run(['send', '--to', '+15551234567', '--media', media.url(path), '--json']);
      expect(r.code).toBe(0);
      const id = JSON.parse(r.stdout).results[0].id as string;
      const rec = await h.waitFor(id, (m) => m.status === 'failed');
      expect(rec.errorCode).toBe(code);
    }
  });

  it('serves a local file to the (local) provider and stays up until it is fetched', async () => {
    const dir = join(h.dir, 'local-media');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'chart.png'), PNG_1X1);
    const r = await h.run(['send', '--to', '+15551234567,+15557654321', '--media', 'chart.png', '--body', 'local', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.accepted).toBe(2);
    const sha = createHash('sha256').update(PNG_1X1).digest('hex');
    for (const res of doc.results) {
      // The run ended only after both fetches: the record already has them.
      const rec = await h.waitFor(res.id, (m) => m.media[0]?.status !== 'pending');
      expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length, sha256: sha });
      expect(rec.media[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{22}\/media\/[A-Za-z0-9_-]{22}\/chart\.png$/);
    }
    // Both messages share one URL: the file was published once.
    expect(new Set(doc.results.map((x: { id: string }) => x.id)).size).toBe(2);
    expect(new Set(h.messages().map((m) => m.media[0]!.url)).size).toBe(1);
  });

  it('refuses local files for a remote provider when no tunnel is available, before sending anything', async () => {
    const dir = join(h.dir, 'local-media2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'chart.png'), PNG_1X1);
    const r = await h.run(['send', '--to', '+15551234567', '--media', 'chart.png', '--json'], {
      cwd: dir,
      env: { ...h.env, MMS_TWILIO_BASE_URL: 'https://api.twilio.invalid', PATH: '/nonexistent' },
    });
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout).error.code).toBe('MEDIA_NEEDS_PUBLIC_URL');
  });

  it('--dry-run validates and prints the plan without sending', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--media', media.url('/chart.png'), '--body', 'hi', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.dryRun).toBe(true);
    expect(doc.plan.recipients).toEqual(['+15551234567']);
    expect(h.messages()).toHaveLength(0);
  });

  it('reads the body from stdin with --body - (in-process stdin; the piped case is in test/e2e)', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--body', '-', '--json'], { input: 'from stdin\n' });
    expect(r.code).toBe(0);
    expect(h.messages()[0]!.body).toBe('from stdin');
  });

  it('looks up a sent message with mms status', async () => {
    const sent = await h.run(['send', '--to', '+15551234567', '--body', 'x', '--json']);
    const id = JSON.parse(sent.stdout).results[0].id as string;
    await h.waitFor(id, (m) => m.status === 'delivered');
    const r = await h.run(['status', id, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id, status: 'delivered', to: '+15551234567' });
    const bad = await h.run(['status', 'nope', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.code).toBe('INVALID_ARGUMENT');
    const missing = await h.run(['status', `SM${'0'.repeat(32)}`, '--json']);
    expect(missing.code).toBe(6);
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: 'NOT_FOUND', providerCode: 20404 });
  });
});

describe('credentials and exit codes', () => {
  it('exits 4 without credentials and says how to log in (no TTY, no hang)', async () => {
    const empty = tempConfigDir();
    try {
      const r = await runInProcess(['send', '--to', '+15551234567', '--body', 'hi', '--from', '+15005550006'], { configDir: empty.dir });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/No Twilio credentials found/);
      expect(r.stderr).toMatch(/mms login/);
      const j = await runInProcess(['send', '--to', '+15551234567', '--body', 'hi', '--from', '+15005550006', '--json'], { configDir: empty.dir });
      expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'AUTH_MISSING' });
    } finally {
      empty.cleanup();
    }
  });

  it('exits 4 when the provider rejects the credentials (Twilio 20003)', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--body', 'hi', '--json'], { env: { ...h.env, TWILIO_AUTH_TOKEN: 'f'.repeat(32) } });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'AUTH_REJECTED', providerCode: 20003, httpStatus: 401 });
    expect(h.messages()).toHaveLength(0);
  });

  it('exits 2 when --to is missing and prompts are impossible', async () => {
    const r = await h.run(['send', '--body', 'hi']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--to is required when not running interactively');
  });

  it('exits 7 when the provider cannot be reached (after the retries, which take no real time here)', async () => {
    const sleeps: number[] = [];
    const ports = sendPortsFor(h, { env: { MMS_TWILIO_BASE_URL: `http://127.0.0.1:${await closedPort()}` } });
    const outcome = await sendMessages(sendRequest({ to: ['+15551234567'], body: 'hi' }), { ...ports, time: { ...ports.time, sleep: instantSleep(sleeps) } });
    expect(sendExitCode(outcome)).toBe(7);
    expect(outcome.results[0]!.error!.code).toBe('NETWORK_ERROR');
    // The connection was refused, so the request never left: it was retried (4 attempts in all).
    expect(sleeps).toHaveLength(3);
  });
});

describe('bad input: one clear line, the documented exit code, nothing sent', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(h.dir, 'inputs');
    mkdirSync(join(dir, 'folder'), { recursive: true });
    writeFileSync(join(dir, 'empty.jpg'), '');
    writeFileSync(join(dir, 'notes.qqq'), 'hello world, not media');
    writeFileSync(join(dir, 'photo.png'), PNG_1X1);
    writeFileSync(join(dir, 'secret.png'), PNG_1X1);
    chmodSync(join(dir, 'secret.png'), 0o000);
  });

  it.each([
    [['--to', '+15551234567', '--body', 'x', '--bogus'], 2, 'UNKNOWN_OPTION', /Unknown option '--bogus'/],
    [['--to', 'not-a-number', '--body', 'x'], 5, 'RECIPIENT_INVALID', /--to "not-a-number"/],
    [['--to', '+1555', '--body', 'x'], 5, 'RECIPIENT_INVALID', /too short/],
    [['--to', '+15551234567', '--media', 'missing.jpg'], 5, 'MEDIA_NOT_FOUND', /--media missing\.jpg: file not found/],
    [['--to', '+15551234567', '--media', 'folder'], 5, 'MEDIA_NOT_A_FILE', /is a directory/],
    [['--to', '+15551234567', '--media', 'empty.jpg'], 5, 'MEDIA_EMPTY', /empty/],
    [['--to', '+15551234567', '--media', 'notes.qqq'], 5, 'MEDIA_TYPE_UNSUPPORTED', /unknown file type/],
    [['--to', '+15551234567', '--media', 'ftp://example.invalid/a.png'], 5, 'MEDIA_URL_INVALID', /only http\(s\)/],
    [['--to', '+15551234567'], 5, 'MESSAGE_EMPTY', /no --body and no --media/],
    [['--to', '+15551234567', '--body', 'x'.repeat(1601)], 5, 'BODY_TOO_LONG', /1601 characters/],
    [['--to', '+15551234567', '--body-file', 'nope.txt'], 5, 'BODY_UNREADABLE', /--body-file nope\.txt: file not found/],
    [['--to', '+15551234567', '--body', 'x', '--from', 'bad sender!'], 5, 'SENDER_INVALID', /--from "bad sender!"/],
  ])('mms send %j → exit %d %s', async (args, exit, code, pattern) => {
    const r = await h.run(['send', ...args], { cwd: dir });
    expect(r.code).toBe(exit);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.split('\n')[0]).toMatch(/^Error: /);
    const j = await h.run(['send', ...args, '--json'], { cwd: dir });
    expect(j.code).toBe(exit);
    expect(JSON.parse(j.stdout).error.code).toBe(code);
    expect(h.messages()).toHaveLength(0);
  });

  it('reports every problem at once', async () => {
    const r = await h.run(['send', '--to', 'abc', '--to', '+15551234567', '--media', 'missing.jpg', '--media', 'folder', '--json'], { cwd: dir });
    expect(r.code).toBe(5);
    const doc = JSON.parse(r.stdout);
    expect(doc.error.details.problems.map((p: { code: string }) => p.code)).toEqual(['RECIPIENT_INVALID', 'MEDIA_NOT_FOUND', 'MEDIA_NOT_A_FILE']);
    expect(h.messages()).toHaveLength(0);
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--media', 'secret.png', '--json'], { cwd: dir });
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout).error.code).toBe('MEDIA_UNREADABLE');
  });

  it('keeps the config directory private when it creates it', async () => {
    const c = tempConfigDir();
    const tw = h.sb.info().providers.twilio!;
    try {
      const r = await runInProcess(
        ['login', '--provider', 'twilio', '--account-sid', tw.credentials.accountSid!, '--auth-token-stdin', '--base-url', tw.baseUrl],
        { configDir: c.dir, input: tw.credentials.authToken! },
      );
      expect(r.code).toBe(0);
      expect(statSync(c.dir).mode & 0o777).toBe(0o700);
    } finally {
      c.cleanup();
    }
  });
});

describe('mms send --wait (delivery receipts through a verified status route)', () => {
  it('waits for "delivered" and prints the final state', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--body', 'x', '--wait', '20', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.results[0].delivery).toMatchObject({ status: 'delivered', providerStatus: 'delivered' });
    // The sandbox posted the receipts to a StatusCallback on our loopback listener, and they were accepted.
    const hooks = (await h.webhooks()).filter((x) => x.kind === 'status' && x.messageId === doc.results[0].id);
    expect(hooks.length).toBeGreaterThan(0);
    expect(hooks.filter((x) => x.status !== 200)).toEqual([]);
  });

  it('exits 6 when the message ends undelivered, 3 when only one of two does', async () => {
    const r = await h.run(['send', '--to', '+15557770030', '--body', 'x', '--wait', '20', '--json']);
    expect(r.code).toBe(6);
    expect(JSON.parse(r.stdout).results[0].delivery).toMatchObject({ status: 'undelivered', errorCode: 30003 });
    const two = await h.run(['send', '--to', '+15557770030,+15551234567', '--body', 'x', '--wait', '20']);
    expect(two.code).toBe(3);
    expect(two.stderr).toMatch(/1 delivered/);
  });

  it('exits 8 when a receipt is still pending at the deadline', async () => {
    const { startSandbox } = await import('../../../src/sandbox/server.js');
    const slow = await startSandbox({ port: 0, stepDelayMs: 5000 });
    try {
      const sleeps: number[] = [];
      const ports = sendPortsFor(h, { env: dialectEnv(slow, 'twilio') });
      // The deadline passes on the send clock, after the sandbox's first receipt ("queued") was answered: the run's
      // server then has no request in flight and closes at once (one in flight would get a real second of grace).
      let answered = 0;
      const openEndpoint: typeof ports.openEndpoint = async (o) => {
        const ep = await ports.openEndpoint(o);
        const add = ep.server.addWebhookRoute.bind(ep.server);
        ep.server.addWebhookRoute = (name, handler) =>
          add(name, async (...args) => {
            try {
              return await handler(...args);
            } finally {
              answered++;
            }
          });
        return ep;
      };
      const deadline: typeof ports.time.sleep = async (ms, signal) => {
        await vi.waitFor(() => expect(answered).toBeGreaterThan(0));
        return instantSleep(sleeps)(ms, signal);
      };
      const outcome = await sendMessages(sendRequest({ to: ['+15551234567'], body: 'x', waitSeconds: 1 }), {
        ...ports,
        openEndpoint,
        time: { ...ports.time, sleep: deadline },
      });
      expect(sendExitCode(outcome)).toBe(8);
      expect(outcome.delivery!.get(outcome.results[0]!.id!)!.status).toMatch(/pending|queued|sending/);
      // The run waited for exactly the deadline it was given, no longer.
      expect(sleeps).toEqual([1000]);
    } finally {
      await slow.close();
    }
  });
});
