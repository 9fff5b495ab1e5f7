// The Plivo dialect driven by the real Plivo adapter over loopback HTTP (no internet).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ErrorCode } from '../../../src/errors/errors.js';
import { createHttpClient } from '../../../src/providers/http-client.js';
import { plivoAdapter } from '../../../src/providers/plivo/adapter.js';
import { buildMultipartBody } from '../../../src/providers/plivo/payload.js';
import type { ProviderCallContext, WebhookRequest } from '../../../src/providers/types.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import type { SandboxMessage } from '../../../src/sandbox/store.js';
import { plivoV2Signature, plivoV3Signature } from '../../../src/sandbox/dialects/plivo/signature.js';
import { startMediaServer, PNG_1X1, type MediaServer } from '../../helpers/media-server.js';
import { rejection, startReceiver, waitForMessage, type Hook } from '../../helpers/sandbox-unit.js';

let sb: Sandbox;
let media: MediaServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let ctx: ProviderCallContext;
let authToken: string;
let from: string;
let tmp: string;

async function waitFor(id: string, pred: (m: SandboxMessage) => boolean, ms = 5000): Promise<SandboxMessage> {
  return waitForMessage(sb, id, pred, ms);
}

const hookReq = (h: Hook, publicUrl: string): WebhookRequest => ({ method: 'POST', publicUrl, headers: h.headers, rawBody: h.rawBody });

beforeAll(async () => {
  sb = await startSandbox({ port: 0, stepDelayMs: 5 });
  media = await startMediaServer();
  media.add('/chart.png', PNG_1X1, 'image/png');
  media.add('/notype.png', PNG_1X1);
  media.add('/big.png', Buffer.alloc(5_100_000, 1), 'image/png');
  receiver = await startReceiver();
  const info = sb.info().providers.plivo!;
  authToken = info.credentials.authToken!;
  from = info.defaultFrom;
  ctx = { credentials: { authId: info.credentials.authId!, authToken }, baseUrl: sb.baseUrl('plivo'), http: createHttpClient({ provider: 'plivo' }) };
  tmp = mkdtempSync(join(tmpdir(), 'mms-plivo-'));
});

afterEach(() => {
  for (const k of Object.keys(sb.faults)) delete (sb.faults as Record<string, unknown>)[k];
});

