// End to end: the built `mms listen` binary, where the process itself is the subject: SIGTERM and
// SIGINT, an uncaught exception, and kill -9 followed by `mms listen --restore`. The sandbox runs
// in this process on 127.0.0.1 (no tunnel needed). Everything else about listen is tested
// in-process under test/services/listen/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseEnv, tempConfigDir } from '../helpers/run-cli.js';
import { runInProcess } from '../helpers/run-in-process.js';
import { spawnCli, type SpawnedCli } from '../helpers/spawn-cli.js';
import { closeHttp } from '../../src/providers/http-client.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';

let cfg: ReturnType<typeof tempConfigDir>;
let sb: Sandbox;
let twilio: { baseUrl: string; credentials: Record<string, string>; defaultFrom: string };
let env: Record<string, string>;
const running: SpawnedCli[] = [];

beforeAll(async () => {
  cfg = tempConfigDir();
  sb = await startSandbox({ port: 0, stepDelayMs: 5 });
  twilio = sb.info().providers.twilio!;
  env = {
    TWILIO_ACCOUNT_SID: twilio.credentials.accountSid!,
    TWILIO_AUTH_TOKEN: twilio.credentials.authToken!,
    MMS_TWILIO_BASE_URL: twilio.baseUrl,
    MMS_FROM: twilio.defaultFrom,
  };
});

afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await sb?.close();
  await closeHttp();
  cfg?.cleanup();
});

function listen(args: string[]): SpawnedCli {
  const p = spawnCli(['listen', ...args], { configDir: cfg.dir, env });
  running.push(p);
  return p;
}

interface ListeningEvent {
  type: 'listening';
  inboundUrl: string;
}

/** The sandbox number's SmsUrl, through the Twilio API like a real client. */
async function smsUrl(number: string): Promise<string> {
  const auth = `Basic ${Buffer.from(`${twilio.credentials.accountSid}:${twilio.credentials.authToken}`).toString('base64')}`;
  const res = await fetch(
    `${twilio.baseUrl}/2010-04-01/Accounts/${twilio.credentials.accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(number)}`,
    { headers: { authorization: auth } },
  );
  const body = (await res.json()) as { incoming_phone_numbers: Array<{ phone_number: string; sms_url: string }> };
  return body.incoming_phone_numbers.find((x) => x.phone_number === number)!.sms_url;
}

const restoreDir = () => join(cfg.dir, 'listen-restore');

describe('mms listen (e2e: signals and kill -9)', () => {
  it('restores the webhook after SIGTERM and exits 0', async () => {
    const l = listen(['--number', '+15557770002', '--json']);
    const ready = await l.waitForJson<ListeningEvent>((o) => o.type === 'listening');
    expect(await smsUrl('+15557770002')).toBe(ready.inboundUrl);
    l.child.kill('SIGTERM');
    const { code } = await l.exited();
    expect(code).toBe(0);
    expect(await smsUrl('+15557770002')).toBe('');
    expect(existsSync(join(restoreDir(), 'twilio-15557770002.json'))).toBe(false);
  });

  it('stops on SIGINT with a summary and exits 0', async () => {
    const l = listen(['--json']);
    const ready = await l.waitForJson<ListeningEvent>((o) => o.type === 'listening');
    expect(ready).toMatchObject({ provider: 'twilio', verify: true });
    l.child.kill('SIGINT');
    expect((await l.exited()).code).toBe(0);
    expect(l.stderr()).toContain('Stopped (interrupted)');
  });

  it('an uncaught exception anywhere in the process: cli.ts ends the run, the number is put back, exit 1 as a bug', async () => {
    // The built CLI's main(), with an error thrown from a timer callback once the listener is ready:
    // nothing in the command can catch it, only the process-wide handler in cli.ts.
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const script = `
      const { main } = await import(${JSON.stringify(cli)});
      const write = process.stdout.write.bind(process.stdout);
      let thrown = false;
      process.stdout.write = (chunk, ...rest) => {
        if (!thrown && String(chunk).includes('"type":"listening"')) {
          thrown = true;
          setImmediate(() => { throw new Error('boom from a callback'); });
        }
        return write(chunk, ...rest);
      };
      await main([process.execPath, 'mms', ...process.argv.slice(1)]);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, 'listen', '--number', '+15557770001', '--json'], {
      env: { ...baseEnv(cfg.dir), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toContain('Restored the inbound webhook of +15557770001');
    expect(stderr).toContain('This is a bug');
    expect((JSON.parse(stdout.trim().split('\n').at(-1)!) as { error: unknown }).error).toMatchObject({ code: 'INTERNAL', message: 'boom from a callback' });
    expect(await smsUrl('+15557770001')).toBe('');
    expect(existsSync(join(restoreDir(), 'twilio-15557770001.json'))).toBe(false);
  });

  it('after kill -9: refuses to reuse the number, and `mms listen --restore` puts the webhook back', async () => {
    const l = listen(['--number', '+15557770002', '--json']);
    const ready = await l.waitForJson<ListeningEvent>((o) => o.type === 'listening');
    l.child.kill('SIGKILL');
    await l.exited();
    expect(await smsUrl('+15557770002')).toBe(ready.inboundUrl);
    expect(existsSync(join(restoreDir(), 'twilio-15557770002.json'))).toBe(true);

    const again = await runInProcess(['listen', '--number', '+15557770002', '--json'], { configDir: cfg.dir, env });
    expect(again.code).toBe(2);
    expect((JSON.parse(again.stdout) as { error: { message: string } }).error.message).toContain('did not put its webhook back');
    expect(again.stderr).toContain('mms listen --restore --number +15557770002');

    const r = await runInProcess(['listen', '--restore', '--json'], { configDir: cfg.dir, env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ restored: [{ provider: 'twilio', number: '+15557770002' }], failed: [] });
    expect(await smsUrl('+15557770002')).toBe('');
    expect(existsSync(join(restoreDir(), 'twilio-15557770002.json'))).toBe(false);
    const none = await runInProcess(['listen', '--restore'], { configDir: cfg.dir, env });
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('Nothing to restore');
  });
});
