// Webhook chaos (--webhook-chaos, PUT /_sandbox/faults webhookChaos): provider-style duplicate
// deliveries, out-of-order and late status callbacks; off by default, never on resends.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox, type WebhookChaos } from '../../src/sandbox/server.js';
import { parseWebhookChaos } from '../../src/commands/sandbox.js';
import { startReceiver } from '../helpers/sandbox-unit.js';
import { startListenHarness } from '../helpers/listen-harness.js';
import { runInProcess } from '../helpers/run-in-process.js';
import { tempConfigDir } from '../helpers/run-cli.js';
import { inject, pointTwilioNumber } from './helpers.js';

/** A seeded random source (mulberry32): the same decisions on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let sb: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, stepDelayMs: 1, random: seeded(13) });
  receiver = await startReceiver();
  await pointTwilioNumber(sb, '+15005550006', receiver.url('/sms'));
});
afterEach(async () => {
  await setChaos(undefined);
  receiver.hooks.length = 0;
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

async function setChaos(webhookChaos: WebhookChaos | undefined): Promise<void> {
  const res = await fetch(`${sb.origin}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(webhookChaos ? { webhookChaos } : {}) });
  expect(res.status).toBe(200);
  await res.body?.cancel();
}

/** Sends one Twilio message with a status callback to the receiver; resolves with its id. */
async function sendWithCallback(body: string): Promise<string> {
  const { accountSid, authToken } = sb.info().providers.twilio!.credentials as { accountSid: string; authToken: string };
  const res = await fetch(`${sb.baseUrl('twilio')}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
    body: new URLSearchParams({ To: '+15551234567', From: '+15005550006', Body: body, StatusCallback: receiver.url('/status') }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sid: string }).sid;
}

function statusesOf(sid: string): string[] {
  return receiver.hooks
    .filter((h) => h.path === '/status' && new URLSearchParams(h.rawBody.toString()).get('MessageSid') === sid)
    .map((h) => new URLSearchParams(h.rawBody.toString()).get('MessageStatus')!);
}

describe('webhook chaos', () => {
  it('is off by default: each inbound is delivered once', async () => {
    expect(sb.info().faults.webhookChaos).toBeUndefined();
    const { status } = await inject(sb, { to: '+15005550006', from: '+15550000001', body: 'once' });
    expect(status).toBe(201);
    expect(receiver.hooks.filter((h) => h.path === '/sms')).toHaveLength(1);
  });

  it('dup=100%: the receiver sees each inbound twice, byte for byte with the same signature; both attempts logged', async () => {
    await setChaos({ dup: 1 });
    const { body } = await inject(sb, { to: '+15005550006', from: '+15550000002', body: 'twice' });
    const id = (body.message as { id: string }).id;
    await vi.waitFor(() => expect(receiver.hooks.filter((h) => h.path === '/sms')).toHaveLength(2));
    const [a, b] = receiver.hooks.filter((h) => h.path === '/sms');
    expect(b!.rawBody.equals(a!.rawBody)).toBe(true);
    expect(a!.headers['x-twilio-signature']).toBeTruthy();
    expect(b!.headers['x-twilio-signature']).toBe(a!.headers['x-twilio-signature']);
    const logged = sb.store.webhooks().filter((w) => w.messageId === id && w.kind === 'inbound');
    expect(logged).toHaveLength(2);
    expect(logged[1]!.resendOf).toBe(logged[0]!.id);
  });

  it('dup=100%: `mms listen` (in-process) verifies both deliveries and prints the message once', async () => {
    const { accountSid, authToken } = sb.info().providers.twilio!.credentials as { accountSid: string; authToken: string };
    const listen = await startListenHarness('twilio', { accountSid, authToken });
    try {
      await pointTwilioNumber(sb, '+15005550006', listen.info.inboundUrl);
      await setChaos({ dup: 1 });
      const { body } = await inject(sb, { to: '+15005550006', from: '+15550000003', body: 'replayed' });
      const id = (body.message as { id: string }).id;
      const attempts = () => sb.store.webhooks().filter((w) => w.messageId === id && w.kind === 'inbound');
      await vi.waitFor(() => expect(attempts().map((a) => a.status)).toEqual([200, 200]));
      expect(listen.events.filter((e) => e.type === 'message').map((e) => ('body' in e ? e.body : undefined))).toEqual(['replayed']);
    } finally {
      await listen.stop();
      await pointTwilioNumber(sb, '+15005550006', receiver.url('/sms'));
    }
  });

  it('dup never applies to a resend from the admin API', async () => {
    await setChaos({ dup: 1 });
    const first = sb.store
      .webhooks()
      .filter((w) => w.url === receiver.url('/sms'))
      .at(-1)!;
    const before = receiver.hooks.length;
    const res = await fetch(`${sb.origin}/_sandbox/webhooks/${first.id}/resend`, { method: 'POST' });
    expect(res.status).toBeLessThan(300);
    await res.body?.cancel();
    await vi.waitFor(() => expect(receiver.hooks.length).toBe(before + 1));
    expect(sb.store.webhooks().filter((w) => w.resendOf === first.id)).toHaveLength(1);
  });

  it('reorder=100%: a status receiver sees the callbacks out of order (delivered before sent)', async () => {
    await setChaos({ reorder: 1 });
    const sid = await sendWithCallback('shuffled');
    await vi.waitFor(() => expect(statusesOf(sid)).toHaveLength(4), { timeout: 5000, interval: 20 });
    // Each callback held until the next one went: queued after sending, sent after delivered.
    expect(statusesOf(sid)).toEqual(['sending', 'queued', 'delivered', 'sent']);
    expect(sb.store.get(sid)!.status).toBe('delivered');
  });

  it('late: status callbacks still all arrive, in order, each once', async () => {
    await setChaos({ lateMs: 20 });
    const sid = await sendWithCallback('late');
    await vi.waitFor(() => expect(statusesOf(sid)).toContain('delivered'), { timeout: 5000, interval: 20 });
    const order = statusesOf(sid);
    expect(order.indexOf('sent')).toBeLessThan(order.indexOf('delivered'));
    expect(new Set(order).size).toBe(order.length);
  });
});

describe('--webhook-chaos', () => {
  it('parses shares and a delay (for all status callbacks, or a share of them)', () => {
    expect(parseWebhookChaos('dup=5%,reorder=5%,late=2s')).toEqual({ dup: 0.05, reorder: 0.05, lateMs: 2000 });
    expect(parseWebhookChaos('late=500ms:10%')).toEqual({ lateMs: 500, late: 0.1 });
    expect(parseWebhookChaos('dup=0.5')).toEqual({ dup: 0.5 });
  });

  it.each(['dup', 'dup=200%', 'late=2', 'late=2s:x', 'shuffle=5%', ''])('refuses %j with a one-line usage error', (value) => {
    expect(() => parseWebhookChaos(value)).toThrow(expect.objectContaining({ message: expect.stringMatching(/^--webhook-chaos[^\n]*$/) }));
  });

  it('a bad value: `mms sandbox` exits 2 with a one-line error, before listening', async () => {
    const cfg = tempConfigDir();
    try {
      const r = await runInProcess(['sandbox', '--port', '0', '--memory', '--webhook-chaos', 'dup=lots'], { configDir: cfg.dir });
      expect(r.code).toBe(2);
      // The house form of a usage error: the one-line message, then where to find the usage.
      const [line, hint] = r.stderr.trimEnd().split('\n');
      expect(line).toBe('Error: --webhook-chaos dup "lots" must be a fraction (0.05) or a percentage (5%) between 0 and 100%');
      expect(hint).toMatch(/^Usage: mms sandbox/);
    } finally {
      cfg.cleanup();
    }
  });
});
