// `mms login` failures: one clear message per cause, and a bounded read of the secret on stdin.
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli.js';
import { baseEnv } from '../../helpers/run-cli.js';
import { runInProcess } from '../../helpers/run-in-process.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
let root: string;
let configDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mms-login-'));
  configDir = join(root, 'config');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const loginArgs = (baseUrl: string) => ['login', '--provider', 'twilio', '--account-sid', SID, '--auth-token-stdin', '--base-url', baseUrl];

/** A loopback port nobody listens on (bound, then closed). */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('mms login', () => {
  it('against a refused port: one network error naming the host and what to do (exit 7), nothing saved', async () => {
    const port = await refusedPort();
    const r = await runInProcess(loginArgs(`http://127.0.0.1:${port}`), { configDir, input: 'a-token-value' });
    expect(r.code).toBe(7);
    expect(r.stderr).not.toContain('did not accept');
    expect(r.stderr.match(/Error:/g)).toHaveLength(1);
    expect(r.stderr).toContain(`Error: Could not check the Twilio credentials: could not reach 127.0.0.1:${port} (ECONNREFUSED). Nothing was saved`);
    expect(r.stderr).toContain(`Check your network connection and the API URL (http://127.0.0.1:${port}; --base-url changes it), then run \`mms login\` again`);
    expect(existsSync(join(configDir, 'credentials.json'))).toBe(false);
    const json = await runInProcess([...loginArgs(`http://127.0.0.1:${port}`), '--json'], { configDir, input: 'a-token-value' });
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('with rejected credentials: one message (exit 4)', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const r = await runInProcess(loginArgs(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), { configDir, input: 'a-token-value' });
      expect(r.code).toBe(4);
      expect(r.stderr.match(/Error:/g)).toHaveLength(1);
      expect(r.stderr).toContain('Error: Twilio rejected these credentials');
      expect(r.stderr).not.toContain('did not accept');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('refuses a bad --base-url before reading stdin', async () => {
    const r = await runInProcess(loginArgs('http:///x'), { configDir, input: 'a-token-value' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error: --base-url "http:///x" is not an http(s) URL: has no host');
  });

  it('a 10 MB secret on stdin is a clear error (exit 2)', async () => {
    const r = await runInProcess(loginArgs('http://127.0.0.1:9'), { configDir, input: 'x'.repeat(10 * 1024 * 1024) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error: --auth-token-stdin: stdin holds more than 64 KiB, too much to be the Auth Token');
  });

  it('binary data on stdin is a clear error (exit 2)', async () => {
    const r = await runInProcess(loginArgs('http://127.0.0.1:9'), { configDir, input: 'abc\0\0def' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error: --auth-token-stdin: stdin holds binary data, which cannot be the Auth Token');
  });

  it('/dev/zero as stdin ends with the size error instead of reading forever', async () => {
    const stdin = createReadStream('/dev/zero');
    const out = new PassThrough();
    const err = new PassThrough();
    let stderr = '';
    err.on('data', (d: Buffer) => (stderr += d.toString()));
    out.resume();
    const code = await run(loginArgs('http://127.0.0.1:9'), {
      env: baseEnv(configDir),
      streams: { stdout: out, stderr: err, stdin },
      signal: new AbortController().signal,
      keepHttp: true,
    });
    expect(code).toBe(2);
    expect(stderr).toContain('stdin holds more than 64 KiB');
    expect(stdin.destroyed).toBe(true);
  });
});
