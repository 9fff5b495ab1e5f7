// The true end-to-end set: the built binary (`node bin/mms.js`, no TTY, CI=1) against a spawned
// `mms sandbox`, one run per command and per exit-code class, plus what only a real process shows:
// the --version fast path, stdin as a pipe, and SIGINT/SIGTERM. Everything else runs in-process
// (test/helpers/run-in-process.ts), with the same exit codes and output. The runs stay one at a
// time: each start-up costs a core, and there are two.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempConfigDir, type RunResult } from '../helpers/run-cli.js';
import { spawnCli, type SpawnedCli } from '../helpers/spawn-cli.js';
import { startSandboxProcess, sandboxEnv, type SandboxHandle } from '../helpers/sandbox.js';
import { startMediaServer, PNG_1X1, type MediaServer } from '../helpers/media-server.js';

let cfg: ReturnType<typeof tempConfigDir>;
let sb: SandboxHandle;
let media: MediaServer;
let env: Record<string, string>;
const running: SpawnedCli[] = [];

beforeAll(async () => {
  cfg = tempConfigDir();
  // `mms sandbox` itself: started as a process, ready line parsed.
  sb = await startSandboxProcess(cfg.dir);
  media = await startMediaServer();
  media.add('/chart.png', PNG_1X1, 'image/png');
  env = sandboxEnv(sb);
}, 30_000);

afterAll(async () => {
  for (const l of running) if (l.child.exitCode === null && l.child.signalCode === null) l.child.kill('SIGKILL');
  await sb?.stop();
  await media?.close();
  cfg?.cleanup();
});

const mms = (args: string[], extraEnv: Record<string, string | undefined> = {}, input?: string): Promise<RunResult> =>
  runCli(args, { configDir: cfg.dir, env: { ...env, ...extraEnv }, ...(input !== undefined ? { input } : {}) });

/** The one JSON document on stdout. */
const doc = (r: RunResult): Record<string, unknown> => JSON.parse(r.stdout) as Record<string, unknown>;

