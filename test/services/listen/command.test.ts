// `mms listen` as a whole CLI, in-process (src/cli.ts run()), against an in-process sandbox: what
// a user sees on stdout and stderr and the exit codes. Aborting the run's signal acts as Ctrl+C.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeHttp, createHttpClient } from '../../../src/providers/http-client.js';
import { getAdapter } from '../../../src/providers/registry.js';
import type { ProviderAdapter } from '../../../src/providers/types.js';
import { computeTwilioSignature } from '../../../src/providers/twilio/webhook.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import { runInProcess } from '../../helpers/run-in-process.js';
import { PNG_1X1, startMediaServer, type MediaServer } from '../../helpers/media-server.js';

let sb: Sandbox;
let media: MediaServer;
let adapter: ProviderAdapter;
let twilio: { baseUrl: string; credentials: Record<string, string>; defaultFrom: string };
let root: string;
let configDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mms-listen-cli-'));
  configDir = join(root, 'config');
  sb = await startSandbox({ port: 0, stepDelayMs: 5 });
  media = await startMediaServer();
  media.add('/photo.png', PNG_1X1, 'image/png');
  adapter = await getAdapter('twilio');
  twilio = sb.info().providers.twilio!;
  env = {
    TWILIO_ACCOUNT_SID: twilio.credentials.accountSid!,
    TWILIO_AUTH_TOKEN: twilio.credentials.authToken!,
    MMS_TWILIO_BASE_URL: twilio.baseUrl,
    MMS_FROM: twilio.defaultFrom,
  };
});

afterAll(async () => {
  await sb?.close();
  await media?.close();
  await closeHttp();
  rmSync(root, { recursive: true, force: true });
});

/** Starts `mms listen <args>` in-process; stdout/stderr grow as it runs. */
function listen(args: string[]) {
  const ac = new AbortController();
  let stdout = '';
  let stderr = '';
  const result = runInProcess(['listen', ...args], { configDir, env, signal: ac.signal, onStdout: (c) => (stdout += c), onStderr: (c) => (stderr += c) });
  const jsonLines = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    result,
    abort: (reason?: unknown) => ac.abort(reason),
    stdout: () => stdout,
    stderr: () => stderr,
    jsonLines,
    /** The `listening` NDJSON line (--json). */
    listening: () =>
      vi.waitFor(
        () => {
          const l = jsonLines().find((o) => o.type === 'listening');
          if (!l) throw new Error(`not listening yet:\n${stderr}`);
          return l as { inboundUrl: string; statusUrl: string; url: string; numberConfigured: boolean };
        },
        { timeout: 10_000 },
      ),
    waitForStderr: (text: string) => vi.waitFor(() => expect(stderr).toContain(text), { timeout: 10_000 }),
  };
}

const send = (to: string, body: string, mediaUrls: string[] = []) =>
  adapter.send(
    { to, from: twilio.defaultFrom, body, mediaUrls },
    { credentials: twilio.credentials, baseUrl: twilio.baseUrl, http: createHttpClient({ provider: 'twilio', env }) },
  );

async function smsUrl(number: string): Promise<string> {
  const auth = `Basic ${Buffer.from(`${twilio.credentials.accountSid}:${twilio.credentials.authToken}`).toString('base64')}`;
  const res = await fetch(
    `${twilio.baseUrl}/2010-04-01/Accounts/${twilio.credentials.accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(number)}`,
    { headers: { authorization: auth } },
  );
  const body = (await res.json()) as { incoming_phone_numbers: Array<{ phone_number: string; sms_url: string }> };
  return body.incoming_phone_numbers.find((x) => x.phone_number === number)!.sms_url;
}

const restoreFile = (number: string) => join(configDir, 'listen-restore', `twilio-${number.replace(/\D/g, '')}.json`);

