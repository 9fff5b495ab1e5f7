// How `mms listen` composes the building blocks, all on loopback: webhook server ← localtunnel
// client ← in-repo localtunnel server ← a "Twilio" POST signed over the public URL.
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookEvent } from '../../../src/core/types.js';
import { sanitizeForTerminal } from '../../../src/output/sanitize.js';
import { twilioAdapter } from '../../../src/providers/twilio/adapter.js';
import { computeTwilioSignature } from '../../../src/providers/twilio/webhook.js';
import { createWebhookIntake } from '../../../src/webhook/intake.js';
import { startWebhookServer } from '../../../src/webhook/server.js';
import { selectTunnel } from '../../../src/webhook/tunnel/select.js';
import { startLtTestServer } from '../../helpers/lt-server.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('listen flow over a loopback localtunnel', () => {
  it('accepts a correctly signed callback, rejects a forged one with 403, and renders safely', async () => {
    const authToken = 'test_auth_token';
    const events: WebhookEvent[] = [];
    const rejected: string[] = [];

    const srv = await startWebhookServer();
    cleanups.push(() => srv.close());
    const lt = await startLtTestServer();
    cleanups.push(() => lt.close());
    const sel = await selectTunnel({ tunnel: 'localtunnel', tunnelHost: lt.url, env: { MMS_TEST_OFFLINE: '1' } });
    if (!sel) throw new Error('no tunnel selected');
    cleanups.push(() => sel.tunnel.stop());
    const { publicUrl } = await sel.tunnel.start(srv.port);

    // Signatures are over the URL Twilio called: the intake appends the raw request target to the public base.
    const path = srv.addWebhookRoute(
      'twilio',
      createWebhookIntake({
        adapter: twilioAdapter,
        kind: 'inbound',
        publicUrl,
        credentials: () => ({ accountSid: 'AC1', authToken }),
        onRejected: () => rejected.push(path),
        onEvents: (evs) => void events.push(...evs),
      }),
    );
    const webhookUrl = `${publicUrl}${path}`;

    const params = { MessageSid: 'MM123', From: '+15557654321', To: '+15551234567', Body: 'hi \u001b]52;c;cHduZWQ=\u0007 there', NumMedia: '0' };
    const body = new URLSearchParams(params).toString();
    const signature = computeTwilioSignature(authToken, webhookUrl, params);
    const ok = await fetch(webhookUrl, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    });
    expect(ok.status).toBe(200);
    expect(events).toHaveLength(1);
    const ev = events[0]!;
    expect(ev).toMatchObject({ type: 'message', id: 'MM123', from: '+15557654321' });
    if (ev.type !== 'message') throw new Error('expected a message');
    expect(sanitizeForTerminal(ev.body)).toBe('hi \\u001b]52;c;cHduZWQ=\\u0007 there');

    const forged = await fetch(webhookUrl, {
      method: 'POST',
      body: body.replace('hi', 'yo'),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    });
    expect(forged.status).toBe(403);
    expect(rejected).toEqual([path]);
    expect(events).toHaveLength(1);
  });
});
