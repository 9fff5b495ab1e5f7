// What happens to a Bandwidth message after the 202: media loaded (fetched, or this account's own
// media), sending → sent → delivered (or the test numbers' failures) with callbacks, and the
// round trip to an own number with its media re-hosted here.
import { createHash, randomBytes } from 'node:crypto';
import type { SandboxMessage } from '../../store.js';
import { inboundRecord, type InboundFile } from '../../types.js';
import { peerOfNumber, type BandwidthContext, type MessageMeta, type Stored } from './context.js';
import { callback, messageObject } from './webhooks.js';
import { keepFile } from '../kept.js';
import { checkCarrierSize, isUnregisteredSender, mediaBytes, optOutsFor } from '../../carrier.js';

/** "3.5 MB per file" (support article 12823216; the spec's mmsMessageContentFile). */
const MAX_FILE = 3_500_000;
const FAIL_NUMBERS: Record<string, [number, string]> = {
  '+15557770091': [4720, 'invalid-destination-address'],
  '+15557770092': [4775, 'user-opted-out'],
};

/** Bandwidth message ids: epoch ms + 16 lower-case alphanumerics, e.g. 1589228074636lm4k2je7j7jklbn2. */
export function messageId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const rnd = [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
  return `${Date.now()}${rnd}`;
}

/** Fetches or looks up one media URL; returns an error code on failure. */
async function loadMedia(
  ctx: BandwidthContext,
  url: string,
): Promise<{ ok: true; stored: Stored } | { ok: false; code: number; type: string; detail: string; contentType?: string }> {
  const own = `${ctx.svc.origin()}/bandwidth${ctx.mediaPrefix}`;
  if (url.startsWith(own)) {
    const s = ctx.media.get(decodeURIComponent(url.slice(own.length)));
    if (!s) return { ok: false, code: 4410, type: 'media-unavailable', detail: `no stored media at ${url}` };
    if (s.bytes.length > MAX_FILE)
      return { ok: false, code: 4411, type: 'rejected-message-size-limit-exceeded', detail: `${s.bytes.length} bytes is over 3.5 MB` };
    return { ok: true, stored: s };
  }
  const r = await ctx.svc.fetcher.fetch(url, { maxBytes: MAX_FILE });
  if (!r.ok) {
    const [code, type] =
      r.reason === 'too-large'
        ? [4411, 'rejected-message-size-limit-exceeded']
        : r.reason === 'no-content-type'
          ? [4412, 'media-content-invalid']
          : [4410, 'media-unavailable'];
    return { ok: false, code, type, detail: r.detail, ...(r.contentType ? { contentType: r.contentType } : {}) };
  }
  // The fetcher checked the policy and limits; keep a copy of the bytes for re-hosting.
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { ok: true, stored: { bytes, contentType: r.contentType } };
  } catch (err) {
    return { ok: false, code: 4410, type: 'media-unavailable', detail: (err as Error).message };
  }
}

/**
 * Bandwidth's carrier-side refusals of an accepted message, as [errorCode, description] in its
 * message-failed callback (https://dev.bandwidth.com/docs/messaging/errors/): a handset that texted
 * STOP (4775 user-opted-out, as the sandbox's test number), media over the destination carrier's
 * limit (4711 rejected-message-size-limit-exceeded, "Media size too large"), and the unregistered
 * 10DLC magic sender (no 10DLC-specific code found; 4001 service-not-allowed [sandbox choice]).
 */
function carrierFailure(ctx: BandwidthContext, m: SandboxMessage): [number, string] | undefined {
  if (isUnregisteredSender(m.from)) return [4001, 'service-not-allowed'];
  if (optOutsFor(ctx.svc.store).isOptedOut('bandwidth', m.from, m.to)) return [4775, 'user-opted-out'];
  if (ctx.ownNumbers.includes(m.to)) return undefined;
  return checkCarrierSize(m.from, m.to, mediaBytes(m)) ? [4711, 'rejected-message-size-limit-exceeded'] : undefined;
}

