// Conformance, Vonage: the official @vonage/server-sdk, unchanged except for its apiHost and
// restHost, judges the sandbox's Vonage dialect: send an MMS (application JWT) and follow it to
// delivered through its status webhooks (Messages v1 has no GET for MMS), page through
// applications (the SDK follows `_links.next`) and owned numbers, errors as VetchError with
// Vonage's codes; every webhook passes verifySignature (@vonage/jwt) and its payload_hash matches.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Vonage } from '@vonage/server-sdk';
import { MMSImage } from '@vonage/messages';
import { verifySignature } from '@vonage/jwt';
import { VetchError } from '@vonage/vetch';
import type { Sandbox } from '../../src/sandbox/server.js';
import { creds, setFaults, startConformanceSandbox, startReceiver, type Receiver } from './helpers.js';

const FROM = '15557770031';
const OWN = '15557770032';

let sb: Sandbox;
let rx: Receiver;
let vonage: Vonage;
let c: Record<string, string>;

function hosts(): { apiHost: string; restHost: string } {
  return { apiHost: sb.baseUrl('vonage'), restHost: sb.baseUrl('vonage') };
}

beforeAll(async () => {
  sb = await startConformanceSandbox();
  rx = await startReceiver();
  c = creds(sb, 'vonage');
  vonage = new Vonage({ apiKey: c.apiKey!, apiSecret: c.apiSecret!, applicationId: c.applicationId!, privateKey: c.privateKey! }, hosts());
  const app = await vonage.applications.getApplication(c.applicationId!);
  await vonage.applications.updateApplication({
    ...app,
    capabilities: {
      messages: {
        webhooks: {
          inboundUrl: { address: rx.url('/vonage/inbound'), httpMethod: 'POST' },
          statusUrl: { address: rx.url('/vonage/status'), httpMethod: 'POST' },
        },
        version: 'v1',
      },
    },
  } as never);
});
afterAll(async () => {
  await sb.close();
  await rx.close();
});

/** The status webhooks received for `uuid`. */
function statuses(uuid: string): string[] {
  return rx.hooks
    .filter((h) => h.path === '/vonage/status')
    .map((h) => JSON.parse(h.rawBody.toString()) as { message_uuid: string; status: string })
    .filter((b) => b.message_uuid === uuid)
    .map((b) => b.status);
}

/** The HTTP status and Vonage error `type` of an SDK error. */
async function failure(e: unknown): Promise<{ vetch: boolean; status?: number; type?: string }> {
  const res = (e as VetchError).response as unknown as Response | undefined;
  const body = res ? ((await res.json()) as { type?: string }) : {};
  return { vetch: e instanceof VetchError, status: res?.status, type: body.type };
}

describe('the vonage SDK against the sandbox', () => {
  it('sends an MMS image and follows it to delivered through its status webhooks; the inbound copy arrives', async () => {
    const { messageUUID } = await vonage.messages.send(new MMSImage({ to: OWN, from: FROM, image: { url: rx.url('/media/pixel.png'), caption: 'hello' } }));
    expect(messageUUID).toMatch(/^[0-9a-f-]{36}$/);
    await vi.waitFor(() => expect(statuses(messageUUID).at(-1)).toBe('delivered'), { timeout: 5000, interval: 20 });
    await vi.waitFor(() => expect(rx.hooks.some((h) => h.path === '/vonage/inbound')).toBe(true));
  });

  it('pages applications across three pages with listAllApplications (_links.next), and owned numbers with size/index', async () => {
    for (let i = 0; i < 2; i++) await vonage.applications.createApplication({ name: `app${i}` } as never);
    const names: string[] = [];
    for await (const app of vonage.applications.listAllApplications({ pageSize: 1 })) names.push(app.name);
    expect(names).toHaveLength(3);
    const page3 = await vonage.applications.getApplicationPage({ pageSize: 1, page: 3 });
    expect(page3).toMatchObject({ page: 3, totalPages: 3 });
    const first = await vonage.numbers.getOwnedNumbers({ size: 1, index: 1 });
    const second = await vonage.numbers.getOwnedNumbers({ size: 1, index: 2 });
    expect(first.count).toBe(2);
    expect([first.numbers?.[0]?.msisdn, second.numbers?.[0]?.msisdn].sort()).toEqual([FROM, OWN]);
  });

  it('fails with VetchError carrying Vonage codes: 401, 422 #1020 invalid to, 429 #1000', async () => {
    const wrong = new Vonage({ apiKey: c.apiKey!, apiSecret: 'wrong-secret-123' }, hosts());
    const auth = await failure(
      await wrong.messages.send(new MMSImage({ to: OWN, from: FROM, image: { url: rx.url('/media/pixel.png') } })).catch((e: unknown) => e),
    );
    expect(auth).toMatchObject({ vetch: true, status: 401 });
    const invalid = await vonage.messages
      .send(new MMSImage({ to: '15557770090', from: FROM, image: { url: rx.url('/media/pixel.png') } }))
      .catch((e: unknown) => e);
    expect(await failure(invalid)).toMatchObject({ vetch: true, status: 422, type: expect.stringMatching(/#1020$/) });
    await setFaults(sb, { throttleRate: 1 });
    try {
      const limited = await vonage.messages
        .send(new MMSImage({ to: '15551230031', from: FROM, image: { url: rx.url('/media/pixel.png') } }))
        .catch((e: unknown) => e);
      expect(await failure(limited)).toMatchObject({ vetch: true, status: 429, type: expect.stringMatching(/#1000$/) });
    } finally {
      await setFaults(sb, {});
    }
  });

  it('signs every webhook so that verifySignature accepts it, with a payload_hash of the body', () => {
    expect(new Set(rx.hooks.map((h) => h.path))).toEqual(new Set(['/vonage/status', '/vonage/inbound']));
    for (const h of rx.hooks) {
      const token = String(h.headers.authorization).replace(/^Bearer /, '');
      expect(verifySignature(token, c.signatureSecret!)).toBe(true);
      expect(verifySignature(token, 'another-secret')).toBe(false);
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { payload_hash: string };
      expect(claims.payload_hash).toBe(createHash('sha256').update(h.rawBody).digest('hex'));
    }
  });
});
