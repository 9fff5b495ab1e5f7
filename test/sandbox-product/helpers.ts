// Shared by the sandbox-as-a-product tests: a temporary folder, pointing a Twilio sandbox number's
// SmsUrl at a receiver through the Twilio API (as `mms listen` does), and injecting a message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';

/** A temporary directory and its removal. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mms-sbx-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let shared: Promise<string> | undefined;

/**
 * A sandbox credentials file made once per test file: copying it (or pointing credentialsFile at it,
 * read-only) saves each start the Vonage RSA key pair, which takes up to a second of CPU to make.
 */
export async function sharedCredentialsFile(): Promise<string> {
  shared ??= (async () => {
    const t = tempDir();
    process.once('exit', t.cleanup);
    const file = join(t.dir, 'credentials.json');
    const sb = await startSandbox({ port: 0, credentialsFile: file });
    await sb.close();
    return file;
  })();
  return shared;
}

/** Sets the SmsUrl of one of the Twilio dialect's numbers through its IncomingPhoneNumbers API. */
export async function pointTwilioNumber(sb: Sandbox, number: string, smsUrl: string): Promise<void> {
  const { accountSid, authToken } = sb.info().providers.twilio!.credentials as { accountSid: string; authToken: string };
  const base = `${sb.baseUrl('twilio')}/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers`;
  const headers = { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` };
  const list = (await (await fetch(`${base}.json?PhoneNumber=${encodeURIComponent(number)}`, { headers })).json()) as {
    incoming_phone_numbers: Array<{ sid: string }>;
  };
  const sid = list.incoming_phone_numbers[0]!.sid;
  const res = await fetch(`${base}/${sid}.json`, { method: 'POST', headers, body: new URLSearchParams({ SmsUrl: smsUrl }) });
  if (res.status !== 200) throw new Error(`SmsUrl update answered ${res.status}`);
  await res.body?.cancel();
}

/** POST /_sandbox/inbound; resolves with the status and JSON answer. */
export async function inject(
  sb: { origin: string },
  m: { to: string; from: string; body?: string; media?: Array<{ contentType: string; bytes: Buffer }> },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = { ...m, media: (m.media ?? []).map((x) => ({ contentType: x.contentType, data: x.bytes.toString('base64') })) };
  const res = await fetch(`${sb.origin}/_sandbox/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
