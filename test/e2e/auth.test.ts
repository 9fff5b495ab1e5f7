// login / whoami / profiles / config / logout against the sandbox, and secrets never leaking. `mms`
// runs in-process (same exit codes and output as the binary); test/e2e/smoke.test.ts spawns it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempConfigDir, type RunOptions, type RunResult } from '../helpers/run-cli.js';
import { runInProcess } from '../helpers/run-in-process.js';
import { unreachableOrigin } from '../helpers/ports.js';
import { startLocalSandbox, type LocalSandbox } from '../helpers/sandbox-in-process.js';

let sb: LocalSandbox;
const sbCfg = tempConfigDir();

beforeAll(async () => {
  sb = await startLocalSandbox();
});
afterAll(async () => {
  await sb?.stop();
  sbCfg.cleanup();
});

/** `mms <args>` in-process with a hermetic environment. */
function runCli(args: string[], opts: Pick<RunOptions, 'env' | 'input'> & { configDir: string }): Promise<RunResult> {
  return runInProcess(args, opts);
}

function login(dir: string, extra: string[] = [], token = sb.twilio.authToken) {
  return runCli(
    [
      'login',
      '--provider',
      'twilio',
      '--account-sid',
      sb.twilio.accountSid,
      '--auth-token-stdin',
      '--base-url',
      sb.twilio.baseUrl,
      '--from',
      sb.twilio.defaultFrom,
      ...extra,
    ],
    { configDir: dir, input: `${token}\n` },
  );
}

describe('mms login and profiles', () => {
  it('checks the credentials, stores them 0600 in a 0700 directory, and sends with the profile', async () => {
    const c = tempConfigDir();
    try {
      const r = await login(c.dir);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/Logged in to twilio as "mms sandbox"/);
      for (const f of ['config.json', 'credentials.json']) expect(statSync(join(c.dir, f)).mode & 0o777).toBe(0o600);
      expect(statSync(c.dir).mode & 0o777).toBe(0o700);
      expect(readFileSync(join(c.dir, 'config.json'), 'utf8')).not.toContain(sb.twilio.authToken);
      expect(readFileSync(join(c.dir, 'credentials.json'), 'utf8')).toContain(sb.twilio.authToken);
      const sent = await runCli(['send', '--to', '+15551234567', '--body', 'via profile', '--json'], { configDir: c.dir });
      expect(sent.code).toBe(0);
      expect(JSON.parse(sent.stdout).summary.profile).toBe('default');
    } finally {
      c.cleanup();
    }
  });

  it('refuses to save credentials the provider rejects (exit 4, nothing written)', async () => {
    const c = tempConfigDir();
    try {
      const r = await login(c.dir, ['--json'], 'f'.repeat(32));
      expect(r.code).toBe(4);
      expect(JSON.parse(r.stdout).error.code).toBe('AUTH_REJECTED');
      expect(() => statSync(join(c.dir, 'credentials.json'))).toThrow();
    } finally {
      c.cleanup();
    }
  });

  it('never takes a secret as a flag value, and names the missing flag without a TTY', async () => {
    const c = tempConfigDir();
    try {
      const r = await runCli(['login', '--provider', 'twilio', '--account-sid', sb.twilio.accountSid, '--auth-token', 'abc'], { configDir: c.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Unknown option '--auth-token'/);
      const r2 = await runCli(['login', '--provider', 'twilio', '--account-sid', sb.twilio.accountSid], { configDir: c.dir });
      expect(r2.code).toBe(2);
      expect(r2.stderr).toMatch(/--auth-token-stdin is required when not running interactively/);
      const r3 = await runCli(['login'], { configDir: c.dir });
      expect(r3.code).toBe(2);
      expect(r3.stderr).toMatch(/--provider is required/);
      const r4 = await runCli(['login', '--provider', 'telnyx', '--account-sid', sb.twilio.accountSid], { configDir: c.dir });
      expect(r4.code).toBe(2);
      expect(r4.stderr).toMatch(/--account-sid does not apply to Telnyx/);
    } finally {
      c.cleanup();
    }
  });

  it('whoami masks the account, shows sources, and env vars win over the profile', async () => {
    const c = tempConfigDir();
    try {
      await login(c.dir);
      const r = await runCli(['whoami', '--json'], { configDir: c.dir });
      const doc = JSON.parse(r.stdout);
      expect(doc.provider.name).toBe('twilio');
      expect(doc.credentials.find((f: { key: string }) => f.key === 'accountSid')).toMatchObject({
        value: `${sb.twilio.accountSid.slice(0, 4)}…${sb.twilio.accountSid.slice(-4)}`,
        source: 'file',
      });
      expect(doc.credentials.find((f: { key: string }) => f.key === 'authToken')).toMatchObject({ value: '********', source: 'file' });
      const env = await runCli(['whoami', '--json', '--verify'], { configDir: c.dir, env: { TWILIO_AUTH_TOKEN: sb.twilio.authToken } });
      const envDoc = JSON.parse(env.stdout);
      expect(envDoc.credentials.find((f: { key: string }) => f.key === 'authToken')).toMatchObject({ source: 'env', origin: 'TWILIO_AUTH_TOKEN' });
      expect(envDoc.verified.ok).toBe(true);
    } finally {
      c.cleanup();
    }
  });

  it('manages profiles and config, and logout removes the secrets', async () => {
    const c = tempConfigDir();
    try {
      await login(c.dir);
      await login(c.dir, ['--profile', 'second']);
      let r = await runCli(['profiles', '--json'], { configDir: c.dir });
      expect(JSON.parse(r.stdout).map((p: { name: string; isDefault: boolean }) => [p.name, p.isDefault])).toEqual([
        ['default', true],
        ['second', false],
      ]);
      expect((await runCli(['profiles', 'use', 'second'], { configDir: c.dir })).code).toBe(0);
      r = await runCli(['config', 'get', 'default-profile'], { configDir: c.dir });
      expect(r.stdout.trim()).toBe('second');
      expect((await runCli(['config', 'set', 'default-country', 'gb'], { configDir: c.dir })).code).toBe(0);
      expect((await runCli(['config', 'get', 'default-country'], { configDir: c.dir })).stdout.trim()).toBe('GB');
      const bad = await runCli(['config', 'set', 'colour', 'blue', '--json'], { configDir: c.dir });
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stdout).error.code).toBe('CONFIG_KEY_UNKNOWN');
      expect((await runCli(['config', 'path'], { configDir: c.dir })).stdout.trim()).toBe(c.dir);
      expect((await runCli(['logout', '--profile', 'second'], { configDir: c.dir })).code).toBe(0);
      expect(readFileSync(join(c.dir, 'credentials.json'), 'utf8')).not.toContain('second');
      const missing = await runCli(['send', '--profile', 'second', '--to', '+15551234567', '--body', 'x'], { configDir: c.dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/Profile "second" \(from --profile\) does not exist/);
    } finally {
      c.cleanup();
    }
  });
});

