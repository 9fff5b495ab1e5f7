// What happens to a Sinch batch after the 201: the media fetched (and copied for the round trip),
// Dispatched → Delivered (or the test numbers' failures) with delivery reports as the batch asked,
// and the inbound mo_media to the service plan's callback URL.
import type { SandboxMessage } from '../../store.js';
import { inboundRecord, type InboundFile } from '../../types.js';
import { digits, ulid, type Batch, type SinchContext } from './context.js';
import { callback } from './webhooks.js';
import { checkCarrierSize, isUnregisteredSender, mediaBytes, optOutsFor } from '../../carrier.js';
import { keepFile } from '../kept.js';

/** Sinch recommends < 1 MB for MMS (carrier limits); the adapter uses the same guard. */
const MAX_MEDIA_BYTES = 1024 * 1024;
const FAIL_NUMBERS: Record<string, [string, number]> = {
  '15557770091': ['Failed', 402],
  '15557770092': ['Rejected', 413],
};

/** A delivery report summary (`full` lists the recipients). */
export function summary(b: Batch, full: boolean): Record<string, unknown> {
  const buckets = new Map<string, { code: number; count: number; status: string; recipients: string[] }>();
  for (const [r, s] of Object.entries(b.statuses)) {
    const key = `${s.status}/${s.code}`;
    const bucket = buckets.get(key) ?? { code: s.code, count: 0, status: s.status, recipients: [] };
    bucket.count++;
    bucket.recipients.push(r);
    buckets.set(key, bucket);
  }
  return {
    type: b.type === 'mt_media' ? 'delivery_report_mms' : 'delivery_report_sms',
    batch_id: b.id,
    total_message_count: b.to.length,
    statuses: [...buckets.values()].map((x) => (full ? x : { code: x.code, count: x.count, status: x.status })),
    ...(b.clientReference ? { client_reference: b.clientReference } : {}),
  };
}

/** Records a status for every recipient and sends the delivery reports the batch asked for. */
async function setStatus(ctx: SinchContext, b: Batch, m: SandboxMessage, status: string, code: number, detail?: string): Promise<void> {
  const at = new Date().toISOString();
  for (const r of b.to) b.statuses[digits(r)] = { status, code, at };
  ctx.svc.store.setStatus(m.id, status, detail !== undefined ? { errorCode: code, errorMessage: detail } : {});
  const url = b.callbackUrl ?? ctx.planCallbackUrl;
  const final = !['Queued', 'Dispatched'].includes(status);
  if (b.deliveryReport === 'per_recipient' || (b.deliveryReport === 'per_recipient_final' && final)) {
    for (const r of b.to) {
      const payload: Record<string, unknown> = {
        type: b.type === 'mt_media' ? 'recipient_delivery_report_mms' : 'recipient_delivery_report_sms',
        batch_id: b.id,
        recipient: digits(r),
        code,
        status,
        at,
        operator_status_at: at,
        applied_originator: b.from,
        ...(b.clientReference ? { client_reference: b.clientReference } : {}),
      };
      await callback(ctx, url, payload, 'status', m.id);
    }
  } else if ((b.deliveryReport === 'summary' || b.deliveryReport === 'full') && final) {
    await callback(ctx, url, summary(b, b.deliveryReport === 'full'), 'status', m.id);
  }
}

/**
 * Sinch's carrier-side refusals of an accepted batch, as [status, code, detail]: the unregistered
 * 10DLC magic sender ("Originator blocked", status code 60 of https://developers.sinch.com/docs/sms/smpp/10dlc-errors;
 * the REST codes include the SMPP ones), a handset that texted STOP (status Deleted, which "may happen
 * if the destination is … an opted out subscriber", https://developers.sinch.com/docs/sms/api-reference/sms/tag/Delivery-reports/;
 * no specific code documented: 408 [sandbox choice]), and media over the carrier's limit (MMS status
 * Rejected covers "Exceeded MMS Size", https://developers.sinch.com/docs/mms/7-service/mms-status-codes;
 * 415 is the REST code for an MMS the gateway or network rejected).
 */
