// The built binary under a real SIGINT after traffic (a status callback and an inbound webhook to a
// receiver that keeps its connections open): one signal, "Sandbox stopped.", exit 0.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, baseEnv, tempConfigDir } from '../helpers/run-cli.js';
import { seedSandboxCredentials } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/sandbox-unit.js';
import { inject } from './helpers.js';

const cfg = tempConfigDir();
// Both sandboxes read saved credentials from here: neither makes an RSA key pair.
beforeAll(() => seedSandboxCredentials(cfg.dir));
afterAll(() => cfg.cleanup());

describe('mms sandbox and SIGINT', () => {
  it('stops on one SIGINT after traffic with exit 0 and "Sandbox stopped."', async () => {
    const receiver = await startReceiver();
    const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--json', '--step-delay', '1'], {
      env: baseEnv(cfg.dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const lines = createInterface({ input: child.stdout });
      const ready = await new Promise<{ origin: string; providers: { twilio: { baseUrl: string; credentials: Record<string, string> } } }>((resolve) =>
        lines.once('line', (l) => resolve(JSON.parse(l))),
      );
      lines.on('line', () => undefined);
      const { accountSid, authToken } = ready.providers.twilio.credentials;
      const auth = { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` };
      const sent = await fetch(`${ready.providers.twilio.baseUrl}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
        method: 'POST',
        headers: auth,
        body: new URLSearchParams({ To: '+15551234567', From: '+15005550006', Body: 'hi', StatusCallback: receiver.url('/status') }),
      });
      expect(sent.status).toBe(201);
      await sent.body?.cancel();
      await receiver.waitFor((h) => h.rawBody.toString().includes('MessageStatus=delivered'));
      expect((await inject(ready, { to: '+15005550006', from: '+15551234567', body: 'in' })).status).toBe(201);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stderr).toBe('Sandbox stopped.\n');
    } finally {
      child.kill('SIGKILL');
      await receiver.close();
    }
  });

  // KNOWN BUG, outside src/sandbox: saving profiles writes through conf → atomically, which loads
  // when-exit; when-exit catches the SIGINT, then re-raises it (process.kill(pid, 'SIGINT')), and
  // src/cli.ts used to take that echo for a second Ctrl+C ("Interrupted again: exiting now.", exit
  // 130); it now treats a signal within 500 ms of the first as the same key press.
  it('stops on one SIGINT with exit 0 after --save-profile wrote the config', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--memory', '--save-profile'], {
      env: baseEnv(cfg.dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const ready = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('Press Ctrl+C to stop.')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await ready;
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stderr).not.toContain('Interrupted again');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
