// What happens to a Plivo message after the 202 (reference §3.6): the `queued` callback, media
// fetched and checked, then sent → delivered (or the test numbers' outcomes), and the round trip.
import type { SandboxMessage } from '../../store.js';
import { ACCEPTED_TYPES, OWN_NUMBERS, type PlivoContext } from './context.js';
import { callback, receive, setStatus } from './webhooks.js';
import { checkCarrierSize, isUnregisteredSender, mediaBytes, optOutsFor } from '../../carrier.js';

/** Accepted, then: [final state, ErrorCode]. */
const TEST_DST_FINAL: Record<string, [string, string | undefined]> = {
  '15557770202': ['failed', '50'],
  '15557770203': ['undelivered', '20'],
  '15557770204': ['sent', undefined],
};
// "total < 5 MB" (reference §3.2); decimal, like the adapter.
const MAX_TOTAL = 5_000_000;

/**
 * Plivo's carrier-side refusals of an accepted message, as [ErrorCode, text]: a handset that texted
 * STOP to the sender (200: "marked failed with error code 200",
 * https://support.plivo.com/hc/en-us/articles/360041786171), media over the destination carrier's
 * limit (120, https://support.plivo.com/hc/en-us/articles/360041855032), and the unregistered 10DLC
 * magic sender (Plivo documents no 10DLC-specific code; 40 "Invalid Source Number" [sandbox choice]).
 */
function carrierFailure(ctx: PlivoContext, m: SandboxMessage): [string, string] | undefined {
  if (isUnregisteredSender(m.from)) return ['40', 'Invalid Source Number: the source is not registered for 10DLC messaging'];
  if (optOutsFor(ctx.svc.store).isOptedOut('plivo', m.from, m.to)) return ['200', 'Destination number has opted out (replied STOP)'];
  if (OWN_NUMBERS.includes(m.to)) return undefined;
  const tooLarge = checkCarrierSize(m.from, m.to, mediaBytes(m));
  return tooLarge ? ['120', `MMS message payload too large: ${tooLarge.detail}`] : undefined;
}

/** Runs a new outbound message to its final status. */
export async function lifecycle(ctx: PlivoContext, m: SandboxMessage): Promise<void> {
  const wait = () => ctx.svc.step();
  // The message was stored as queued when the send was accepted; only the callback is left to send.
  await callback(ctx, m, 'queued');
  let budget = MAX_TOTAL - m.media.reduce((n, md) => n + (md.status === 'fetched' ? (md.size ?? 0) : 0), 0);
  for (const media of m.media) {
    if (media.status === 'fetched') continue;
    const r = await ctx.svc.fetcher.fetch(media.url, { maxBytes: budget });
    let problem: string | undefined;
    if (!r.ok) {
      // Plivo rejects URLs with no Content-Type (reference §3.2) and messages over 5 MB in total.
      problem = r.reason === 'too-large' ? `media exceeds the 5 MB total: ${r.detail}` : `media could not be retrieved: ${r.detail}`;
      if (r.contentType) media.contentType = r.contentType;
    } else {
      media.contentType = r.contentType;
      media.size = r.size;
      media.sha256 = r.sha256;
      if (!ACCEPTED_TYPES.test(r.contentType)) problem = `unsupported media type ${r.contentType}`;
    }
    if (problem) {
      media.status = 'failed';
      media.error = problem;
      await wait();
      // Error 10 ("invalid message") is the closest documented code [sandbox choice].
      await setStatus(ctx, m, 'failed', '10', `Invalid Message: ${problem}`);
      ctx.svc.log(`plivo ${m.id} → ${m.to}: ${problem}`);
      return;
    }
    media.status = 'fetched';
    budget -= media.size ?? 0;
  }
  const final = TEST_DST_FINAL[m.to];
  await wait();
  const carrier = carrierFailure(ctx, m);
  if (carrier) {
    ctx.svc.log(`plivo ${m.id} → ${m.to}: ${carrier[1]}`);
    await setStatus(ctx, m, 'failed', carrier[0], carrier[1]);
    return;
  }
  if (final?.[0] === 'failed') {
    await setStatus(ctx, m, 'failed', final[1]);
    return;
  }
  await setStatus(ctx, m, 'sent');
  if (final?.[0] === 'sent') return;
  await wait();
  if (final) {
    await setStatus(ctx, m, final[0], final[1]);
    return;
  }
  await setStatus(ctx, m, 'delivered');
  if (OWN_NUMBERS.includes(m.to)) await receive(ctx, m);
}
