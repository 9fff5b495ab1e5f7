// The sandbox's memory: credentials that survive a restart (0600 in a 0700 folder, rotated on
// request), and messages, media and the webhook log kept in a data directory with bounded retention.
import { copyFileSync, readFileSync, statSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { DataDirInUseError } from '../../src/sandbox/persist-record.js';
import { startReceiver } from '../helpers/sandbox-unit.js';
import { inject, pointTwilioNumber, sharedCredentialsFile, tempDir } from './helpers.js';

const PNG = readFileSync(new URL('../fixtures/media/pixel.png', import.meta.url));
const JPG = readFileSync(new URL('../fixtures/media/pixel.jpg', import.meta.url));

const running: Sandbox[] = [];
const dirs: Array<() => void> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  for (const c of dirs.splice(0)) c();
});

/** Starts a sandbox; without a credentials file of its own it reads the shared one (no new RSA key pair: up to a second of CPU each). */
async function start(opts: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
  const sb = await startSandbox({ port: 0, stepDelayMs: 1, credentialsFile: await sharedCredentialsFile(), ...opts });
  running.push(sb);
  return sb;
}

function temp(): string {
  const t = tempDir();
  dirs.push(t.cleanup);
  return t.dir;
}

const credentialsOf = (sb: Sandbox) => Object.fromEntries(Object.entries(sb.info().providers).map(([k, p]) => [k, p.credentials]));

describe('sandbox credentials', () => {
  it('are the same after a restart, kept 0600 in a 0700 folder; --reset-credentials makes new ones', async () => {
    const file = join(temp(), 'sandbox', 'credentials.json');
    const first = await start({ credentialsFile: file });
    const before = credentialsOf(first);
    expect(first.credentialsCreated).toBe(true);
    await first.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);

    const second = await start({ credentialsFile: file });
    expect(second.credentialsCreated).toBe(false);
    expect(credentialsOf(second)).toEqual(before);
    await second.close();

    const reset = await start({ credentialsFile: file, resetCredentials: true });
    const after = credentialsOf(reset);
    for (const [provider, creds] of Object.entries(after)) {
      for (const [key, value] of Object.entries(creds)) {
        // region is a setting, not a secret; every generated value changes.
        if (key !== 'region') expect(value, `${provider}.${key}`).not.toBe(before[provider]![key]);
      }
    }
    expect(JSON.parse(readFileSync(file, 'utf8')).providers.twilio.authToken).toBe(after.twilio!.authToken);
  });

  it('the same saved credentials still authenticate after a restart (the Twilio account answers 200)', async () => {
    const file = join(temp(), 'credentials.json');
    copyFileSync(await sharedCredentialsFile(), file);
    const { accountSid, authToken } = credentialsOf(await start({ credentialsFile: file })).twilio!;
    await running.pop()!.close();
    const sb = await start({ credentialsFile: file });
    const res = await fetch(`${sb.baseUrl('twilio')}/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });
});

describe('sandbox data directory', () => {
  it('keeps messages, media and the webhook log across a restart (files 0600, folder 0700)', async () => {
    const data = temp();
    const receiver = await startReceiver();
    try {
      const sb = await start({ dataDir: data });
      await pointTwilioNumber(sb, '+15005550006', receiver.url('/sms'));
      const r = await inject(sb, { to: '+15005550006', from: '+15551234567', body: 'kept', media: [{ contentType: 'image/png', bytes: PNG }] });
      expect(r.status).toBe(201);
      const id = (r.body.message as { id: string }).id;
      await sb.close();
      expect(statSync(join(data, 'messages.json')).mode & 0o777).toBe(0o600);
      expect(statSync(data).mode & 0o777).toBe(0o700);

      const again = await start({ dataDir: data });
      const m = again.store.get(id)!;
      expect(m).toMatchObject({ body: 'kept', from: '+15551234567', to: '+15005550006', direction: 'inbound' });
      const media = await fetch(`${again.origin}/_sandbox/media/${m.media[0]!.sha256!}`);
      expect(media.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await media.arrayBuffer()).equals(PNG)).toBe(true);
      expect(again.store.webhooks()).toEqual([expect.objectContaining({ kind: 'inbound', messageId: id, status: 200, url: receiver.url('/sms') })]);
    } finally {
      await receiver.close();
    }
  });

  it('prunes beyond --max-messages, on disk too, and removes the media only pruned messages used', async () => {
    const data = temp();
    const sb = await start({ dataDir: data, maxMessages: 2 });
    const sent = [];
    for (const [body, bytes, type] of [
      ['one', PNG, 'image/png'],
      ['two', JPG, 'image/jpeg'],
      ['three', undefined, ''],
    ] as const) {
      const r = await inject(sb, { to: '+15005550006', from: '+15551234567', body, media: bytes ? [{ contentType: type, bytes }] : [] });
      sent.push(r.body.message as { id: string; media: Array<{ sha256: string }> });
    }
    expect(sb.store.list().map((m) => m.body)).toEqual(['two', 'three']);
    await sb.close();
    const saved = JSON.parse(readFileSync(join(data, 'messages.json'), 'utf8')) as { messages: Array<{ body: string }> };
    expect(saved.messages.map((m) => m.body)).toEqual(['two', 'three']);
    const files = readdirSync(join(data, 'media'));
    expect(files).not.toContain(sent[0]!.media[0]!.sha256);
    expect(files).toContain(sent[1]!.media[0]!.sha256);
  });

  it('a lower limit on the next start applies to what was kept', async () => {
    const data = temp();
    const sb = await start({ dataDir: data });
    for (const body of ['a', 'b', 'c']) await inject(sb, { to: '+15005550006', from: '+15551234567', body });
    await sb.close();
    const again = await start({ dataDir: data, maxMessages: 1 });
    expect(again.store.list().map((m) => m.body)).toEqual(['c']);
  });

  it('refuses a data directory another running sandbox holds', async () => {
    const data = temp();
    mkdirSync(data, { recursive: true });
    // The parent process (the test runner) is alive and is not this process.
    writeFileSync(join(data, 'lock'), JSON.stringify({ pid: process.ppid }));
    await expect(startSandbox({ port: 0, dataDir: data })).rejects.toBeInstanceOf(DataDirInUseError);
    expect(existsSync(join(data, 'messages.json'))).toBe(false);
  });

  it('without a data directory nothing is written and a new start is empty', async () => {
    const sb = await start({});
    await inject(sb, { to: '+15005550006', from: '+15551234567', body: 'gone' });
    await sb.close();
    expect((await start({})).store.size).toBe(0);
  });
});
