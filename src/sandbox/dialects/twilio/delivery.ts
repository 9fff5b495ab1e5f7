// What happens to a Twilio message after the 201 (reference §1.2, §1.6): media fetched and checked
// (a failure marks the message failed with Twilio's code), then sending → sent → delivered, with a
// signed status callback per step, and the round trip to an own number's SmsUrl.
import type { SandboxMessage } from '../../store.js';
import type { FetchResult } from '../../media-fetch.js';
import { hex, rfc2822, type TwilioContext } from './context.js';
import { keepMedia } from './media.js';
import { deliverInbound, postStatus, setStatus, type KeptBytes } from './webhooks.js';
import { checkCarrierSize, isUnregisteredSender, mediaBytes } from '../../carrier.js';

const IMAGE_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/gif', 'image/png']);
const ACCEPTED_TYPES = /^(image|audio|video)\/|^(text\/(vcard|x-vcard|calendar|plain|csv|rtf)|application\/(pdf|vcard|rtf|zip|msword|vnd\.))/;
const MAX_TOTAL = 5 * 1024 * 1024;
const MAX_NON_IMAGE = 500 * 1024;

/**
 * Sandbox-only To numbers (not Twilio's): accepted with 201, then the delivery fails the way a
 * carrier reports it, so `send --wait` and status callbacks can be rehearsed.
 */
export const TWILIO_SANDBOX_LATE_FAILURES: Record<string, { status: 'undelivered' | 'failed'; code: number; message: string }> = {
  '+15557770030': { status: 'undelivered', code: 30003, message: 'Unreachable destination handset' },
  '+15557770031': { status: 'failed', code: 30008, message: 'Unknown error' },
};

/** Twilio's code and message for a media fetch that failed. */
function fetchFailure(r: Extract<FetchResult, { ok: false }>): [number, string] {
  if (r.reason === 'too-large') return [11751, 'Media exceeds messaging provider size limit'];
  if (r.reason === 'no-content-type') return [12300, 'Invalid Content-Type'];
  return [11200, `HTTP retrieval failure: ${r.detail}`];
}

/** Fetches and checks every media item; false when the message was failed. */
async function fetchMedia(ctx: TwilioContext, m: SandboxMessage, kept: KeptBytes[]): Promise<boolean> {
  let budget = MAX_TOTAL;
  for (const media of m.media) {
    const r = await ctx.svc.fetcher.fetch(media.url, { maxBytes: budget, keepBytes: true });
    if (!r.ok) {
      media.status = 'failed';
      media.error = r.detail;
      if (r.contentType) media.contentType = r.contentType;
      const [code, msg] = fetchFailure(r);
      ctx.svc.log(`twilio ${m.id} → ${m.to}: media failed (${code}: ${r.detail})`);
      await setStatus(ctx, m, 'failed', { errorCode: code, errorMessage: msg });
      return false;
    }
    media.contentType = r.contentType;
    media.size = r.size;
    media.sha256 = r.sha256;
    if (!ACCEPTED_TYPES.test(r.contentType)) {
      media.status = 'failed';
      media.error = `unsupported Content-Type ${r.contentType}`;
      await setStatus(ctx, m, 'failed', { errorCode: 12300, errorMessage: 'Invalid Content-Type' });
      return false;
    }
    if (!IMAGE_TYPES.has(r.contentType) && r.size > MAX_NON_IMAGE) {
      media.status = 'failed';
      media.error = `${r.size} bytes is over 500 KB for ${r.contentType}`;
      await setStatus(ctx, m, 'failed', { errorCode: 11751, errorMessage: 'Media exceeds messaging provider size limit' });
      return false;
    }
    media.status = 'fetched';
    budget -= r.size;
    const bytes = r.bytes ?? Buffer.alloc(0);
    // Twilio keeps what it fetched as the message's Media resources (listable, deletable).
    keepMedia(ctx, `ME${hex(16)}`, { messageSid: m.id, contentType: r.contentType, bytes, sha256: r.sha256, dateCreated: rfc2822(new Date()) });
    kept.push({ contentType: r.contentType, bytes, sha256: r.sha256 });
  }
  return true;
}

/** Runs a new outbound message to its final status. */
export async function lifecycle(ctx: TwilioContext, m: SandboxMessage): Promise<void> {
  const wait = () => ctx.svc.step();
  await postStatus(ctx, m);
  const roundTrip = ctx.numbers.has(m.to) && ctx.ownNumbers.includes(m.to);
  const kept: KeptBytes[] = [];
  if (!(await fetchMedia(ctx, m, kept))) return;
  if (isUnregisteredSender(m.from)) {
    // US carriers block A2P traffic from 10DLC numbers with no registered campaign; Twilio reports it
    // as 30034 (https://www.twilio.com/docs/api/errors/30034) before the message reaches the carrier.
    await wait();
    await setStatus(ctx, m, 'failed', { errorCode: 30034, errorMessage: 'Message from an Unregistered Number' });
    return;
  }
  // The sandbox's own numbers are Twilio numbers (5 MB inbound), not carrier handsets: no carrier limit.
  const tooLarge = roundTrip ? undefined : checkCarrierSize(m.from, m.to, mediaBytes(m));
  const late = TWILIO_SANDBOX_LATE_FAILURES[m.to];
  if (late?.status === 'failed') {
    await wait();
    await setStatus(ctx, m, 'failed', { errorCode: late.code, errorMessage: late.message });
    return;
  }
  for (const s of ['sending', 'sent']) {
    await wait();
    await setStatus(ctx, m, s);
  }
  await wait();
  if (tooLarge) {
    // The carrier refuses the MMS after Twilio handed it over: 30019 (https://www.twilio.com/docs/api/errors/30019).
    ctx.svc.log(`twilio ${m.id} → ${m.to}: carrier refused (${tooLarge.detail})`);
    await setStatus(ctx, m, 'undelivered', { errorCode: 30019, errorMessage: 'Content size exceeds carrier limit' });
    return;
  }
  if (late) {
    await setStatus(ctx, m, late.status, { errorCode: late.code, errorMessage: late.message });
    return;
  }
  await setStatus(ctx, m, 'delivered');
  if (roundTrip) await deliverInbound(ctx, m, kept);
}
