// What happens to a Telnyx message after the 200: media fetched and checked, then sending → sent
// → delivered (or the test numbers' failures), and the round trip to an own number.
import type { SandboxMessage } from '../../store.js';
import { OWN_NUMBERS, type TelnyxContext } from './context.js';
import { receive, setStatus } from './webhooks.js';
import { checkCarrierSize, isUnregisteredSender, mediaBytes } from '../../carrier.js';

/** Accepted, then a final failure: [final to[].status, Telnyx delivery code, title]. */
const TEST_TO_FINAL: Record<string, [string, string | undefined, string | undefined]> = {
  '+15557770102': ['sending_failed', '40001', 'Not routable'],
  '+15557770103': ['delivery_failed', '40008', 'Undeliverable'],
  '+15557770104': ['delivery_unconfirmed', undefined, undefined],
};
// The docs' broad list (reference §2.2; the support FAQ is narrower and is what the adapter
// validates against). application/octet-stream is sniffed by Telnyx; we accept it as is.
const ACCEPTED_TYPES =
  /^(image\/(jpeg|jpg|png|gif|bmp|tiff|webp)|video\/(mp4|3gpp|quicktime)|audio\/(mpeg|mp3|wav|x-wav|amr|ogg)|application\/(pdf|octet-stream)|text\/(plain|vcard|x-vcard|calendar))$/;
// The spec: "The total media size must be less than 1 MB"; decimal, like the adapter.
const MAX_TOTAL = 1_000_000;

/** Fetches and checks every media item; false when the message was failed. */
async function fetchMedia(ctx: TelnyxContext, m: SandboxMessage): Promise<boolean> {
  let budget = MAX_TOTAL;
  for (const media of m.media) {
    const r = await ctx.svc.fetcher.fetch(media.url, { maxBytes: budget });
    let problem: string | undefined;
    if (!r.ok) {
      problem = r.reason === 'too-large' ? `Media exceeds the 1 MB total: ${r.detail}` : `Media could not be retrieved: ${r.detail}`;
      media.error = r.detail;
      if (r.contentType) media.contentType = r.contentType;
    } else {
      media.contentType = r.contentType;
      media.size = r.size;
      media.sha256 = r.sha256;
      if (!ACCEPTED_TYPES.test(r.contentType)) problem = `Unsupported media content type ${r.contentType}`;
    }
    if (problem) {
      media.status = 'failed';
      media.error ??= problem;
      // Telnyx documents no media-specific code; 40009 ("invalid message body") is the closest
      // delivery error in its table (reference §2.3) [sandbox choice].
      await ctx.svc.step();
      await setStatus(ctx, m, 'sending_failed', 'message.finalized', { code: '40009', title: 'Invalid message body', detail: problem });
      ctx.svc.log(`telnyx ${m.id} → ${m.to}: media failed (${problem})`);
      return false;
    }
    media.status = 'fetched';
    budget -= media.size ?? 0;
  }
  return true;
}

/** Runs a new outbound message to its final status. */
export async function lifecycle(ctx: TelnyxContext, m: SandboxMessage): Promise<void> {
  const wait = () => ctx.svc.step();
  if (!(await fetchMedia(ctx, m))) return;
  const final = TEST_TO_FINAL[m.to];
  await wait();
  await setStatus(ctx, m, 'sending');
  if (isUnregisteredSender(m.from)) {
    // 40010 "Not 10DLC registered" (Telnyx messaging error codes,
    // https://developers.telnyx.com/docs/messaging/messages/error-codes): blocked before any carrier.
    await wait();
    await setStatus(ctx, m, 'sending_failed', 'message.finalized', { code: '40010', title: 'Not 10DLC registered' });
    return;
  }
  // Own numbers are Telnyx numbers, not carrier handsets: no carrier limit on the round trip.
  const tooLarge = OWN_NUMBERS.includes(m.to) ? undefined : checkCarrierSize(m.from, m.to, mediaBytes(m));
  if (final?.[0] === 'sending_failed') {
    await wait();
    await setStatus(ctx, m, 'sending_failed', 'message.finalized', { code: final[1]!, title: final[2]! });
    return;
  }
  await wait();
  await setStatus(ctx, m, 'sent', 'message.sent');
  await wait();
  if (tooLarge) {
    // Telnyx documents no carrier size-limit code; 40008 "Undeliverable" (the carrier did not accept
    // the message) is its general carrier refusal [sandbox choice].
    ctx.svc.log(`telnyx ${m.id} → ${m.to}: carrier refused (${tooLarge.detail})`);
    await setStatus(ctx, m, 'delivery_failed', 'message.finalized', { code: '40008', title: 'Undeliverable', detail: tooLarge.detail });
    return;
  }
  if (final) {
    await setStatus(ctx, m, final[0], 'message.finalized', final[1] ? { code: final[1], title: final[2]! } : undefined);
    return;
  }
  await setStatus(ctx, m, 'delivered', 'message.finalized');
  if (OWN_NUMBERS.includes(m.to)) await receive(ctx, m);
}
