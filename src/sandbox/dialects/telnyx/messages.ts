// Telnyx Messages (reference §2.1–2.5): POST /v2/messages and GET /v2/messages/{id}, with the
// sandbox's test numbers for synchronous refusals.
import { randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { E164, OWN_NUMBERS, err, methodNotAllowed, numberByPhone, parseBody, type NumberSettings, type TelnyxContext } from './context.js';
import { lifecycle } from './delivery.js';
import { messageJson } from './render.js';
import { isUnregisteredSender, optOutsFor } from '../../carrier.js';

/** Synchronous refusals: [HTTP status, Telnyx code, title, detail]. */
const TEST_TO_SYNC: Record<string, [number, string, string, string]> = {
  '+15557770100': [400, '40310', "Invalid 'to' address", 'The destination number is invalid (sandbox test number).'],
  '+15557770101': [400, '40300', 'Blocked due to STOP message', 'The recipient replied STOP to this sender (sandbox test number).'],
};
const MAX_MEDIA = 10;
// No documented MMS text limit (reference §2.1); 1600 matches the adapter [sandbox choice].
const MAX_TEXT = 1600;

/** The single destination, or the refusal. */
function destination(body: Record<string, unknown>): string | SandboxResponse {
  let to = body.to;
  // 40310: "an array of length one or a single string" (reference §2.1).
  if (Array.isArray(to)) {
    if (to.length !== 1)
      return err(400, '40310', "Invalid 'to' address", 'Messages can be sent to one destination only; use /v2/messages/group_mms for group MMS.', '/to');
    to = to[0];
  }
  if (typeof to !== 'string' || to === '') return err(400, '10015', 'Bad Request', "The 'to' parameter is required.", '/to');
  const sync = TEST_TO_SYNC[to];
  if (sync) return err(sync[0], sync[1], sync[2], sync[3], '/to');
  if (!E164.test(to)) return err(400, '40310', "Invalid 'to' address", `${to} is not a valid +E.164 phone number.`, '/to');
  return to;
}

/** The sending number (from `from`, or the first number of `messaging_profile_id`), or the refusal. */
function sender(ctx: TelnyxContext, body: Record<string, unknown>): NumberSettings | SandboxResponse {
  const from = typeof body.from === 'string' ? body.from : '';
  const profileIdIn = typeof body.messaging_profile_id === 'string' ? body.messaging_profile_id : '';
  if (from) {
    if (!E164.test(from))
      return err(400, '40305', "Invalid 'from' address", `${from} is not a +E.164 number; the sandbox has no short codes or alphanumeric senders.`, '/from');
    // The unregistered 10DLC magic sender stands in for a number on the first sandbox number's profile;
    // delivery.ts blocks it after the 200.
    const found = isUnregisteredSender(from) ? unregisteredSender(ctx, from) : numberByPhone(ctx, from);
    // The real error for a number you do not own is unconfirmed (reference §5.9); 40305 it is.
    if (!found)
      return err(400, '40305', "Invalid 'from' address", `${from} is not a phone number on this account. Sandbox numbers: ${OWN_NUMBERS.join(', ')}.`, '/from');
    if (!found.messaging_profile_id) return err(400, '40305', "Invalid 'from' address", `${from} is not assigned to a messaging profile.`, '/from');
    return found;
  }
  if (profileIdIn) {
    if (!ctx.profiles.has(profileIdIn)) return err(400, '10015', 'Bad Request', `Messaging profile ${profileIdIn} does not exist.`, '/messaging_profile_id');
    const found = [...ctx.numbers.values()].find((n) => n.messaging_profile_id === profileIdIn);
    if (!found) return err(400, '10015', 'Bad Request', `Messaging profile ${profileIdIn} has no phone numbers in its number pool.`, '/messaging_profile_id');
    return found;
  }
  return err(400, '10015', 'Bad Request', "The 'from' parameter is required unless messaging_profile_id is given.", '/from');
}

/** The magic unregistered sender, as if it were a number on the default number's messaging profile. */
function unregisteredSender(ctx: TelnyxContext, from: string): NumberSettings | undefined {
  const base = numberByPhone(ctx, OWN_NUMBERS[0]!);
  return base ? { ...base, phone_number: from } : undefined;
}

/**
 * Telnyx's block rule: a handset that texted STOP to any number of a messaging profile is blocked
 * from all numbers of that profile, answered at create time with 40300
 * (https://developers.telnyx.com/docs/messaging/messages/advanced-opt-in-out).
 */
function blocked(ctx: TelnyxContext, from: NumberSettings, to: string): SandboxResponse | undefined {
  const book = optOutsFor(ctx.svc.store);
  const profileNumbers = [...ctx.numbers.values()].filter((n) => n.messaging_profile_id && n.messaging_profile_id === from.messaging_profile_id);
  const senders = [from.phone_number, ...profileNumbers.map((n) => n.phone_number)];
  if (!senders.some((s) => book.isOptedOut('telnyx', s, to))) return undefined;
  return err(400, '40300', 'Blocked due to STOP message', `Messages cannot be sent from '${from.phone_number}' to '${to}' due to an existing block rule.`);
}

interface Content {
  text: string;
  mediaUrls: string[];
  type: 'SMS' | 'MMS';
  webhookUrl: string | null;
  failover: string | null;
}

/** Text, media, type and webhook URLs, or the refusal. */
function content(body: Record<string, unknown>): Content | SandboxResponse {
  const text = body.text === undefined || body.text === null ? '' : body.text;
  if (typeof text !== 'string') return err(400, '10015', 'Bad Request', "'text' must be a string.", '/text');
  const mediaIn = body.media_urls ?? [];
  if (!Array.isArray(mediaIn) || mediaIn.some((u) => typeof u !== 'string'))
    return err(400, '10015', 'Bad Request', "'media_urls' must be an array of URL strings.", '/media_urls');
  const mediaUrls = mediaIn as string[];
  if (!text && mediaUrls.length === 0) return err(400, '10015', 'Bad Request', "Either 'text' or 'media_urls' must be provided.", '/text');
  if ([...text].length > MAX_TEXT) return err(400, '10015', 'Bad Request', `'text' is longer than ${MAX_TEXT} characters.`, '/text');
  if (mediaUrls.length > MAX_MEDIA) return err(400, '10015', 'Bad Request', `At most ${MAX_MEDIA} media URLs are allowed per message.`, '/media_urls');
  for (const [i, u] of mediaUrls.entries()) {
    if (u.length > 2000 || !/^https?:\/\/[^\s/]+/i.test(u))
      return err(400, '10003', 'Invalid URL', `media_urls[${i}] is not a valid http(s) URL of at most 2000 characters.`, `/media_urls/${i}`);
  }
  const typeIn = body.type;
  if (typeIn !== undefined && typeIn !== 'SMS' && typeIn !== 'MMS') return err(400, '10015', 'Bad Request', "'type' must be SMS or MMS.", '/type');
  const webhookUrl = typeof body.webhook_url === 'string' && body.webhook_url ? body.webhook_url : null;
  const failover = typeof body.webhook_failover_url === 'string' && body.webhook_failover_url ? body.webhook_failover_url : null;
  for (const [field, u] of [
    ['webhook_url', webhookUrl],
    ['webhook_failover_url', failover],
  ] as const) {
    if (u !== null && !/^https?:\/\/[^\s/]+/i.test(u)) return err(400, '10003', 'Invalid URL', `${field} is not a valid http(s) URL.`, `/${field}`);
  }
  return { text, mediaUrls, type: mediaUrls.length > 0 || typeIn === 'MMS' ? 'MMS' : 'SMS', webhookUrl, failover };
}

function createMessage(ctx: TelnyxContext, req: SandboxRequest): SandboxResponse {
  const b = parseBody(req);
  if (!b.ok) return b.res;
  const to = destination(b.body);
  if (typeof to !== 'string') return to;
  const from = sender(ctx, b.body);
  if (!('phone_number' in from)) return from;
  const block = blocked(ctx, from, to);
  if (block) return block;
  const c = content(b.body);
  if (!('text' in c)) return c;
  const now = new Date().toISOString();
  const id = randomUUID();
  ctx.extras.set(id, {
    type: c.type,
    profileId: from.messaging_profile_id,
    webhookUrl: c.webhookUrl,
    webhookFailoverUrl: c.failover,
    useProfileWebhooks: b.body.use_profile_webhooks !== false,
    errors: [],
  });
  const msg = ctx.svc.store.add({
    id,
    provider: 'telnyx',
    account: ctx.organizationId,
    direction: 'outbound',
    to,
    from: from.phone_number,
    body: c.text,
    media: c.mediaUrls.map((url) => ({ url, status: 'pending' })),
    status: 'queued',
    ...(c.webhookUrl ? { statusCallback: c.webhookUrl } : {}),
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'queued', at: now }],
  });
  ctx.svc.log(`telnyx ${id} ${from.phone_number} → ${to}${c.mediaUrls.length ? ` (${c.mediaUrls.length} media)` : ''}`);
  void lifecycle(ctx, msg).catch((e: unknown) => ctx.svc.log(`telnyx ${id}: lifecycle error ${(e as Error).message}`));
  return json(200, { data: messageJson(ctx, msg) });
}

/** Routes below /v2 (paths without a trailing slash). */
export function messageRoutes(ctx: TelnyxContext): Route[] {
  // Start following the record now, so STOPs that arrive before the first send count.
  optOutsFor(ctx.svc.store);
  return [
    route('POST', '/v2/messages', (req) => createMessage(ctx, req)),
    route('*', '/v2/messages', () => methodNotAllowed()),
    // Matched in any case, as before the router (the handler checks the /v2/ prefix exactly).
    route(
      'GET',
      '/v2/messages/:id([0-9a-f-]{36})',
      (_req, p) => {
        const m = ctx.svc.store.get(p.id!);
        return m && m.provider === 'telnyx' ? json(200, { data: messageJson(ctx, m) }) : err(404, '10005', 'Resource not found', `Message ${p.id} not found.`);
      },
      { ignoreCase: true },
    ),
  ];
}
