// Conformance, Sinch: the official @sinch/sdk-core 1.4 (with @sinch/sms 1.4), unchanged except for
// its smsHostname, judges the sandbox's Sinch dialect: send an mt_media batch, get its delivery
// report until Delivered, page through batches and inbounds, errors as RequestFailedError with
// Sinch's codes; every callback passes SmsCallbackWebhooks.validateAuthenticationHeader (the
// x-sinch-webhook-signature HMAC) and is revived by its parseEvent.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SinchClient, SmsCallbackWebhooks } from '@sinch/sdk-core';
import { RequestFailedError } from '@sinch/sdk-client';
import type { Sandbox } from '../../src/sandbox/server.js';
import { creds, setFaults, startConformanceSandbox, startReceiver, type Receiver } from './helpers.js';

const FROM = '+15557770051';
const OWN = '+15557770052';

let sb: Sandbox;
let rx: Receiver;
let sinch: SinchClient;
let c: Record<string, string>;

function client(apiToken: string): SinchClient {
  return new SinchClient({ servicePlanId: c.servicePlanId!, apiToken, smsHostname: sb.baseUrl('sinch') });
}

beforeAll(async () => {
  sb = await startConformanceSandbox();
  rx = await startReceiver();
  c = creds(sb, 'sinch');
  sinch = client(c.apiToken!);
  // Sinch sets a service plan's callback URL in its dashboard (no API); this is the sandbox's stand-in.
  const res = await fetch(`${sb.baseUrl('sinch')}/dashboard/service-plans/${c.servicePlanId}/callback-url`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${c.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: rx.url('/sinch/plan') }),
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await sb.close();
  await rx.close();
});

function sendMedia(to: string, message = 'hello') {
  return sinch.sms.batches.sendMediaMessage({
    sendSMSRequestBody: {
      to: [to],
      from: FROM,
      body: { url: rx.url('/media/pixel.png'), message },
      delivery_report: 'per_recipient',
      callback_url: rx.url('/sinch/batch'),
    },
  });
}

/** The HTTP status and Sinch error code of an SDK error. */
function failure(e: unknown): { sdk: boolean; status?: number; code?: string } {
  const err = e as RequestFailedError<unknown>;
  const data = typeof err.data === 'string' ? (JSON.parse(err.data) as { code?: string }) : {};
  return { sdk: e instanceof RequestFailedError, status: err.statusCode, code: data.code };
}

describe('the sinch SDK against the sandbox', () => {
  it('sends an MMS batch with a media URL and gets its delivery report until Delivered', async () => {
    const batch = await sendMedia(OWN);
    expect(batch.type).toBe('mt_media');
    expect(batch.to?.map((n) => n.replace(/^\+/, ''))).toEqual([OWN.slice(1)]);
    const batchId = batch.id!;
    await vi.waitFor(
      async () => {
        const report = await sinch.sms.deliveryReports.get({ batch_id: batchId, type: 'summary' });
        expect(report.statuses?.map((s) => s.status)).toEqual(['Delivered']);
      },
      { timeout: 5000, interval: 20 },
    );
    await expect(sinch.sms.batches.get({ batch_id: batchId })).resolves.toMatchObject({ id: batchId });
    await vi.waitFor(() => expect(rx.hooks.some((h) => h.path === '/sinch/plan' && h.rawBody.toString().includes('mo_media'))).toBe(true));
  });

  it('pages batches across three pages (page, page_size, count) and lists inbounds with paging', async () => {
    for (let i = 0; i < 4; i++) await sendMedia('+15551230051', `n${i}`);
    const first = await sinch.sms.batches.list({ page_size: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.hasNextPage).toBe(true);
    const ids: string[] = [];
    for await (const b of sinch.sms.batches.list({ page_size: 2 })) ids.push(b.id!);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    const third = await (await first.nextPage()).nextPage();
    expect(third.data).toHaveLength(1);
    expect(third.hasNextPage).toBe(false);
    const inbounds = await sinch.sms.inbounds.list({ page_size: 1 });
    expect(inbounds.data).toHaveLength(1);
    expect(inbounds.data[0]).toMatchObject({ type: 'mo_media' });
  });

  it('fails with RequestFailedError carrying Sinch codes: 401 unauthorized, 400 invalid to, 429 too_many_requests', async () => {
    const wrong = client('wrong-token-0000000000000000');
    expect(failure(await wrong.sms.batches.get({ batch_id: '01H00000000000000000000000' }).catch((e: unknown) => e))).toEqual({
      sdk: true,
      status: 401,
      code: 'unauthorized',
    });
    expect(failure(await sendMedia('+15557770090').catch((e: unknown) => e))).toEqual({ sdk: true, status: 400, code: 'syntax_invalid_parameter_format' });
    await setFaults(sb, { throttleRate: 1 });
    try {
      expect(failure(await sendMedia('+15551230052').catch((e: unknown) => e))).toEqual({ sdk: true, status: 429, code: 'too_many_requests' });
    } finally {
      await setFaults(sb, {});
    }
  });

  it("signs every callback so that the SDK's SmsCallbackWebhooks validator accepts it, and parses each event", () => {
    const validator = new SmsCallbackWebhooks(c.webhookSecret!);
    const wrong = new SmsCallbackWebhooks('another-secret');
    const types = new Set<string>();
    expect(new Set(rx.hooks.map((h) => h.path))).toEqual(new Set(['/sinch/plan', '/sinch/batch']));
    for (const h of rx.hooks) {
      const body = h.rawBody.toString('utf8');
      expect(validator.validateAuthenticationHeader(h.headers, body), body).toBe(true);
      expect(wrong.validateAuthenticationHeader(h.headers, body)).toBe(false);
      types.add(String((validator.parseEvent(JSON.parse(body)) as { type: string }).type));
    }
    expect(types).toEqual(new Set(['mo_media', 'recipient_delivery_report_mms']));
  });
});
