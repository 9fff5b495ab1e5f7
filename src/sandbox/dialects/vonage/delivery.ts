// What happens to a Vonage message after the 202: media fetched (and copied for the round trip),
// submitted → delivered (or the test numbers' failures) with a status webhook per step, and the
// inbound copy to the receiving number's application.
import { randomUUID } from 'node:crypto';
import type { SandboxMessage } from '../../store.js';
import { inboundRecord, type InboundFile } from '../../types.js';
import { ERR, digits, type HostedMedia, type VonageContext } from './context.js';
import { post } from './webhooks.js';
import { keepFile } from '../kept.js';
import { checkCarrierSize, isUnregisteredSender, mediaBytes, optOutsFor } from '../../carrier.js';

/** Vonage publishes no MMS size limit; the adapter's 5 MB guard is used here too. */
const MAX_TOTAL = 5 * 1024 * 1024;
const TEST_TO_BARRED = '15557770091';
const TEST_TO_UNDELIVERABLE = '15557770092';

/** A copy of the media bytes for re-hosting (undefined when it cannot be had). */
async function grab(url: string, max: number): Promise<HostedMedia | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || bytes.length > max) return undefined;
    return { bytes, contentType: (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim() };
  } catch {
    return undefined;
  }
}

/** An accepted outbound message with what the store does not keep. */
export interface Outbound {
  msg: SandboxMessage;
  kinds: string[];
  captions: Array<string | undefined>;
  webhookUrl?: string;
  appId?: string;
  clientRef?: string;
}

/**
 * Vonage's carrier-side refusals of an accepted message, reported as a `rejected` status webhook.
 * Opted-out recipients are "blocked from sending" with an error in the status webhook
 * (https://developer.vonage.com/en/opt-out-assist/guides/messaging-opted-out-numbers); the page's
 * SMS API code is err-code 9 "Illegal Number", whose Messages API counterpart is 1240 "Illegal
 * Number" [sandbox choice]. Vonage publishes no carrier size-limit or 10DLC-registration code:
 * 1020 "Invalid params" (as this dialect's other media refusals) and 1120 "Illegal Sender Address"
 * (as its refusal of a sender) [sandbox choices].
 */
function carrierFailure(ctx: VonageContext, msg: SandboxMessage): { code: number; detail: string } | undefined {
  if (isUnregisteredSender(msg.from)) return { code: 1120, detail: 'Illegal Sender Address: the sender is not registered for 10DLC messaging' };
  if (optOutsFor(ctx.svc.store).isOptedOut('vonage', msg.from, msg.to))
    return { code: 1240, detail: 'Illegal Number: the recipient has opted out (replied STOP)' };
  if (ctx.ownNumbers.map(digits).includes(digits(msg.to))) return undefined;
  const tooLarge = checkCarrierSize(msg.from, msg.to, mediaBytes(msg));
  return tooLarge ? { code: 1020, detail: `Invalid params: ${tooLarge.detail}` } : undefined;
}