function carrierFailure(ctx: SinchContext, m: SandboxMessage): [string, number, string] | undefined {
  if (isUnregisteredSender(m.from)) return ['Rejected', 60, 'Originator blocked: the sender is not registered for 10DLC messaging'];
  if (optOutsFor(ctx.svc.store).isOptedOut('sinch', m.from, m.to)) return ['Deleted', 408, 'The recipient has opted out (replied STOP)'];
  if (ctx.ownNumbers.some((n) => digits(n) === digits(m.to))) return undefined;
  const tooLarge = checkCarrierSize(m.from, m.to, mediaBytes(m));
  return tooLarge ? ['Rejected', 415, `Exceeded MMS size: ${tooLarge.detail}`] : undefined;
}

/** Runs a new batch to its final status. */
export async function lifecycle(ctx: SinchContext, b: Batch, m: SandboxMessage): Promise<void> {
  const wait = () => ctx.svc.step();
  const copies: InboundFile[] = [];
  const item = m.media[0];
  if (item) {
    const r = await ctx.svc.fetcher.fetch(item.url, { maxBytes: MAX_MEDIA_BYTES });
    if (!r.ok) {
      item.status = 'failed';
      item.error = r.detail;
      if (r.contentType) item.contentType = r.contentType;
      await wait();
      await setStatus(ctx, b, m, 'Rejected', 408, `Media could not be used: ${r.detail}`);
      return;
    }
    Object.assign(item, { status: 'fetched', contentType: r.contentType, size: r.size, sha256: r.sha256 });
    if (ctx.ownNumbers.includes(m.to)) {
      try {
        const res = await fetch(item.url, { signal: AbortSignal.timeout(10_000) });
        copies.push(keepFile(ctx.svc.store, { bytes: Buffer.from(await res.arrayBuffer()), contentType: r.contentType }));
      } catch {
        // The copy is only for the inbound side; the outbound message is unaffected.
      }
    }
  }
  await wait();
  await setStatus(ctx, b, m, 'Dispatched', 401);
  await wait();
  const refused = carrierFailure(ctx, m);
  if (refused) {
    await setStatus(ctx, b, m, refused[0], refused[1], refused[2]);
    return;
  }
  const fail = FAIL_NUMBERS[digits(m.to)];
  if (fail) {
    await setStatus(ctx, b, m, fail[0], fail[1], fail[1] === 402 ? 'Message unroutable' : 'Blocked by the operator');
    return;
  }
  await setStatus(ctx, b, m, 'Delivered', 0);
  if (ctx.ownNumbers.includes(m.to)) await receiveInbound(ctx, m.to, m.from, m.body, copies, subjectOf(b));
}

/**
 * Stores an inbound `mo_media` to a sandbox number (media re-hosted at /sinch/mms-media/<id>) and
 * POSTs it, signed, to the service plan's callback URL; `subject` is the MMS subject when there is
 * one. The round trip and injection (inject.ts) share it; resolves once the delivery was attempted.
 */
export async function receiveInbound(
  ctx: SinchContext,
  to: string,
  from: string,
  body: string,
  media: readonly InboundFile[],
  subject?: string,
): Promise<SandboxMessage> {
  const id = ulid();
  const now = new Date().toISOString();
  const urls = media.map((c) => {
    const key = ulid().toLowerCase();
    ctx.hosted.set(key, { bytes: c.bytes, contentType: c.contentType });
    if (ctx.hosted.size > 500) ctx.hosted.delete(ctx.hosted.keys().next().value!);
    return `${ctx.svc.origin()}/sinch/mms-media/${key}`;
  });
  const payload: Record<string, unknown> = {
    type: 'mo_media',
    id,
    from: digits(from),
    to: digits(to),
    received_at: now,
    sent_at: now,
    operator_id: '310260',
    body: {
      ...(subject !== undefined ? { subject } : {}),
      ...(body ? { message: body } : {}),
      media: urls.map((url, i) => ({ url, content_type: media[i]!.contentType, status: 'Uploaded', code: 0 })),
    },
  };
  ctx.inbounds.set(id, payload);
  const stored = ctx.svc.store.add(inboundRecord({ id, provider: 'sinch', account: ctx.servicePlanId, to, from, body, status: 'received', now }, media, urls));
  // Sinch acts on nothing in the answer (no reply markup for SMS/MMS): replies go through the API.
  await callback(ctx, ctx.planCallbackUrl, payload, 'inbound', id);
  return stored;
}

/** The MMS subject of a batch's body, when it has one. */
function subjectOf(b: Batch): string | undefined {
  const body = b.body && typeof b.body === 'object' ? (b.body as { subject?: unknown }) : {};
  return typeof body.subject === 'string' ? body.subject : undefined;
}