describe('secrets never reach the output', () => {
  it('does not print the auth token in any stdout/stderr, --debug included', async () => {
    const c = tempConfigDir();
    const token = sb.twilio.authToken;
    try {
      const runs = [
        await login(c.dir, ['--debug']),
        await runCli(['send', '--to', '+15551234567', '--body', 'x', '--debug'], { configDir: c.dir }),
        await runCli(['send', '--to', '+15551234567', '--body', 'x', '--debug', '--json'], { configDir: c.dir, env: { MMS_DEBUG: '1' } }),
        await runCli(['send', '--to', '+15005550001', '--body', 'x', '--debug'], { configDir: c.dir }),
        await runCli(['whoami', '--verify', '--debug'], { configDir: c.dir }),
        await runCli(['whoami', '--json'], { configDir: c.dir }),
        await runCli(['profiles', '--json'], { configDir: c.dir }),
        await runCli(['config', 'list', '--json'], { configDir: c.dir }),
        await runCli(['send', '--to', '+15551234567', '--body', 'x', '--debug'], {
          configDir: c.dir,
          env: { TWILIO_AUTH_TOKEN: token, MMS_TWILIO_BASE_URL: await unreachableOrigin() },
        }),
      ];
      const basic = Buffer.from(`${sb.twilio.accountSid}:${token}`).toString('base64');
      for (const r of runs) {
        expect(r.stdout + r.stderr).not.toContain(token);
        expect(r.stdout + r.stderr).not.toContain(basic);
      }
      // The debug log is really on (so the check above means something).
      expect(runs[1]!.stderr).toContain('[debug] > POST');
      expect(runs[1]!.stderr).toContain('Authorization: Basic [REDACTED]');
    } finally {
      c.cleanup();
    }
  });
});

describe('help and usage', () => {
  it('documents the exit codes', async () => {
    const r = await runCli(['help', 'exit-codes'], { configDir: sbCfg.dir });
    expect(r.code).toBe(0);
    for (const code of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '130']) expect(r.stdout).toMatch(new RegExp(`^\\s*${code}  `, 'm'));
  });

  it('prints --help and --version', async () => {
    const help = await runCli(['--help'], { configDir: sbCfg.dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatchSnapshot();
    const v = await runCli(['--version'], { configDir: sbCfg.dir });
    expect(v.stdout.trim()).toMatch(/^mms \d+\.\d+\.\d+ \(node v[\d.]+, [\w-]+\)$/);
  });

  it('rejects unknown commands with exit 2 and valid JSON under --json', async () => {
    const r = await runCli(['sned', '--json'], { configDir: sbCfg.dir });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('UNKNOWN_COMMAND');
  });
});