describe('mms listen (in-process CLI against the sandbox)', () => {
  it('prints escape sequences in a body escaped (human output), and media lines', async () => {
    const l = listen(['--number', '+15557770001', '--count', '1', '--timeout', '20']);
    // Human mode: the ready lines are on stderr.
    await l.waitForStderr('Press Ctrl+C');
    await send('+15557770001', 'hi \u001b]52;c;cHduZWQ=\u0007 \u001b[31mred\u202e', [media.url('/photo.png')]);
    const { code, stdout, stderr } = await l.result;
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(stdout).toContain('+15005550006 → +15557770001  hi \\u001b]52;c;cHduZWQ=\\u0007 \\u001b[31mred\\u202e');
    expect(stdout).toMatch(/media 1\/1 {2}image\/png {2}http:\/\/127\.0\.0\.1:\d+\/twilio\//);
    expect(stderr).toContain('Restored the inbound webhook of +15557770001');
    expect(stderr).toContain('Stopped (--count reached): 1 message, 0 receipts.');
  });

  it('--json: the listening line first; forged requests get a line on stderr; the URLs without --number', async () => {
    const l = listen(['--json', '--count', '1', '--timeout', '20']);
    const ready = await l.listening();
    expect(ready.numberConfigured).toBe(false);
    await l.waitForStderr("Point your number's inbound");
    const params = {
      MessageSid: `SM${'1'.repeat(32)}`,
      AccountSid: twilio.credentials.accountSid!,
      From: '+15550001111',
      To: '+15557770002',
      Body: 'forged',
      NumMedia: '0',
    };
    const body = new URLSearchParams(params).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'forger/1.0' };
    expect((await fetch(ready.inboundUrl, { method: 'POST', headers, body })).status).toBe(403);
    expect(l.stderr()).toContain('Rejected an inbound webhook with a missing or invalid signature (403) from forger/1.0');
    const ok = await fetch(ready.inboundUrl, {
      method: 'POST',
      headers: { ...headers, 'x-twilio-signature': computeTwilioSignature(twilio.credentials.authToken!, ready.inboundUrl, params) },
      body,
    });
    expect(ok.status).toBe(200);
    const { code, stdout } = await l.result;
    expect(code).toBe(0);
    expect(l.jsonLines().map((o) => o.type)).toEqual(['listening', 'message']);
    for (const line of stdout.trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('--timeout without reaching --count exits 8; a Messaging Service number is refused with a clear error; so is a number of another account', async () => {
    const t = await runInProcess(['listen', '--count', '1', '--timeout', '0.05'], { configDir, env });
    expect(t.code).toBe(8);
    expect(t.stderr).toContain('0 of 1 message received');
    const mg = await runInProcess(['listen', '--number', '+15557770009', '--json'], { configDir, env });
    expect(mg.code).toBe(2);
    expect((JSON.parse(mg.stdout) as { error: unknown }).error).toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(mg.stderr).toMatch(/belongs to Messaging Service MG[0-9a-f]{32}/);
    expect(existsSync(restoreFile('+15557770009'))).toBe(false);
    const notOurs = await runInProcess(['listen', '--number', '+15551234567'], { configDir, env });
    expect(notOurs.code).toBe(6);
    expect(notOurs.stderr).toContain('is not a phone number of this Twilio account');
  });

  it('Ctrl+C: restores the number, prints the summary and exits 0', async () => {
    const l = listen(['--number', '+15557770002', '--json']);
    const ready = await l.listening();
    expect(await smsUrl('+15557770002')).toBe(ready.inboundUrl);
    l.abort();
    const { code, stderr } = await l.result;
    expect(code).toBe(0);
    expect(stderr).toContain('Stopped (interrupted): 0 messages, 0 receipts.');
    expect(await smsUrl('+15557770002')).toBe('');
    expect(existsSync(restoreFile('+15557770002'))).toBe(false);
  });

  it('an unexpected error elsewhere in the process: the number is put back and mms exits 1 as a bug', async () => {
    const l = listen(['--number', '+15557770001', '--json']);
    const ready = await l.listening();
    expect(await smsUrl('+15557770001')).toBe(ready.inboundUrl);
    // cli.ts main() aborts the run with an uncaught error; run() in-process is given it directly.
    l.abort(new Error('boom'));
    const { code, stdout, stderr } = await l.result;
    expect(code).toBe(1);
    expect((JSON.parse(stdout.trim().split('\n').at(-1)!) as { error: unknown }).error).toMatchObject({ code: 'INTERNAL', message: 'boom' });
    expect(stderr).toContain('This is a bug');
    expect(stderr).toContain('Restored the inbound webhook of +15557770001');
    expect(await smsUrl('+15557770001')).toBe('');
    expect(existsSync(restoreFile('+15557770001'))).toBe(false);
  });

  it('--restore with nothing left over says so and exits 0', async () => {
    const none = await runInProcess(['listen', '--restore'], { configDir, env });
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('Nothing to restore');
  });
});
