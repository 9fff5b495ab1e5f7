// Twilio Messages (reference §1.1–1.4, §1.9): create (form-encoded, with the test credentials'
// magic From/To numbers), fetch and list, plus the Account resource the adapter checks.
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import type { SandboxMessage } from '../../store.js';
import { route, type Route } from '../../router.js';
import { API, hex, notFound, rfc2822, twilioError, twilioPage, type TwilioContext } from './context.js';
import { lifecycle } from './delivery.js';
import { isUnregisteredSender, optOutsFor } from '../../carrier.js';

/** Twilio's magic From numbers (test credentials). */
const MAGIC_FROM: Record<string, [number, string]> = {
  '+15005550001': [21212, "The 'From' number +15005550001 is not a valid phone number, shortcode, or alphanumeric sender ID."],
  '+15005550007': [21606, "The 'From' phone number provided (+15005550007) is not a valid message-capable Twilio phone number for this destination/account."],
  '+15005550008': [21611, "This 'From' number has exceeded the maximum number of queued messages."],
};
/** Twilio's magic To numbers. */
const MAGIC_TO: Record<string, [number, string]> = {
  '+15005550001': [21211, "The 'To' number +15005550001 is not a valid phone number."],
  '+15005550002': [21612, "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number via SMS."],
  '+15005550003': [21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +15005550003."],
  '+15005550004': [21610, 'Attempt to send to unsubscribed recipient'],
  '+15005550009': [21614, "'To' number is not a valid mobile number"],
};

/** The Message resource as Twilio renders it. */
function toJson(m: SandboxMessage): Record<string, unknown> & { sid: string } {
  const created = new Date(m.createdAt);
  return {
    sid: m.id,
    account_sid: m.account,
    api_version: '2010-04-01',
    body: m.body,
    date_created: rfc2822(created),
    date_updated: rfc2822(new Date(m.updatedAt)),
    date_sent: m.status === 'queued' ? null : rfc2822(created),
    direction: m.direction === 'inbound' ? 'inbound' : 'outbound-api',
    error_code: m.errorCode ?? null,
    error_message: m.errorMessage ?? null,
    from: m.from,
    messaging_service_sid: null,
    num_media: String(m.media.length),
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    status: m.status,
    subresource_uris: {
      media: `${API}/Accounts/${m.account}/Messages/${m.id}/Media.json`,
      feedback: `${API}/Accounts/${m.account}/Messages/${m.id}/Feedback.json`,
    },
    to: m.to,
    uri: `${API}/Accounts/${m.account}/Messages/${m.id}.json`,
  };
}

/** The synchronous checks of a create request, in Twilio's order; an error response or undefined. */
function validate(ctx: TwilioContext, form: URLSearchParams): SandboxResponse | undefined {
  const to = form.get('To') ?? '';
  const from = form.get('From') ?? '';
  const mss = form.get('MessagingServiceSid') ?? '';
  const body = form.get('Body') ?? '';
  const mediaUrls = form.getAll('MediaUrl');
  if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!from && !mss) return twilioError(400, 21603, "A 'From' phone number is required.");
  if (mss) return twilioError(400, 21704, 'The Messaging Service SID is not supported by the sandbox (as with Twilio test credentials); use a From number.');
  if (!body && mediaUrls.length === 0) return twilioError(400, 21602, 'Message body is required.');
  if ([...body].length > 1600) return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  if (mediaUrls.length > 10) return twilioError(400, 21623, 'The number of media files exceeds the maximum of 10.');
  for (const u of mediaUrls) {
    if (!/^https?:\/\/[^\s/]+/i.test(u)) return twilioError(400, 21620, `Invalid media URL(s): ${u}`);
  }
  const magicFrom = MAGIC_FROM[from];
  if (magicFrom) return twilioError(400, magicFrom[0], magicFrom[1]);
  if (!/^\+[1-9]\d{1,14}$/.test(from))
    return twilioError(400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
  // The unregistered 10DLC magic sender is accepted here and blocked after the 201 (delivery.ts).
  if (!ctx.ownNumbers.includes(from) && !isUnregisteredSender(from)) {
    return twilioError(
      400,
      21606,
      `The 'From' phone number provided (${from}) is not a valid message-capable Twilio phone number for this destination/account. Sandbox numbers: ${ctx.ownNumbers.join(', ')}.`,
    );
  }
  const magicTo = MAGIC_TO[to];
  if (magicTo) return twilioError(400, magicTo[0], magicTo[1]);
  if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  // A handset that texted STOP to this number: Twilio refuses the create with 21610 until it texts START
  // (https://www.twilio.com/docs/api/errors/21610).
  if (optOutsFor(ctx.svc.store).isOptedOut('twilio', from, to)) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
  return undefined;
}

function createMessage(ctx: TwilioContext, req: SandboxRequest): SandboxResponse {
  const ct = String(req.headers['content-type'] ?? '');
  if (!ct.startsWith('application/x-www-form-urlencoded')) {
    return twilioError(400, 20001, 'Request must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(req.rawBody.toString('utf8'));
  const r = sendFromForm(ctx, form);
  return 'id' in r ? json(201, toJson(r)) : r;
}

/**
 * Validates a create request given as Twilio's form fields (the API's, or a TwiML <Message>'s) and
 * stores and starts the message: the message, or Twilio's error answer.
 */
export function sendFromForm(ctx: TwilioContext, form: URLSearchParams): SandboxMessage | SandboxResponse {
  return validate(ctx, form) ?? startOutbound(ctx, form);
}

/** Stores a validated message and starts its lifecycle. */
function startOutbound(ctx: TwilioContext, form: URLSearchParams): SandboxMessage {
  const to = form.get('To')!;
  const from = form.get('From')!;
  const mediaUrls = form.getAll('MediaUrl');
  const now = new Date().toISOString();
  const id = `${mediaUrls.length > 0 ? 'MM' : 'SM'}${hex(16)}`;
  const statusCallback = form.get('StatusCallback');
  const msg = ctx.svc.store.add({
    id,
    provider: 'twilio',
    account: ctx.accountSid,
    direction: 'outbound',
    to,
    from,
    body: form.get('Body') ?? '',
    media: mediaUrls.map((url) => ({ url, status: 'pending' })),
    status: 'queued',
    ...(statusCallback ? { statusCallback } : {}),
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'queued', at: now }],
  });
  ctx.svc.log(`twilio ${id} ${from} → ${to}${mediaUrls.length ? ` (${mediaUrls.length} media)` : ''}`);
  void lifecycle(ctx, msg).catch((err) => ctx.svc.log(`twilio ${id}: lifecycle error ${(err as Error).message}`));
  return msg;
}

function listMessages(ctx: TwilioContext, req: SandboxRequest): SandboxResponse {
  const to = req.query.get('To') ?? undefined;
  const from = req.query.get('From') ?? undefined;
  const all = ctx.svc.store
    .list({ provider: 'twilio', ...(to ? { to } : {}) })
    .filter((m) => m.account === ctx.accountSid && (!from || m.from === from))
    .reverse();
  return twilioPage(req, `${ctx.accountPath}/Messages.json`, 'messages', all.map(toJson), ['To', 'From']);
}

/** Routes below the account path. */
export function messageRoutes(ctx: TwilioContext): Route[] {
  // Start following the record now, so STOPs that arrive before the first send count.
  optOutsFor(ctx.svc.store);
  const account = { sid: ctx.accountSid, friendly_name: 'mms sandbox', status: 'active', type: 'Full', auth_token: '[redacted]' };
  return [
    route('GET', `${ctx.accountPath}.json`, () => json(200, { ...account, date_created: rfc2822(new Date()) })),
    route('POST', `${ctx.accountPath}/Messages.json`, (req) => createMessage(ctx, req)),
    route('GET', `${ctx.accountPath}/Messages.json`, (req) => listMessages(ctx, req)),
    route('GET', `${ctx.accountPath}/Messages/:sid((?:SM|MM)[0-9a-f]{32}).json`, (req, p) => {
      const m = ctx.svc.store.get(p.sid!);
      return m && m.account === ctx.accountSid ? json(200, toJson(m)) : notFound(req.path);
    }),
  ];
}
