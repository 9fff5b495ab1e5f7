// One end-to-end suite, run once per provider against its sandbox dialect, with `mms` run
// in-process (run-in-process.ts: the same exit codes and output as the binary, no spawn): send
// with a local image and a URL image (exact bytes checked in the sandbox record),
// receive an inbound MMS through `mms listen --number` with a verified signature (forged requests
// answered 403 while the listener keeps running; the number's webhook put back afterwards), and
// map auth, invalid-number and rate-limit errors to exit codes 4, 6 and 7; and, where a spec asks,
// `mms status` for a delivered and a failed message (or exit 2 NOT_SUPPORTED without a lookup API).
// The binary itself is covered by test/e2e/smoke.test.ts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempConfigDir } from './run-cli.js';
import { runInProcess, startInProcess, type RunningCli } from './run-in-process.js';
import type { SandboxProviderInfo } from './sandbox.js';
import { startLocalSandbox, type LocalSandbox } from './sandbox-in-process.js';
import { startMediaServer, PNG_1X1, type MediaServer } from './media-server.js';
import { skipSendWaits } from './skip-waits.js';

/** The local image every provider sends (a real JPEG, distinct from the URL image's PNG). */
export const LOCAL_IMAGE = fileURLToPath(new URL('../fixtures/media/pixel.jpg', import.meta.url));

/** The `{"type":"listening"}` line of `mms listen --json`. */
export interface ListeningLine {
  type: 'listening';
  provider: string;
  url: string;
  inboundUrl: string;
  statusUrl: string;
  number: string | null;
  numberConfigured: boolean;
  verify: boolean;
}

/** What a provider's suite needs to know; everything else is shared. */
export interface ProviderSuiteSpec {
  provider: string;
  /** Env vars pointing `mms` at the dialect with its credentials (webhook secrets included). */
  env(info: SandboxProviderInfo): Record<string, string>;
  /** Env overrides with a wrong secret: the provider answers 401. */
  wrongAuthEnv(info: SandboxProviderInfo): Record<string, string>;
  /** False when that AUTH_REJECTED error carries no httpStatus (Bandwidth: the OAuth token request failed). */
  authErrorHasHttpStatus?: boolean;
  /** A recipient the dialect refuses synchronously as invalid, and the provider code expected. */
  invalidTo: string;
  invalidProviderCode?: string;
  /** The HTTP status of that refusal. */
  invalidHttpStatus?: number;
  /** The dialect records numbers without the '+' (Plivo's wire form). */
  digitsOnlyRecords?: boolean;
  /** The shape of the message id `mms send` reports. */
  idPattern?: RegExp;
  /**
   * `mms status`: 'unsupported' when the provider has no lookup API (exit 2 NOT_SUPPORTED);
   * otherwise the sandbox record's status word once delivered (and what else the lookup reports),
   * and a recipient the dialect accepts and then fails to deliver to, with the status it maps to.
   */
  status?: 'unsupported' | { delivered: string; deliveredInfo?: Record<string, unknown>; failTo: string; failed: string; failStatus: 'failed' | 'undelivered' };
  /** The number --number is given (one of the dialect's own, not the default sender). */
  listenNumber(info: SandboxProviderInfo): string;
  /**
   * A snapshot of the number's inbound webhook configuration read through the dialect's own API
   * (or the sandbox's dashboard stand-in): equal before and after the listener, different while.
   */
  webhookConfig(sb: LocalSandbox, info: SandboxProviderInfo, number: string): Promise<unknown>;
  /** False when --number cannot change anything through the API (Sinch: a manual step). */
  numberConfiguredByApi: boolean;
  /** Sinch: the manual step, done through the sandbox's dashboard stand-in; returns the undo. */
  manualSetup?(sb: LocalSandbox, info: SandboxProviderInfo, ready: ListeningLine): Promise<() => Promise<void>>;
  /** Forged inbound requests (unsigned, wrongly signed) for the listener's inbound URL. */
  forgeries(info: SandboxProviderInfo, ready: ListeningLine, from: string, to: string): Array<{ name: string; init: RequestInit; challenged?: boolean }>;
  /** Expected media on the sandbox record of a local file: 'fetched' from us or 'uploaded' to it. */
  localMedia: 'served' | 'uploaded';
  /**
   * The env var of a webhook secret that is optional for sending: without it `mms listen` must
   * refuse to start (naming it) unless --insecure-skip-verify.
   */
  webhookSecretEnv?: string;
  /** Extra assertions on the inbound message event. */
  checkInbound?(ev: InboundEvent, info: SandboxProviderInfo): void;
}

