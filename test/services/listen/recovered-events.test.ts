// A message catch-up recovered from the provider's log is stored in the event log flagged
// `recovered` (its `request` is the log record, not a webhook): `mms events list` and `show` say
// so, and `mms events replay` sends the webhook the provider would have sent, built and signed for
// the target, so the app's unmodified check (Twilio's official validator) passes. Without the
// profile's secret, replay refuses with exit 4 instead of sending something unsigned.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventLog, type StoredEvent } from '../../../src/services/events/store.js';
import { runInProcess } from '../../helpers/run-in-process.js';

const AUTH_TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
let root: string;
let configDir: string;
let app: Server;
let appUrl: string;
const received: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];

const recovered: StoredEvent = {
  id: 'ev_0mf3k2x1a00112233445',
  receivedAt: '2026-12-01T12:00:05.000Z',
  provider: 'twilio',
  kind: 'inbound',
  verified: true,
  recovered: true,
  request: { method: 'GET', url: '', headers: {}, body: '{"type":"message","id":"SM0001"}', bodyEncoding: 'utf8' },
  events: [
    {
      type: 'message',
      provider: 'twilio',
      id: 'SM00000000000000000000000000000001',
      from: '+15557654321',
      to: '+15551234567',
      body: 'sent while the tunnel was down',
      media: [{ url: 'https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1', contentType: 'image/png' }],
      receivedAt: '2026-12-01T12:00:01.000Z',
    },
  ],
  forwards: [],
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mms-recovered-'));
  configDir = join(root, 'config');
  await openEventLog({ MMS_CONFIG_DIR: configDir }).append(recovered);
  app = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ url: `${appUrl}${req.url ?? ''}`, headers: req.headers, body });
      res.setHeader('content-type', 'text/xml');
      res.end('<Response></Response>');
    });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => app.close(r));
  rmSync(root, { recursive: true, force: true });
});

const twilioEnv = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN };

describe('recovered messages in the event log', () => {
  it('list marks them (recovered); show prints the log record instead of a request', async () => {
    const list = await runInProcess(['events', 'list'], { configDir });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('SM00000000000000000000000000000001 +15557654321 → +15551234567 (1 media) (recovered)');
    const show = await runInProcess(['events', 'show', recovered.id], { configDir });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Recovered from the twilio message log (no webhook reached the listener). The log record:');
    expect(show.stdout).toContain('"id": "SM0001"');
    const json = await runInProcess(['events', 'show', recovered.id, '--json'], { configDir });
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'event', id: recovered.id, recovered: true });
  });

  it('replay builds the webhook Twilio would have sent and signs it for the target: the official validator passes', async () => {
    const target = `${appUrl}/sms`;
    const r = await runInProcess(['events', 'replay', recovered.id, '--forward-to', target, '--json'], { configDir, env: twilioEnv });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'replay', id: recovered.id, signing: 'rebuilt', answered: 200 });
    const got = received.at(-1)!;
    const params = Object.fromEntries(new URLSearchParams(got.body));
    expect(params).toMatchObject({ MessageSid: 'SM00000000000000000000000000000001', From: '+15557654321', To: '+15551234567', NumMedia: '1' });
    expect(params.Body).toBe('sent while the tunnel was down');
    expect(twilio.validateRequest(AUTH_TOKEN, String(got.headers['x-twilio-signature']), target, params)).toBe(true);
    const stored = await openEventLog({ MMS_CONFIG_DIR: configDir }).get(recovered.id);
    expect(stored?.forwards).toMatchObject([{ replay: true, url: target, answered: 200 }]);
  });

  it('replay without the profile secret refuses (exit 4) and sends nothing', async () => {
    const before = received.length;
    const r = await runInProcess(['events', 'replay', recovered.id, '--forward-to', `${appUrl}/sms`, '--json'], {
      configDir,
      env: { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef', TWILIO_API_SECRET: 'secret-of-the-api-key-0123' },
    });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: { code: 'AUTH_MISSING', message: expect.stringContaining('was recovered from the twilio message log: no webhook was stored') },
    });
    expect(received.length).toBe(before);
  });
});
