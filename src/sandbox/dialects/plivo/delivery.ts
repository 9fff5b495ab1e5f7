// What happens to a Plivo message after the 202 (reference §3.6): the `queued` callback, media
// fetched and checked, then sent → delivered (or the test numbers' outcomes), and the round trip.
import type { SandboxMessage } from '../../store.js';
import { ACCEPTED_TYPES, OWN_NUMBERS, type PlivoContext } from './context.js';
import { callback, receive, setStatus } from './webhooks.js';

/** Accepted, then: [final state, ErrorCode]. */
const TEST_DST_FINAL: Record<string, [string, string | undefined]> = {
  '15557770202': ['failed', '50'],
  '15557770203': ['undelivered', '20'],
  '15557770204': ['sent', undefined],
};
// "total < 5 MB" (reference §3.2); decimal, like the adapter.
const MAX_TOTAL = 5_000_000;

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