/** Runs a new outbound message to its final status. */
export async function lifecycle(ctx: VonageContext, o: Outbound): Promise<void> {
  const { msg } = o;
  const wait = () => ctx.svc.step();
  const app = o.appId ? ctx.apps.get(o.appId) : undefined;
  const statusUrl = o.webhookUrl ?? app?.statusUrl;
  const status = async (s: string, error?: { code: number; detail: string }): Promise<void> => {
    ctx.svc.store.setStatus(msg.id, s, error ? { errorCode: error.code, errorMessage: error.detail } : {});
    const payload: Record<string, unknown> = {
      message_uuid: msg.id,
      to: digits(msg.to),
      from: digits(msg.from),
      timestamp: new Date().toISOString(),
      status: s,
      channel: 'mms',
    };
    if (o.clientRef) payload.client_ref = o.clientRef;
    if (s === 'submitted') payload.usage = { currency: 'EUR', price: '0.0333' };
    if (error) payload.error = { type: `${ERR}#${error.code}`, title: String(error.code), detail: error.detail, instance: randomUUID() };
    await post(ctx, statusUrl, payload, o.appId, 'status', msg.id);
  };
  let budget = MAX_TOTAL;
  const hostedHere: InboundFile[] = [];
  const inboundWanted = ctx.ownNumbers.includes(msg.to);
  for (const media of msg.media) {
    const r = await ctx.svc.fetcher.fetch(media.url, { maxBytes: budget });
    if (!r.ok) {
      media.status = 'failed';
      media.error = r.detail;
      if (r.contentType) media.contentType = r.contentType;
      await wait();
      await status('rejected', { code: 1020, detail: `Invalid params: the media at ${media.url} could not be used (${r.detail})` });
      return;
    }
    Object.assign(media, { status: 'fetched', contentType: r.contentType, size: r.size, sha256: r.sha256 });
    budget -= r.size;
    if (inboundWanted) {
      const copy = await grab(media.url, r.size);
      // Kept with its key, so the re-hosted file is found again after a restart.
      if (copy) hostedHere.push(keepFile(ctx.svc.store, copy));
    }
  }
  await wait();
  await status('submitted');
  const to = digits(msg.to);
  const refused = carrierFailure(ctx, msg);
  if (refused) {
    await wait();
    await status('rejected', refused);
    return;
  }
  if (to === TEST_TO_BARRED) {
    await wait();
    await status('rejected', { code: 1050, detail: 'Number barred: the destination number is barred' });
    return;
  }
  if (to === TEST_TO_UNDELIVERABLE) {
    await wait();
    await status('undeliverable', { code: 1100, detail: 'Communication failed: the carrier could not deliver the message' });
    return;
  }
  await wait();
  await status('delivered');
  if (inboundWanted) await receiveInbound(ctx, o.msg.to, o.msg.from, o.msg.body, hostedHere, o.kinds);
}

/**
 * Stores an inbound message to a sandbox number (media re-hosted at /vonage/v3/media/<uuid>) and
 * POSTs it, with the Bearer JWT, to the inbound_url of the application linked to the number.
 * `kinds` are the attachments' message types (missing: "file"). The round trip and injection
 * (inject.ts) share it; resolves once the delivery was attempted.
 */
export async function receiveInbound(
  ctx: VonageContext,
  to: string,
  from: string,
  body: string,
  media: readonly InboundFile[],
  kinds: ReadonlyArray<string | undefined>,
): Promise<SandboxMessage> {
  const now = new Date().toISOString();
  const id = randomUUID();
  const urls = media.map((m) => {
    const mid = randomUUID();
    ctx.hosted.set(mid, { bytes: m.bytes, contentType: m.contentType });
    if (ctx.hosted.size > 500) ctx.hosted.delete(ctx.hosted.keys().next().value!);
    return `${ctx.svc.origin()}/vonage/v3/media/${mid}`;
  });
  const stored = ctx.svc.store.add(inboundRecord({ id, provider: 'vonage', account: ctx.apiKey, to, from, body, status: 'received', now }, media, urls));
  const payload: Record<string, unknown> = { channel: 'mms', message_uuid: id, to: digits(to), from: digits(from), timestamp: now };
  if (urls.length === 0) Object.assign(payload, { message_type: 'text', text: body });
  else {
    const kind = kinds[0] ?? 'file';
    payload.message_type = kind;
    payload[kind] = kind === 'vcard' || !body ? { url: urls[0] } : { url: urls[0], caption: body };
    // "Only present for messages that have more than one attachment."
    if (urls.length > 1) payload.content = urls.map((url, i) => ({ type: kinds[i] ?? 'file', url }));
  }
  payload.origin = { network_code: '310260' };
  const linked = ctx.links.get(digits(to));
  // Vonage acts on nothing in the answer (the Messages API has no reply markup): replies go through the API.
  await post(ctx, linked ? ctx.apps.get(linked)?.inboundUrl : undefined, payload, linked, 'inbound', id);
  return stored;
}