/** The `message` event of `mms listen --json`. */
export interface InboundEvent {
  type: 'message';
  provider: string;
  id: string;
  from: string;
  to: string;
  body: string;
  media: Array<{ url: string; contentType: string | null; size: number | null; path?: string; saveError?: string }>;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Defines the suite for one provider. */
export function defineProviderSuite(spec: ProviderSuiteSpec): void {
  const p = spec.provider;
  let cfg: ReturnType<typeof tempConfigDir>;
  let sb: LocalSandbox;
  let media: MediaServer;
  let info: SandboxProviderInfo;
  let env: Record<string, string>;
  const running: RunningCli[] = [];

  beforeAll(async () => {
    cfg = tempConfigDir();
    sb = await startLocalSandbox();
    media = await startMediaServer();
    media.add('/chart.png', PNG_1X1, 'image/png');
    info = sb.providers[p]!;
    env = spec.env(info);
  }, 30_000);

  afterAll(async () => {
    for (const l of running) l.abort();
    await Promise.all(running.map((l) => l.exited()));
    await sb?.stop();
    await media?.close();
    cfg?.cleanup();
  });

  beforeEach(async () => {
    await sb.setFaults({});
    await sb.clear();
  });

  const run = (args: string[], extraEnv: Record<string, string> = {}) => runInProcess(args, { configDir: cfg.dir, env: { ...env, ...extraEnv } });
  const send = (args: string[], extraEnv: Record<string, string> = {}) => run(['send', '--provider', p, ...args, '--json'], extraEnv);

  describe(`${p}: e2e through the sandbox dialect`, () => {
    it('sends an MMS with a local image and with a URL image; the sandbox has the exact bytes', async () => {
      const local = readFileSync(LOCAL_IMAGE);
      for (const [what, mediaArg, bytes, type] of [
        ['local file', LOCAL_IMAGE, local, 'image/jpeg'],
        ['URL', media.url('/chart.png'), PNG_1X1, 'image/png'],
      ] as const) {
        const r = await send(['--to', '+15551234567', '--media', mediaArg, '--body', `${p} ${what}`]);
        expect(r.code, `${what}: ${r.stderr}`).toBe(0);
        // One summary line on stderr, nothing else (URL media: no local file served or uploaded).
        if (what === 'URL') expect(r.stderr).toMatch(/^1 of 1 accepted via \w+ in [0-9.]+ s\.\n$/);
        const doc = JSON.parse(r.stdout) as { summary: Record<string, unknown>; results: Array<{ id: string }> };
        expect(doc.summary).toMatchObject({ total: 1, accepted: 1, failed: 0, provider: p });
        const id = doc.results[0]!.id;
        if (spec.idPattern) expect(id).toMatch(spec.idPattern);
        const rec = await sb.waitFor(id, (m) => m.media.length === 1 && m.media[0]!.status !== 'pending', 30_000);
        expect(rec).toMatchObject({ provider: p, body: `${p} ${what}` });
        // Records keep the provider's own form: digits only for Plivo, E.164 elsewhere.
        const wire = (n: string): string => (spec.digitsOnlyRecords ? n.replace(/^\+/, '') : n.replace(/^\+?/, '+'));
        expect(rec.to).toBe(wire('+15551234567'));
        expect(rec.from).toBe(wire(info.defaultFrom));
        expect(rec.media[0], what).toMatchObject({ status: 'fetched', contentType: type, size: bytes.length, sha256: sha256(bytes) });
        if (what === 'local file') {
          // Served from the loopback endpoint of `mms send`, or uploaded to the provider's storage.
          if (spec.localMedia === 'uploaded') expect(rec.media[0]!.url.startsWith(info.baseUrl)).toBe(true);
          else expect(rec.media[0]!.url.startsWith(info.baseUrl)).toBe(false);
        }
      }
      expect(media.hits('/chart.png')).toBeGreaterThanOrEqual(1);
    }, 90_000);

    it('listen --number: rejects forged webhooks (403, or the challenge), receives a verified inbound MMS, restores the number', async () => {
      const number = spec.listenNumber(info);
      const before = await spec.webhookConfig(sb, info, number);
      const inbox = join(cfg.dir, '..', 'inbox');
      const listenArgs = ['listen', '--provider', p, '--number', number, '--count', '1', '--json', '--timeout', '90', '--save-media', inbox];
      const l = startInProcess(listenArgs, { configDir: cfg.dir, env });
      running.push(l);
      const ready = await l.waitForJson<ListeningLine>((o) => o.type === 'listening', 30_000);
      expect(ready).toMatchObject({ provider: p, number, verify: true, numberConfigured: spec.numberConfiguredByApi });
      let undo: (() => Promise<void>) | undefined;
      if (spec.numberConfiguredByApi) {
        expect(await spec.webhookConfig(sb, info, number)).not.toEqual(before);
      } else {
        // Nothing changed through the API: the listener says what to do by hand.
        await l.waitForStderr('dashboard', 10_000);
        undo = await spec.manualSetup!(sb, info, ready);
      }

      for (const f of spec.forgeries(info, ready, '+15550001111', number)) {
        const res = await fetch(ready.inboundUrl, { method: 'POST', ...f.init });
        // A challenge scheme (Bandwidth) answers a request without credentials with 401 + WWW-Authenticate.
        expect(res.status, f.name).toBe(f.challenged ? 401 : 403);
        if (f.challenged) expect(res.headers.get('www-authenticate'), f.name).toMatch(/^Basic realm=/);
      }
      const forged = spec.forgeries(info, ready, '+15550001111', number).filter((f) => !f.challenged).length;
      const rejections = () => l.stderr().match(/Rejected an inbound webhook with a missing or invalid signature \(403\)/g)?.length ?? 0;
      await vi.waitFor(() => expect(rejections(), l.stderr()).toBeGreaterThanOrEqual(forged), { timeout: 10_000, interval: 10 });
      expect(rejections()).toBe(forged);
      expect(l.done()).toBe(false);

      const s = await send(['--to', number, '--media', media.url('/chart.png'), '--body', 'round trip']);
      expect(s.code, s.stderr).toBe(0);
      const { code } = await l.exited(90_000);
      expect(code, l.stderr()).toBe(0);
      const events = l.lines.map((x) => JSON.parse(x) as Record<string, unknown>);
      expect(events.map((e) => e.type)).toEqual(['listening', 'message']);
      const msg = events[1] as unknown as InboundEvent;
      expect(msg).toMatchObject({ provider: p, to: number, body: 'round trip' });
      expect(msg.media).toHaveLength(1);
      // --save-media downloaded the exact bytes (with the provider's auth where its media needs it);
      // the type comes from the webhook, or from the download where the webhook names none.
      expect(msg.media[0]).toMatchObject({ contentType: 'image/png', size: PNG_1X1.length });
      expect(msg.media[0]).not.toHaveProperty('saveError');
      expect(sha256(readFileSync(msg.media[0]!.path!))).toBe(sha256(PNG_1X1));
      spec.checkInbound?.(msg, info);
      if (undo) await undo();
      expect(await spec.webhookConfig(sb, info, number)).toEqual(before);
    }, 150_000);

    it.runIf(spec.webhookSecretEnv !== undefined)(
      'listen refuses to start without the webhook secret, unless --insecure-skip-verify',
      async () => {
        const name = spec.webhookSecretEnv!;
        const without = Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));
        const r = await runInProcess(['listen', '--provider', p, '--json', '--timeout', '30'], { configDir: cfg.dir, env: { ...without, [name]: undefined } });
        expect(r.code, r.stderr).toBe(4);
        const doc = JSON.parse(r.stdout) as { error: { code: string; message: string; suggestion: string } };
        expect(doc.error.code).toBe('AUTH_MISSING');
        expect(doc.error.suggestion).toContain(name);
        expect(doc.error.suggestion).toContain('--insecure-skip-verify');

        const l = startInProcess(['listen', '--provider', p, '--json', '--insecure-skip-verify', '--timeout', '60'], { configDir: cfg.dir, env: without });
        running.push(l);
        const ready = await l.waitForJson<ListeningLine>((o) => o.type === 'listening', 30_000);
        expect(ready.verify).toBe(false);
        expect(l.stderr()).toContain('--insecure-skip-verify');
        // Ctrl+C (the spawned SIGTERM case is in test/e2e/smoke.test.ts).
        l.abort();
        expect((await l.exited(30_000)).code).toBe(0);
      },
      90_000,
    );

    it('exits 4 when the provider rejects the credentials', async () => {
      const r = await send(['--to', '+15551234567', '--media', media.url('/chart.png'), '--body', 'x'], spec.wrongAuthEnv(info));
      expect(r.code, r.stderr).toBe(4);
      // A run-level error (nothing could be sent) or the recipient's, depending on where it failed.
      const doc = JSON.parse(r.stdout) as { error?: Record<string, unknown>; results?: Array<{ error?: Record<string, unknown> }> };
      expect(doc.error ?? doc.results?.[0]?.error).toMatchObject({
        code: 'AUTH_REJECTED',
        ...(spec.authErrorHasHttpStatus === false ? {} : { httpStatus: 401 }),
      });
      expect(await sb.messages(`?provider=${p}`)).toHaveLength(0);
    }, 60_000);

    it('exits 6 for a number the provider refuses as invalid', async () => {
      const r = await send(['--to', spec.invalidTo, '--media', media.url('/chart.png'), '--body', 'x']);
      expect(r.code, r.stderr).toBe(6);
      const doc = JSON.parse(r.stdout) as { results: Array<{ to: string; status: string; error: Record<string, unknown> }> };
      expect(doc.results[0]).toMatchObject({ to: spec.invalidTo, status: 'failed' });
      const err = doc.results[0]!.error;
      expect(err).toMatchObject({ code: 'RECIPIENT_INVALID' });
      if (spec.invalidProviderCode) expect(String(err.providerCode)).toBe(spec.invalidProviderCode);
      if (spec.invalidHttpStatus) expect(err.httpStatus).toBe(spec.invalidHttpStatus);
    }, 60_000);

    it.runIf(spec.status === 'unsupported')(
      'mms status exits 2 NOT_SUPPORTED: the provider has no API to look up a message',
      async () => {
        const r = await run(['status', '--provider', p, 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab', '--json']);
        expect(r.code, r.stderr).toBe(2);
        expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringContaining('no API to look up') });
      },
      60_000,
    );

    it.runIf(spec.status !== undefined && spec.status !== 'unsupported')(
      'mms status reads a delivered message and a delivery failure',
      async () => {
        const st = spec.status as Exclude<ProviderSuiteSpec['status'], 'unsupported' | undefined>;
        const lookUp = async (to: string, sandboxStatus: string) => {
          const r = await send(['--to', to, '--media', media.url('/chart.png'), '--body', 'status']);
          expect(r.code, r.stderr).toBe(0);
          const id = (JSON.parse(r.stdout) as { results: Array<{ id: string }> }).results[0]!.id;
          await sb.waitFor(id, (m) => m.status === sandboxStatus, 30_000);
          const s = await run(['status', '--provider', p, id, '--json']);
          expect(s.code, s.stderr).toBe(0);
          return { id, info: JSON.parse(s.stdout) as Record<string, unknown> };
        };
        const ok = await lookUp('+15551234567', st.delivered);
        expect(ok.info).toMatchObject({ id: ok.id, status: 'delivered', ...st.deliveredInfo });
        const bad = await lookUp(st.failTo, st.failed);
        expect(bad.info).toMatchObject({ id: bad.id, status: st.failStatus });
      },
      90_000,
    );

    it("retries the provider's 429s with backoff and sends each recipient once", async () => {
      // Two requests per second and three recipients at once: the third is answered 429 (Retry-After 1 s).
      // The wait for the window to refill moves mms's clock and the sandbox's instead of passing in real time.
      await sb.setFaults({ rateLimit: 2 });
      const to = ['+15551230001', '+15551230002', '+15551230003'];
      const realTime = skipSendWaits();
      const r = await run(['send', '--provider', p, '--to', to.join(','), '--body', 'paced', '--rate', 'unlimited', '--json', '--debug']).finally(realTime);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).summary).toMatchObject({ total: 3, accepted: 3, failed: 0 });
      // At least one recipient was answered 429 and retried.
      expect(r.stderr).toMatch(/retry \+1555123000\d after attempt 1 in \d+ ms: RATE_LIMITED/);
      const sent = (await sb.messages(`?provider=${p}`)).map((m) => m.to.replace(/^\+?/, '+')).filter((n) => to.includes(n));
      expect(sent.sort()).toEqual(to);
    }, 120_000);

    it('exits 7 with RATE_LIMITED when the rate limit persists beyond what retries may wait', async () => {
      // 1 request per 250 s: the provider asks for a wait longer than the 2-minute retry ceiling.
      await sb.setFaults({ rateLimit: 0.004 });
      const r = await send(['--to', '+15551230009', '--body', 'x', '--rate', 'unlimited']);
      expect(r.code, r.stderr).toBe(7);
      expect(JSON.parse(r.stdout).results[0]).toMatchObject({ status: 'failed', error: { code: 'RATE_LIMITED', httpStatus: 429 } });
      expect(await sb.messages(`?provider=${p}`)).toHaveLength(0);
    }, 60_000);
  });
}