/** Runs a new outbound message to its final status. */
export async function lifecycle(ctx: BandwidthContext, m: SandboxMessage, mm: MessageMeta): Promise<void> {
  const wait = () => ctx.svc.step();
  const app = ctx.apps.get(mm.applicationId);
  const status = async (type: string, word: string, description: string, error?: number): Promise<void> => {
    ctx.svc.store.setStatus(m.id, word, error !== undefined ? { errorCode: error, errorMessage: description } : {});
    const event: Record<string, unknown> = { type, time: new Date().toISOString(), description, to: m.to, message: messageObject(m, mm, 'out') };
    if (error !== undefined) event.errorCode = error;
    await callback(ctx, app, 'status', event, m.id);
  };
  const copies: InboundFile[] = [];
  for (const item of m.media) {
    const r = await loadMedia(ctx, item.url);
    if (!r.ok) {
      item.status = 'failed';
      item.error = r.detail;
      if (r.contentType) item.contentType = r.contentType;
      await wait();
      await status('message-failed', 'FAILED', r.type, r.code);
      return;
    }
    Object.assign(item, { status: 'fetched', contentType: r.stored.contentType, size: r.stored.bytes.length });
    item.sha256 = createHash('sha256').update(r.stored.bytes).digest('hex');
    // Kept with its key, so the re-hosted copy (and an uploaded file it came from) is found again after a restart.
    copies.push(keepFile(ctx.svc.store, r.stored));
  }
  await wait();
  await status('message-sending', 'SENDING', 'Message is sending to carrier');
  await wait();
  ctx.svc.store.setStatus(m.id, 'SENT');
  const fail = carrierFailure(ctx, m) ?? FAIL_NUMBERS[m.to];
  await wait();
  if (fail) {
    await status('message-failed', 'FAILED', fail[1], fail[0]);
    return;
  }
  await status('message-delivered', 'DELIVERED', 'Message delivered to carrier.');
  if (ctx.ownNumbers.includes(m.to)) await receiveInbound(ctx, m.to, m.from, m.body, copies);
}

/**
 * Stores an inbound message to a sandbox number (its media re-hosted under the account's media path)
 * and sends the `message-received` callback to the InboundCallbackUrl of the number's application.
 * The round trip and injection (inject.ts) share it; resolves once the callback was attempted.
 */
export async function receiveInbound(ctx: BandwidthContext, to: string, from: string, body: string, media: readonly InboundFile[]): Promise<SandboxMessage> {
  const id = messageId();
  const now = new Date().toISOString();
  const urls = media.map((c, i) => {
    const ext = c.contentType.split('/')[1]?.replace(/[^a-z0-9]/g, '') || 'bin';
    const mediaId = `${id}/${i}/file.${ext}`;
    ctx.media.set(mediaId, { bytes: c.bytes, contentType: c.contentType });
    return `${ctx.svc.origin()}/bandwidth${ctx.mediaPrefix}${mediaId}`;
  });
  const peer = peerOfNumber(ctx, to);
  const app = peer?.appId ? ctx.apps.get(peer.appId) : undefined;
  const mm: MessageMeta = { applicationId: app?.id ?? '', media: urls, to: [to] };
  ctx.meta.set(id, mm);
  const m = ctx.svc.store.add(inboundRecord({ id, provider: 'bandwidth', account: ctx.accountId, to, from, body, status: 'RECEIVED', now }, media, urls));
  const event = {
    type: 'message-received',
    time: now,
    description: 'Incoming message received',
    to,
    carrierName: 'Sandbox Wireless',
    message: messageObject(m, mm, 'in'),
  };
  // Bandwidth acts on nothing in the answer (BXML is for voice): replies go through the API.
  await callback(ctx, app, 'inbound', event, id);
  return m;
}