afterAll(async () => {
  await sb?.close();
  await media?.close();
  await receiver?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('Plivo dialect', () => {
  it("describes random credentials in Plivo's shape, plus its numbers", () => {
    const info = sb.info().providers.plivo!;
    expect(plivoAdapter.checkCredentials(info.credentials)).toEqual([]);
    expect(info.credentials.authId).toMatch(/^MA[A-Z0-9]{18}$/);
    expect(info.numbers).toEqual(['+15557770021', '+15557770022']);
    expect(from).toBe('+15557770021');
  });

  it('accepts the credentials on GET /v1/Account/{auth_id}/ and rejects wrong ones with 401', async () => {
    await expect(plivoAdapter.verifyCredentials(ctx)).resolves.toEqual({ accountLabel: 'mms sandbox', status: 'standard' });
    const e = await rejection(plivoAdapter.verifyCredentials({ ...ctx, credentials: { ...ctx.credentials, authToken: 'wrong' } }));
    expect(e).toBeInstanceOf(AuthError);
    expect(e.code).toBe(ErrorCode.AUTH_REJECTED);
  });

  it('sends an MMS (202, message_uuid array), fetches the media and reports the status', async () => {
    const ok = await plivoAdapter.send({ to: '+15551234567', from, body: 'Nightly chart', mediaUrls: [media.url('/chart.png')] }, ctx);
    expect(ok).toMatchObject({ status: 'queued' });
    const rec = await waitFor(ok.id, (m) => m.status === 'delivered');
    // Plivo writes numbers as bare digits.
    expect(rec).toMatchObject({ provider: 'plivo', to: '15551234567', from: '15557770021', body: 'Nightly chart' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    expect(rec.history.map((h) => h.status)).toEqual(['queued', 'sent', 'delivered']);
    expect(await plivoAdapter.getStatus!(ok.id, ctx)).toMatchObject({ id: ok.id, status: 'delivered', to: '+15551234567', from });
    await expect(plivoAdapter.getStatus!('00000000-0000-4000-8000-000000000000', ctx)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
  });

  it('answers a wrong token on send with 401 → AUTH_REJECTED', async () => {
    const e = await rejection(
      plivoAdapter.send({ to: '+15551234567', from, body: 'x', mediaUrls: [] }, { ...ctx, credentials: { ...ctx.credentials, authToken: 'no' } }),
    );
    expect(e).toMatchObject({ code: ErrorCode.AUTH_REJECTED, httpStatus: 401 });
  });

  it.each([
    ['+1234', ErrorCode.RECIPIENT_INVALID, /1234 is not a valid phone number/],
    ['+15557770200', ErrorCode.RECIPIENT_INVALID, /15557770200 is not a valid phone number/],
    ['+15557770201', ErrorCode.RECIPIENT_UNREACHABLE, /not an MMS enabled phone number/],
  ])('refuses dst %s synchronously → %s', async (to, code, text) => {
    const e = await rejection(plivoAdapter.send({ to, from, body: 'x', mediaUrls: [media.url('/chart.png')] }, ctx));
    expect(e).toMatchObject({ code, httpStatus: 400 });
    expect(e.providerMessage).toMatch(text);
  });

  it('refuses a src the account does not own → SENDER_INVALID', async () => {
    const e = await rejection(plivoAdapter.send({ to: '+15551234567', from: '+15550009999', body: 'x', mediaUrls: [] }, ctx));
    expect(e).toMatchObject({ code: ErrorCode.SENDER_INVALID, httpStatus: 400 });
  });

  it('refuses more than 10 media and a text over 1600 characters', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => media.url(`/m${i}.png`));
    expect(await rejection(plivoAdapter.send({ to: '+15551234567', from, mediaUrls: eleven }, ctx))).toMatchObject({
      code: ErrorCode.PROVIDER_REJECTED,
      httpStatus: 400,
    });
    expect(await rejection(plivoAdapter.send({ to: '+15551234567', from, body: 'x'.repeat(1601), mediaUrls: [] }, ctx))).toMatchObject({ httpStatus: 400 });
  });

  it.each(['/big.png', '/notype.png', '/missing.png'])('fails the message (error 10) for media %s', async (path) => {
    const ok = await plivoAdapter.send({ to: '+15551234567', from, mediaUrls: [media.url(path)] }, ctx);
    const rec = await waitFor(ok.id, (m) => m.status === 'failed');
    expect(rec.errorCode).toBe('10');
    expect(await plivoAdapter.getStatus!(ok.id, ctx)).toMatchObject({ status: 'failed', errorCode: '10' });
  });

  it.each([
    ['+15557770202', 'failed', '50'],
    ['+15557770203', 'undelivered', '20'],
  ])('test number %s ends %s (ErrorCode %s)', async (to, status, code) => {
    const ok = await plivoAdapter.send({ to, from, body: 'x', mediaUrls: [] }, ctx);
    await waitFor(ok.id, (m) => m.status === status);
    expect(await plivoAdapter.getStatus!(ok.id, ctx)).toMatchObject({ status, errorCode: code });
  });

  it('test number +15557770204 stays sent (no receipt)', async () => {
    const ok = await plivoAdapter.send({ to: '+15557770204', from, body: 'x', mediaUrls: [] }, ctx);
    await waitFor(ok.id, (m) => m.status === 'sent');
    await new Promise((r) => setTimeout(r, 40));
    expect(sb.store.get(ok.id)!.status).toBe('sent');
  });

  it('uploads media (multipart field file) and sends it by media_id', async () => {
    const path = join(tmp, 'chart.png');
    writeFileSync(path, PNG_1X1);
    const id = await plivoAdapter.uploadMedia!({ path, fileName: 'chart.png', contentType: 'image/png', size: PNG_1X1.length }, ctx);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const ok = await plivoAdapter.send({ to: '+15551234567', from, body: 'uploaded', mediaUrls: [], mediaIds: [id] }, ctx);
    const rec = await waitFor(ok.id, (m) => m.status === 'delivered');
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    // The uploaded file is served back, like media.plivo.com.
    const served = await fetch(rec.media[0]!.url);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG_1X1);
    expect(
      await rejection(plivoAdapter.send({ to: '+15551234567', from, mediaUrls: [], mediaIds: ['00000000-0000-4000-8000-000000000000'] }, ctx)),
    ).toMatchObject({ httpStatus: 400 });
  });

  it('refuses an upload of an unsupported type inside the objects list → MEDIA_REJECTED', async () => {
    const path = join(tmp, 'tool.exe');
    writeFileSync(path, Buffer.alloc(10, 1));
    const e = await rejection(plivoAdapter.uploadMedia!({ path, fileName: 'tool.exe', contentType: 'application/x-msdownload', size: 10 }, ctx));
    expect(e).toMatchObject({ code: ErrorCode.MEDIA_REJECTED });
  });

  it('refuses a multipart upload without a `file` field', async () => {
    const mp = buildMultipartBody([{ field: 'media', fileName: 'a.png', contentType: 'image/png', data: PNG_1X1 }], 'b0undary');
    const res = await fetch(`${ctx.baseUrl}/v1/Account/${ctx.credentials.authId}/Media/`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${ctx.credentials.authId}:${authToken}`).toString('base64')}`, 'Content-Type': mp.contentType },
      body: new Uint8Array(mp.body),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('file') });
  });

  it('answers over the fault rate limit with 429 and Retry-After → RATE_LIMITED', async () => {
    sb.faults.rateLimit = 1;
    await plivoAdapter.send({ to: '+15551234567', from, body: '1', mediaUrls: [] }, ctx);
    const e = await rejection(plivoAdapter.send({ to: '+15551234567', from, body: '2', mediaUrls: [] }, ctx));
    expect(e).toMatchObject({ code: ErrorCode.RATE_LIMITED, httpStatus: 429, retryAfterMs: 1000 });
  });

  it('answers the fault fail rate with 500 → PROVIDER_UNAVAILABLE', async () => {
    sb.faults.failRate = 1;
    expect(await rejection(plivoAdapter.send({ to: '+15551234567', from, body: 'x', mediaUrls: [] }, ctx))).toMatchObject({
      code: ErrorCode.PROVIDER_UNAVAILABLE,
      httpStatus: 500,
    });
  });

  it('POSTs signed status callbacks queued → sent → delivered to the message url', async () => {
    const url = receiver.url('/plivo-status?run=1');
    const ok = await plivoAdapter.send({ to: '+15551234567', from, body: 'x', mediaUrls: [], statusCallbackUrl: url }, ctx);
    const delivered = await receiver.waitFor((h) => h.path.startsWith('/plivo-status') && h.rawBody.includes('Status=delivered'));
    const mine = receiver.hooks.filter((h) => h.path.startsWith('/plivo-status') && h.rawBody.includes(ok.id));
    expect(mine.map((h) => new URLSearchParams(h.rawBody.toString()).get('Status'))).toEqual(['queued', 'sent', 'delivered']);
    for (const h of mine) expect(plivoAdapter.verifyWebhook!(hookReq(h, url), { authToken })).toBe(true);
    expect(plivoAdapter.parseWebhook!(hookReq(delivered, url))).toMatchObject([{ type: 'status', id: ok.id, status: 'delivered', to: '+15551234567', from }]);
  });

  it('round trip: configureInbound links a number to a temporary app; a signed inbound MMS arrives; restore undoes it', async () => {
    const url = receiver.url('/plivo-inbound');
    const to = '+15557770022';
    const state = await plivoAdapter.configureInbound!(to, url, ctx);
    expect(state.data.previousAppId).toEqual(expect.any(String));
    await plivoAdapter.send({ to, from, body: 'hello me', mediaUrls: [media.url('/chart.png')] }, ctx);
    const hook = await receiver.waitFor((h) => h.path === '/plivo-inbound');
    const req = hookReq(hook, url);
    expect(hook.headers['x-plivo-signature-v3']).toEqual(expect.any(String));
    expect(plivoAdapter.verifyWebhook!(req, { authToken })).toBe(true);
    const [ev] = plivoAdapter.parseWebhook!(req);
    expect(ev).toMatchObject({ type: 'message', provider: 'plivo', from, to, body: 'hello me', media: [{ url: media.url('/chart.png') }] });
    expect(sb.store.get(ev!.id)).toMatchObject({ direction: 'inbound', status: 'received' });
    const form = new URLSearchParams(hook.rawBody.toString());
    expect(form.get('MediaCount')).toBe('1');
    expect(form.get('Type')).toBe('mms');
    // Tampered params fail V3; the V2 headers alone (URL + nonce) verify, as Plivo's V2 does.
    const tampered = { ...req, rawBody: Buffer.from(hook.rawBody.toString().replace('hello+me', 'hello+you')) };
    expect(plivoAdapter.verifyWebhook!(tampered, { authToken })).toBe(false);
    const v2Only = { ...req, headers: Object.fromEntries(Object.entries(hook.headers).filter(([k]) => !k.includes('v3'))) };
    expect(plivoAdapter.verifyWebhook!(v2Only, { authToken })).toBe(true);
    expect(plivoAdapter.verifyWebhook!(v2Only, { authToken: 'other' })).toBe(false);

    await plivoAdapter.restoreInbound!(state, ctx);
    await plivoAdapter.restoreInbound!(state, ctx);
    const auth = { Authorization: `Basic ${Buffer.from(`${ctx.credentials.authId}:${authToken}`).toString('base64')}` };
    const num = await (await fetch(`${ctx.baseUrl}/v1/Account/${ctx.credentials.authId}/Number/15557770022/`, { headers: auth })).json();
    expect(num.application).toBe(`/v1/Account/${ctx.credentials.authId}/Application/${String(state.data.previousAppId)}/`);
    const apps = await (await fetch(`${ctx.baseUrl}/v1/Account/${ctx.credentials.authId}/Application/`, { headers: auth })).json();
    expect(apps.meta.total_count).toBe(1);
  });

  it('signs V2 and V3 like the reference vectors', () => {
    expect(plivoV2Signature('my_auth_token', 'https://answer.url', '12345')).toBe('ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=');
    expect(plivoV2Signature('test_auth_token', 'https://example.ngrok.app/plivo/inbound?x=1', '12345678901234567890')).toBe(
      'L7Tp1Q9TN7nl/3Mw9/oA8ucYMtmjmN1cJm7RrbPdl7I=',
    );
    const params: Array<[string, string]> = [
      ['From', '15557654321'],
      ['To', '15551234567'],
      ['Type', 'mms'],
      ['Body', 'hello'],
      ['MessageUUID', '11111111-2222-3333-4444-555555555555'],
      ['MediaCount', '1'],
      ['Media1', 'https://media.plivo.com/x/y'],
    ];
    expect(plivoV3Signature('test_auth_token', 'https://example.ngrok.app/plivo/inbound', '12345678901234567890', params)).toBe(
      'KJUqBS4sVj1bqWAk7nN69YQhe2/CqAmslYmXbDybpt0=',
    );
  });
});