describe('the built binary: one run per command', () => {
  it('--version (the fast path) and help exit-codes', async () => {
    const v = await mms(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^mms \d+\.\d+\.\d+ \(node v[\d.]+, [\w-]+\)\n$/);
    expect(v.stderr).toBe('');
    const h = await mms(['help', 'exit-codes']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^\s*130 {2}/m);
  });

  it('providers --json lists the six providers', async () => {
    const r = await mms(['providers', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Array<{ name: string }>).map((p) => p.name)).toEqual(['twilio', 'telnyx', 'plivo', 'vonage', 'bandwidth', 'sinch']);
  });

  it('login (secret on a stdin pipe), whoami, profiles, config, logout: one profile across processes', async () => {
    const c = tempConfigDir();
    const noEnv = { TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined, MMS_TWILIO_BASE_URL: undefined, MMS_FROM: undefined };
    const at = (args: string[], input?: string) => runCli(args, { configDir: c.dir, env: noEnv, ...(input !== undefined ? { input } : {}) });
    try {
      const loginArgs = ['login', '--provider', 'twilio', '--account-sid', sb.twilio.accountSid, '--auth-token-stdin', '--base-url', sb.twilio.baseUrl];
      const login = await at([...loginArgs, '--from', sb.twilio.defaultFrom], `${sb.twilio.authToken}\n`);
      expect(login.code, login.stderr).toBe(0);
      expect(login.stderr).toMatch(/Logged in to twilio as "mms sandbox"/);
      const who = await at(['whoami', '--json']);
      expect(who.code, who.stderr).toBe(0);
      expect(doc(who)).toMatchObject({ provider: { name: 'twilio' } });
      const profiles = await at(['profiles', '--json']);
      expect(profiles.code).toBe(0);
      expect(JSON.parse(profiles.stdout)).toMatchObject([{ name: 'default', isDefault: true }]);
      const path = await at(['config', 'path']);
      expect(path.stdout.trim()).toBe(c.dir);
      const logout = await at(['logout']);
      expect(logout.code, logout.stderr).toBe(0);
      expect(readFileSync(join(c.dir, 'credentials.json'), 'utf8')).not.toContain(sb.twilio.authToken);
    } finally {
      c.cleanup();
    }
  });

  it('send (exit 0, one JSON document on stdout) and status', async () => {
    const r = await mms(['send', '--to', '+15551234567', '--media', media.url('/chart.png'), '--body', 'smoke', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const sent = doc(r) as { summary: Record<string, unknown>; results: Array<{ id: string }> };
    expect(sent.summary).toMatchObject({ total: 1, accepted: 1, failed: 0, provider: 'twilio' });
    const id = sent.results[0]!.id;
    await sb.waitFor(id, (m) => m.status === 'delivered', 10_000);
    const s = await mms(['status', id, '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(doc(s)).toMatchObject({ id, status: 'delivered' });
  });

  // One signal here; SIGINT (and SIGTERM with a number to put back) are in listen.test.ts, where the
  // same listening line is checked.
  it('listen: prints the listening line, then stops cleanly on SIGTERM (exit 0)', async () => {
    const l = spawnCli(['listen', '--json', '--timeout', '60'], { configDir: cfg.dir, env });
    running.push(l);
    const ready = await l.waitForJson<{ provider: string; verify: boolean }>((o) => o.type === 'listening', 15_000);
    expect(ready).toMatchObject({ provider: 'twilio', verify: true });
    l.child.kill('SIGTERM');
    const { code } = await l.exited(15_000);
    expect(code, l.stderr()).toBe(0);
  });
});

describe('the built binary: one run per exit code', () => {
  it('2: a usage error, on stderr', async () => {
    const r = await mms(['send', '--to', '+15551234567', '--body', 'x', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: Unknown option '--bogus'/);
  });

  it('3: some recipients accepted, some refused', async () => {
    const r = await mms(['send', '--to', '+15551234567', '--to', '+15005550004', '--body', 'x', '--json']);
    expect(r.code, r.stderr).toBe(3);
    expect(doc(r).summary).toMatchObject({ total: 2, accepted: 1, failed: 1 });
  });

  it('4: credentials rejected', async () => {
    const r = await mms(['send', '--to', '+15551234567', '--body', 'x', '--json'], { TWILIO_AUTH_TOKEN: 'f'.repeat(32) });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toContain('AUTH_REJECTED');
  });

  it('5: invalid input, nothing sent', async () => {
    const r = await mms(['send', '--to', 'not-a-number', '--to', '+15551234567', '--body', 'smoke exit 5']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^Error: .*--to "not-a-number"/);
    expect((await sb.messages()).filter((m) => m.body === 'smoke exit 5')).toEqual([]);
  });

  it('6: the provider refuses the recipient', async () => {
    const r = await mms(['send', '--to', '+15005550001', '--body', 'x', '--json']);
    expect(r.code, r.stderr).toBe(6);
    const { results } = doc(r) as { results: Array<{ error: Record<string, unknown> }> };
    expect(results[0]!.error).toMatchObject({ code: 'RECIPIENT_INVALID', providerCode: 21211 });
  });

  it('8: listen --timeout ends before --count was reached', async () => {
    const r = await mms(['listen', '--count', '1', '--timeout', '0.3']);
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toContain('0 of 1 message received');
  });
});

// Faults apply to the whole sandbox: these two come last and put the faults back.
describe('the built binary: exit codes that need sandbox faults', () => {
  it('7: still rate-limited beyond what retries may wait', async () => {
    // 1 request per 250 s: the provider asks for a longer wait than the retry ceiling, so no backoff
    // runs (the unreachable-provider case, which backs off, runs in-process in auth.test.ts).
    await sb.setFaults({ rateLimit: 0.004 });
    try {
      const r = await mms(['send', '--to', '+15551230009', '--body', 'x', '--json']);
      expect(r.code, r.stderr).toBe(7);
      expect((doc(r) as { results: Array<{ error: Record<string, unknown> }> }).results[0]!.error).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429 });
    } finally {
      await sb.setFaults({});
    }
  });

  it('130: SIGINT while a send is in flight', async () => {
    // Slow enough that the POST is still in flight when the signal comes.
    await sb.setFaults({ latencyMs: [1000, 1000] });
    try {
      const s = spawnCli(['send', '--to', '+15551234567', '--body', 'x', '--debug'], { configDir: cfg.dir, env });
      running.push(s);
      await s.waitForStderr('> POST', 15_000);
      s.child.kill('SIGINT');
      const { code } = await s.exited(15_000);
      expect(code, s.stderr()).toBe(130);
    } finally {
      await sb.setFaults({});
    }
  });
});
