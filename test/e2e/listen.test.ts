// End to end: `mms listen` (built binary) against `mms sandbox` on 127.0.0.1. The sandbox is a
// local provider, so no tunnel is needed, except in the localtunnel test, which goes through the
// in-repo localtunnel-protocol server on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempConfigDir } from '../helpers/run-cli.js';
import { spawnCli, type SpawnedCli } from '../helpers/spawn-cli.js';
import { startSandboxProcess, sandboxEnv, type SandboxHandle } from '../helpers/sandbox.js';
import { startMediaServer, PNG_1X1, type MediaServer } from '../helpers/media-server.js';
import { startLtTestServer } from '../helpers/lt-server.js';
import { computeTwilioSignature } from '../../src/providers/twilio/webhook.js';

let cfg: ReturnType<typeof tempConfigDir>;
let sb: SandboxHandle;
let media: MediaServer;
let env: Record<string, string>;
const running: SpawnedCli[] = [];

beforeAll(async () => {
  cfg = tempConfigDir();
  sb = await startSandboxProcess(cfg.dir);
  media = await startMediaServer();
  media.add('/photo.png', PNG_1X1, 'image/png');
  env = sandboxEnv(sb);
});

afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await sb?.stop();
  await media?.close();
  cfg?.cleanup();
});

function listen(args: string[], extraEnv: Record<string, string> = {}): SpawnedCli {
  const p = spawnCli(['listen', ...args], { configDir: cfg.dir, env: { ...env, ...extraEnv } });
  running.push(p);
  return p;
}

interface ListeningEvent {
  event: 'listening';
  url: string;
  inboundUrl: string;
  statusUrl: string;
  number: string | null;
  numberConfigured: boolean;
}

/** The sandbox number's IncomingPhoneNumber resource, through the Twilio API like a real client. */
async function numberConfig(number: string): Promise<{ sid: string; sms_url: string; sms_method: string; sms_application_sid: string }> {
  const auth = `Basic ${Buffer.from(`${sb.twilio.accountSid}:${sb.twilio.authToken}`).toString('base64')}`;
  const res = await fetch(`${sb.twilio.baseUrl}/2010-04-01/Accounts/${sb.twilio.accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(number)}`, { headers: { authorization: auth } });
  const body = (await res.json()) as { incoming_phone_numbers: Array<{ sid: string; phone_number: string; sms_url: string; sms_method: string; sms_application_sid: string }> };
  const n = body.incoming_phone_numbers.find((x) => x.phone_number === number);
  if (!n) throw new Error(`no such sandbox number ${number}`);
  return n;
}

function send(args: string[]) {
  return runCli(['send', ...args], { configDir: cfg.dir, env });
}

const restoreDir = () => join(cfg.dir, 'listen-restore');

