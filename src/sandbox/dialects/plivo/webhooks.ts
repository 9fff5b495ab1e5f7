// Plivo callbacks (reference §3.5–3.6): status callbacks to the send request's `url` and inbound
// messages to the linked application's message_url, form-encoded and signed (signature.ts).
import { randomUUID } from 'node:crypto';
import type { SandboxMessage } from '../../store.js';
import type { PlivoContext } from './context.js';
import { signPlivoCallback } from './signature.js';
import { exchangeWebhook, type WebhookAnswer } from '../exchange.js';
import { actOnXmlReply } from './xml-reply.js';

const ERROR_TEXT: Record<string, string> = {
  '10': 'Invalid Message',
  '20': 'Network Error',
  '50': 'Invalid Destination Number',
};

/** Callback times: `YYYY-mm-dd HH:MM:SS.SSSSSS` (reference §3.6). */
function callbackTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')}.${iso.slice(20, 23)}000`;
}

/** Signs and POSTs a callback; the receiver's answer when it can be seen (exchange.ts). */
async function post(
  ctx: PlivoContext,
  url: string,
  method: string,
  params: Array<[string, string]>,
  kind: 'inbound' | 'status',
  id: string,
): Promise<WebhookAnswer | undefined> {
  if (method.toUpperCase() === 'GET') ctx.svc.log(`plivo ${id}: ${kind} callback method is GET; the sandbox delivers callbacks as POST`);
  const signed = signPlivoCallback(ctx.authToken, url, params);
  return exchangeWebhook(ctx.svc, { url, headers: signed.headers, body: signed.body }, kind, id);
}

/** Records a status and sends its callback. */
export async function setStatus(ctx: PlivoContext, m: SandboxMessage, status: string, errorCode?: string, errorMessage?: string): Promise<void> {
  const x = ctx.extras.get(m.id);
  const now = new Date().toISOString();
  if (x && status === 'sent') x.sentAt = now;
  if (x && (status === 'delivered' || status === 'undelivered')) x.deliveredAt = now;
  ctx.svc.store.setStatus(m.id, status, errorCode ? { errorCode, errorMessage: errorMessage ?? ERROR_TEXT[errorCode] ?? 'Error' } : {});
  await callback(ctx, m, status, errorCode);
}

/** The status callback to the send request's `url`, if it had one (also sent for the initial `queued`). */
export async function callback(ctx: PlivoContext, m: SandboxMessage, status: string, errorCode?: string): Promise<void> {
  const x = ctx.extras.get(m.id);
  if (!m.statusCallback || !x) return;
  x.sequence += 1;
  ctx.extras.touch(m.id);
  const params: Array<[string, string]> = [
    ['MessageUUID', m.id],
    ['To', m.to],
    ['From', m.from],
    ['Type', x.type],
    ['Status', status],
    ['Units', '1'],
    ['TotalRate', '0.00000'],
    ['TotalAmount', '0.00000'],
    ['MCC', '310'],
    ['MNC', '260'],
    ['ParentMessageUUID', m.id],
    ['PartInfo', '1 of 1'],
    ['Sequence', String(x.sequence)],
    ['MessageTime', callbackTime(m.createdAt)],
    ['QueuedTime', callbackTime(x.queuedAt)],
    ['SentTime', x.sentAt ? callbackTime(x.sentAt) : ''],
    ['DeliveryReportTime', x.deliveredAt ? callbackTime(x.deliveredAt) : ''],
    ['PowerpackUUID', ''],
  ];
  // ErrorCode only on failed/undelivered (reference §3.6).
  if (errorCode) params.push(['ErrorCode', errorCode]);
  await post(ctx, m.statusCallback, x.method, params, 'status', m.id);
}

/** A message to one of our numbers arrives at the linked application's message_url. */
export async function receive(ctx: PlivoContext, out: SandboxMessage): Promise<void> {
  const app = ctx.apps.get(ctx.links.get(out.to) ?? '');
  const now = new Date().toISOString();
  const type = ctx.extras.get(out.id)?.type ?? 'sms';
  const inbound = ctx.svc.store.add({
    id: randomUUID(),
    provider: 'plivo',
    account: ctx.authId,
    direction: 'inbound',
    to: out.to,
    from: out.from,
    body: out.body,
    media: out.media.map((md) => ({ ...md })),
    status: 'received',
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'received', at: now }],
  });
  ctx.extras.set(inbound.id, { type, method: 'POST', sequence: 0, queuedAt: now });
  if (!app?.message_url) {
    // Without a message_url Plivo keeps the message as received and forwards nothing (reference §3.8).
    ctx.svc.log(`plivo inbound ${inbound.id} → ${out.to}: no application message_url; not forwarded`);
    return;
  }
  const params: Array<[string, string]> = [
    ['From', out.from],
    ['To', out.to],
    ['Type', type],
    ['MessageUUID', inbound.id],
    ['Units', '1'],
    ['TotalRate', '0.00000'],
    ['TotalAmount', '0.00000'],
    ['MessageIntent', ''],
    ['PowerpackUUID', ''],
  ];
  // MMS text arrives as Body, SMS text as Text (reference §3.5).
  params.push([type === 'mms' ? 'Body' : 'Text', out.body]);
  if (type === 'mms') {
    params.push(['MediaCount', String(out.media.length)]);
    // The API docs number media from 1; a support article says 0 (reference §5.2). We follow the API docs.
    out.media.forEach((md, i) => params.push([`Media${i + 1}`, md.url]));
  }
  ctx.replyDepth.set(inbound.id, ctx.replyDepth.of(out.id));
  actOnXmlReply(ctx, inbound, await post(ctx, app.message_url, app.message_method, params, 'inbound', inbound.id));
}
