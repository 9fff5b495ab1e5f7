// A reader that goes away (`mms … | head -1`) must end mms quietly: no stack trace, a documented
// exit code. For short commands the pipe's read end is closed before mms writes, so every write
// meets EPIPE. For the commands that wait (`mms listen`, `mms sandbox`) the reader leaves while they
// are idle: they must notice without writing, and stop as on Ctrl+C (the number put back).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, baseEnv, tempConfigDir } from '../helpers/run-cli.js';
import { seedSandboxCredentials } from '../helpers/sandbox.js';
import { closeHttp } from '../../src/providers/http-client.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';

function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const cfg = tempConfigDir();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: baseEnv(cfg.dir), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      cfg.cleanup();
      resolve({ code, stderr });
    });
  });
}

describe('closed stdout', () => {
  it.each([[['--help']], [['--version']], [['providers']], [['help', 'exit-codes']], [['completion', 'bash']]])('mms %j ends quietly', async (args) => {
    const r = await runWithClosedStdout(args);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
    expect(r.code).toBe(0);
  });
});

/** GNU tail is what watches a shell pipe's reader (src/output/io.ts); without it only the next write notices. */
function hasGnuTail(): boolean {
  try {
    return process.platform === 'linux' && execFileSync('tail', ['--version'], { encoding: 'utf8' }).includes('GNU');
  } catch {
    return false;
  }
}

describe('the reader leaves while mms waits', () => {
  let cfg: ReturnType<typeof tempConfigDir>;
  let sb: Sandbox;
  let env: Record<string, string>;
  let twilio: { baseUrl: string; credentials: Record<string, string> };

  beforeAll(async () => {
    cfg = tempConfigDir();
    // The spawned `mms sandbox` below reads saved credentials: it makes no RSA key pair.
    await seedSandboxCredentials(cfg.dir);
    sb = await startSandbox({ port: 0, stepDelayMs: 5 });
    twilio = sb.info().providers.twilio!;
    env = {
      ...baseEnv(cfg.dir),
      TWILIO_ACCOUNT_SID: twilio.credentials.accountSid!,
      TWILIO_AUTH_TOKEN: twilio.credentials.authToken!,
      MMS_TWILIO_BASE_URL: twilio.baseUrl,
    };
  });
  afterAll(async () => {
    await sb?.close();
    await closeHttp();
    cfg?.cleanup();
  });

  /** The number's SmsUrl, through the Twilio API. */
  async function smsUrl(number: string): Promise<string> {
    const auth = `Basic ${Buffer.from(`${twilio.credentials.accountSid}:${twilio.credentials.authToken}`).toString('base64')}`;
    const url = `${twilio.baseUrl}/2010-04-01/Accounts/${twilio.credentials.accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(number)}`;
    const body = (await (await fetch(url, { headers: { authorization: auth } })).json()) as {
      incoming_phone_numbers: Array<{ phone_number: string; sms_url: string }>;
    };
    return body.incoming_phone_numbers.find((x) => x.phone_number === number)!.sms_url;
  }

  /** Runs a shell line; resolves with its stdout, stderr and exit code. */
  function sh(line: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', line, process.execPath, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('mms listen --json on a socket whose reader closes after the first line: stops at once, number restored, exit 0 (as Ctrl+C)', async () => {
    const child = spawn(process.execPath, [BIN, 'listen', '--number', '+15557770001', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    expect(JSON.parse(first.split('\n')[0]!)).toMatchObject({ type: 'listening', numberConfigured: true });
    expect(await smsUrl('+15557770001')).not.toBe('');
    child.stdout.destroy();
    // No webhook arrives: nothing is ever written again, yet the listener must end.
    await vi.waitFor(() => expect(child.exitCode).not.toBeNull(), { timeout: 15_000, interval: 50 });
    expect(await exited).toBe(0);
    expect(stderr).toContain('Restored the inbound webhook of +15557770001');
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
    expect(await smsUrl('+15557770001')).toBe('');
    expect(existsSync(join(cfg.dir, 'listen-restore', 'twilio-15557770001.json'))).toBe(false);
  });

  it.skipIf(!hasGnuTail())('mms listen --json | head -1 in a shell: ends once head has its line, number restored, exit 0', async () => {
    // The status of mms itself, on stderr: sh has no pipefail.
    const r = await sh('{ "$0" "$@"; echo "mms exited $?" >&2; } | head -1', ['listen', '--number', '+15557770002', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'listening', number: '+15557770002' });
    expect(r.stderr).toContain('Restored the inbound webhook of +15557770002');
    expect(r.stderr).toContain('mms exited 0');
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
    expect(await smsUrl('+15557770002')).toBe('');
    expect(existsSync(join(cfg.dir, 'listen-restore', 'twilio-15557770002.json'))).toBe(false);
  });

  it.skipIf(!hasGnuTail())('mms sandbox --json | head -1: ends once head has the ready line', async () => {
    const r = await sh('{ "$0" "$@"; echo "mms exited $?" >&2; } | head -1', ['sandbox', '--port', '0', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'ready' });
    expect(r.stderr).toContain('mms exited 0');
  });

  it('mms sandbox wait whose reader went away: ends at once as Ctrl+C does (130), not after --timeout', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', 'wait', '--url', sb.info().origin, '--to', '+15557770002', '--timeout', '600'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    child.stdout.destroy();
    expect(await exited).toBe(130);
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
  });

  it('mms listen > file: a file has no reader to lose, the listener keeps running', async () => {
    const r = await sh('"$0" "$@" > "$MMS_CONFIG_DIR/out.ndjson"; echo "mms exited $?" >&2', ['listen', '--json', '--count', '1', '--timeout', '0.3']);
    // --timeout before --count: exit 8, so the listener ran to its timeout and was not stopped early.
    expect(r.stderr).toContain('mms exited 8');
  });
});