describe('mms listen (e2e against the sandbox)', () => {
  it('--number --count 1 --json: prints the inbound MMS with its media, exits 0 and restores the SmsUrl', async () => {
    const before = await numberConfig('+15557770001');
    expect(before.sms_url).toBe('');
    const l = listen(['--number', '+15557770001', '--count', '1', '--json', '--timeout', '20']);
    const ready = await l.waitForJson<ListeningEvent>((o) => o.event === 'listening');
    expect(ready.number).toBe('+15557770001');
    expect(ready.numberConfigured).toBe(true);
    expect((await numberConfig('+15557770001')).sms_url).toBe(ready.inboundUrl);
    const restoreFile = join(restoreDir(), 'twilio-15557770001.json');
    expect(statSync(restoreFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(restoreFile, 'utf8'))).toMatchObject({ version: 1, provider: 'twilio', number: '+15557770001', state: { data: { sid: before.sid, smsUrl: '' } } });

    const s = await send(['--to', '+15557770001', '--media', media.url('/photo.png'), '--body', 'round trip', '--json']);
    expect(s.code).toBe(0);
    const { code } = await l.exited();
    expect(code).toBe(0);
    const events = l.lines.map((x) => JSON.parse(x) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(['listening', 'message']);
    const msg = events[1] as { id: string; from: string; to: string; body: string; media: Array<{ url: string; contentType: string }> };
    expect(msg).toMatchObject({ from: '+15005550006', to: '+15557770001', body: 'round trip', provider: 'twilio' });
    expect(msg.id).toMatch(/^MM[0-9a-f]{32}$/);
    expect(msg.media).toHaveLength(1);
    expect(msg.media[0]!.contentType).toBe('image/png');
    expect(msg.media[0]!.url).toContain(`/Messages/${msg.id}/Media/ME`);
    expect(l.stderr()).toContain('Restored the inbound webhook of +15557770001');
    expect((await numberConfig('+15557770001')).sms_url).toBe('');
    expect(existsSync(restoreFile)).toBe(false);
    // The inbound copy is in the sandbox's record too.
    expect((await sb.message(msg.id)).to).toBe('+15557770001');
  });

  it('prints escape sequences in a body escaped (human output), and media lines', async () => {
    const l = listen(['--number', '+15557770001', '--count', '1', '--timeout', '20']);
    // Human mode: the ready lines are on stderr.
    await l.waitForStderr('Press Ctrl+C');
    const s = await send(['--to', '+15557770001', '--media', media.url('/photo.png'), '--body', 'hi \u001b]52;c;cHduZWQ=\u0007 \u001b[31mred\u202e']);
    expect(s.code).toBe(0);
    const { code } = await l.exited();
    expect(code).toBe(0);
    const out = l.stdout();
    expect(out).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(out).toContain('+15005550006 → +15557770001  hi \\u001b]52;c;cHduZWQ=\\u0007 \\u001b[31mred\\u202e');
    expect(out).toMatch(/media 1\/1 {2}image\/png {2}http:\/\/127\.0\.0\.1:\d+\/twilio\//);
  });

  it('answers forged and unsigned requests with 403 and a line on stderr; prints the URLs without --number', async () => {
    const l = listen(['--json', '--count', '1', '--timeout', '20']);
    const ready = await l.waitForJson<ListeningEvent>((o) => o.event === 'listening');
    expect(ready.numberConfigured).toBe(false);
    await l.waitForStderr("Point your number's inbound");
    const params = { MessageSid: `SM${'1'.repeat(32)}`, AccountSid: sb.twilio.accountSid, From: '+15550001111', To: '+15557770002', Body: 'forged', NumMedia: '0' };
    const body = new URLSearchParams(params).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const unsigned = await fetch(ready.inboundUrl, { method: 'POST', headers, body });
    expect(unsigned.status).toBe(403);
    const wrongKey = await fetch(ready.inboundUrl, { method: 'POST', headers: { ...headers, 'x-twilio-signature': computeTwilioSignature('not-the-token', ready.inboundUrl, params) }, body });
    expect(wrongKey.status).toBe(403);
    const tampered = await fetch(ready.inboundUrl, { method: 'POST', headers: { ...headers, 'x-twilio-signature': computeTwilioSignature(sb.twilio.authToken, ready.inboundUrl, params) }, body: body.replace('forged', 'tampered') });
    expect(tampered.status).toBe(403);
    const unknown = await fetch(`${ready.url}/nope`, { method: 'POST', headers, body });
    expect(unknown.status).toBe(404);
    expect(l.stderr().match(/Rejected an? inbound webhook with a missing or invalid signature \(403\)/g)).toHaveLength(3);
    // A correctly signed request is accepted with empty TwiML, and counts.
    const ok = await fetch(ready.inboundUrl, { method: 'POST', headers: { ...headers, 'x-twilio-signature': computeTwilioSignature(sb.twilio.authToken, ready.inboundUrl, params) }, body });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/xml');
    expect(await ok.text()).toBe('<Response></Response>');
    expect((await l.exited()).code).toBe(0);
    expect(l.lines.filter((x) => x.includes('"event":"message"'))).toHaveLength(1);
  });

  it('--save-media writes the exact bytes under a safe generated name; --exec gets the event and MMS_* variables', async () => {
    const dir = join(cfg.dir, '..', 'inbox');
    const hookOut = join(cfg.dir, '..', 'hook.json');
    const hook = join(cfg.dir, '..', 'hook.mjs');
    writeFileSync(
      hook,
      `import { readFileSync, writeFileSync } from 'node:fs';
const stdin = readFileSync(0, 'utf8');
const pick = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MMS_') && k !== 'MMS_CONFIG_DIR' && !k.endsWith('_BASE_URL')));
writeFileSync(${JSON.stringify(hookOut)}, JSON.stringify({ stdin, env: pick }));
process.stdout.write('hook ran\\n');`,
    );
    const l = listen(['--number', '+15557770002', '--count', '1', '--json', '--save-media', dir, '--exec', `"${process.execPath}" "${hook}"`, '--timeout', '20']);
    await l.waitForJson((o) => o.event === 'listening');
    const s = await send(['--to', '+15557770002', '--media', media.url('/photo.png'), '--body', 'with media']);
    expect(s.code).toBe(0);
    expect((await l.exited()).code).toBe(0);
    const msg = JSON.parse(l.lines.find((x) => x.includes('"event":"message"'))!) as { id: string; media: Array<{ path: string; size: number }> };
    const files = readdirSync(dir);
    expect(files).toEqual([`${msg.id}-1.png`]);
    expect(msg.media[0]!.path).toBe(join(dir, files[0]!));
    expect(msg.media[0]!.size).toBe(PNG_1X1.length);
    expect(readFileSync(join(dir, files[0]!)).equals(PNG_1X1)).toBe(true);
    const ran = JSON.parse(readFileSync(hookOut, 'utf8')) as { stdin: string; env: Record<string, string> };
    expect(JSON.parse(ran.stdin)).toMatchObject({ event: 'message', id: msg.id, body: 'with media' });
    expect(ran.env).toMatchObject({ MMS_FROM: '+15005550006', MMS_TO: '+15557770002', MMS_BODY: 'with media', MMS_MEDIA: join(dir, files[0]!), MMS_MESSAGE_ID: msg.id });
    // The hook's output goes to stderr: stdout stays NDJSON.
    expect(l.stderr()).toContain('hook ran');
    for (const line of l.lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('restores the webhook after SIGTERM and exits 0', async () => {
    const l = listen(['--number', '+15557770002', '--json']);
    const ready = await l.waitForJson<ListeningEvent>((o) => o.event === 'listening');
    expect((await numberConfig('+15557770002')).sms_url).toBe(ready.inboundUrl);
    l.child.kill('SIGTERM');
    const { code } = await l.exited();
    expect(code).toBe(0);
    expect((await numberConfig('+15557770002')).sms_url).toBe('');
    expect(existsSync(join(restoreDir(), 'twilio-15557770002.json'))).toBe(false);
  });

  it('after kill -9: refuses to reuse the number, and `mms listen --restore` puts the webhook back', async () => {
    const l = listen(['--number', '+15557770002', '--json']);
    const ready = await l.waitForJson<ListeningEvent>((o) => o.event === 'listening');
    l.child.kill('SIGKILL');
    await l.exited();
    expect((await numberConfig('+15557770002')).sms_url).toBe(ready.inboundUrl);
    expect(existsSync(join(restoreDir(), 'twilio-15557770002.json'))).toBe(true);

    const again = await runCli(['listen', '--number', '+15557770002', '--json'], { configDir: cfg.dir, env });
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout).error.message).toContain('did not put its webhook back');
    expect(again.stderr).toContain('mms listen --restore --number +15557770002');

    const r = await runCli(['listen', '--restore', '--json'], { configDir: cfg.dir, env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ restored: [{ provider: 'twilio', number: '+15557770002' }], failed: [] });
    expect((await numberConfig('+15557770002')).sms_url).toBe('');
    expect(existsSync(join(restoreDir(), 'twilio-15557770002.json'))).toBe(false);
    const none = await runCli(['listen', '--restore'], { configDir: cfg.dir, env });
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('Nothing to restore');
  });

  it('shows signed delivery receipts; a late-failing test number ends undelivered with its error code', async () => {
    const l = listen(['--json']);
    const ready = await l.waitForJson<ListeningEvent>((o) => o.event === 'listening');
    const s = await send(['--to', '+15557770030', '--body', 'x', '--status-callback', ready.statusUrl, '--json']);
    expect(s.code).toBe(0);
    const id = JSON.parse(s.stdout).results[0].id as string;
    const last = await l.waitForJson<{ status: string; errorCode: unknown; id: string }>((o) => o.event === 'status' && o.status === 'undelivered');
    expect(last).toMatchObject({ id, errorCode: 30003 });
    const seen = l.lines.map((x) => JSON.parse(x) as { event: string; status?: string }).filter((e) => e.event === 'status').map((e) => e.status);
    expect(seen).toEqual(['queued', 'sending', 'sent', 'undelivered']);
    l.child.kill('SIGINT');
    expect((await l.exited()).code).toBe(0);
  });

  it('--timeout without reaching --count exits 8; a Messaging Service number is refused with a clear error', async () => {
    const t = await runCli(['listen', '--count', '1', '--timeout', '0.3'], { configDir: cfg.dir, env });
    expect(t.code).toBe(8);
    expect(t.stderr).toContain('0 of 1 message received');
    const mg = await runCli(['listen', '--number', '+15557770009', '--json'], { configDir: cfg.dir, env });
    expect(mg.code).toBe(2);
    expect(JSON.parse(mg.stdout).error).toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(mg.stderr).toMatch(/belongs to Messaging Service MG[0-9a-f]{32}/);
    expect(existsSync(join(restoreDir(), 'twilio-15557770009.json'))).toBe(false);
    const notOurs = await runCli(['listen', '--number', '+15551234567'], { configDir: cfg.dir, env });
    expect(notOurs.code).toBe(6);
    expect(notOurs.stderr).toContain('is not a phone number of this Twilio account');
  });

  it('works end to end through a localtunnel-protocol server on loopback', async () => {
    const lt = await startLtTestServer();
    try {
      const l = listen(['--number', '+15557770001', '--count', '1', '--json', '--tunnel', 'localtunnel', '--tunnel-host', lt.url, '--timeout', '20'], { MMS_TEST_OFFLINE: '1' });
      const ready = await l.waitForJson<ListeningEvent>((o) => o.event === 'listening');
      expect(ready.url).toBe(lt.clients[0]!.publicUrl);
      expect((await numberConfig('+15557770001')).sms_url).toBe(ready.inboundUrl);
      const s = await send(['--to', '+15557770001', '--body', 'via tunnel']);
      expect(s.code).toBe(0);
      expect((await l.exited()).code).toBe(0);
      expect(l.lines.some((x) => x.includes('"body":"via tunnel"'))).toBe(true);
      expect(l.stderr()).toMatch(/unencrypted|plain-http|http:/i);
      expect((await numberConfig('+15557770001')).sms_url).toBe('');
    } finally {
      await lt.close();
    }
  });

  it('reports a lost tunnel, restores the number and exits 7', async () => {
    const lt = await startLtTestServer();
    try {
      const l = listen(['--number', '+15557770002', '--json', '--tunnel', 'localtunnel', '--tunnel-host', lt.url], { MMS_TEST_OFFLINE: '1' });
      const ready = await l.waitForJson<ListeningEvent>((o) => o.event === 'listening');
      expect((await numberConfig('+15557770002')).sms_url).toBe(ready.inboundUrl);
      lt.dropTunnels();
      const { code } = await l.exited(20_000);
      expect(code).toBe(7);
      expect(l.stderr()).toContain('The tunnel closed unexpectedly');
      expect(l.stderr()).toContain('Restored the inbound webhook of +15557770002');
      expect((await numberConfig('+15557770002')).sms_url).toBe('');
      expect(existsSync(join(restoreDir(), 'twilio-15557770002.json'))).toBe(false);
    } finally {
      await lt.close();
    }
  });
});
