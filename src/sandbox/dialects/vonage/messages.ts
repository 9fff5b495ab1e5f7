// Vonage Messages API v1 (reference §1.1–1.4): POST /v1/messages with channel "mms" and one of
// the message types. There is no GET-message endpoint (Messages v1 has none): status goes out by
// webhook.
import { randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { ERR, digits, invalidParams, problem, str, unauthorized, type VonageContext } from './context.js';
import { basicOk, jwtApp } from './credentials.js';
import { lifecycle, type Outbound } from './delivery.js';
import { isUnregisteredSender, optOutsFor } from '../../carrier.js';

const MESSAGE_TYPES = ['text', 'image', 'audio', 'video', 'vcard', 'file', 'content'] as const;
const MEDIA_KINDS = new Set(['image', 'audio', 'video', 'vcard', 'file']);
const MAX_TEXT = 2000;
const MAX_CONTENT = 10;
const TEST_TO_INVALID = '15557770090';

const plus = (d: string): string => (/^[1-9]\d{6,14}$/.test(d) ? `+${d}` : d);

function missing(name: string): SandboxResponse {
  return problem(422, `${ERR}#1010`, 'Missing params', `The parameter ${name} is required.`, { invalid_parameters: [{ name, reason: 'Required' }] });
}

/** The body as a JSON object, or the 415/400 to answer. */
function parse(req: SandboxRequest): { payload: Record<string, unknown> } | SandboxResponse {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return problem(
      415,
      'https://developer.vonage.com/api-errors#unsupported-media-type',
      'Unsupported Media Type',
      'The request body must be application/json.',
    );
  }
  try {
    const v: unknown = JSON.parse(req.rawBody.toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return { payload: v as Record<string, unknown> };
  } catch {
    return problem(400, `${ERR}#1020`, 'Invalid params', 'The request body is not valid JSON.');
  }
}

interface Content {
  text: string;
  urls: string[];
  kinds: string[];
  captions: Array<string | undefined>;
}

/** Text and media of a message of `type`, or the refusal. */
function content(p: Record<string, unknown>, type: string): Content | SandboxResponse {
  const c: Content = { text: '', urls: [], kinds: [], captions: [] };
  if (type === 'text') {
    c.text = str(p.text);
    if (!c.text) return missing('text');
  } else if (type === 'content') {
    const items = Array.isArray(p.content) ? (p.content as Array<Record<string, unknown>>) : [];
    if (items.length === 0) return invalidParams('content', 'Must contain at least one item');
    if (items.length > MAX_CONTENT) return invalidParams('content', `Must contain at most ${MAX_CONTENT} items`);
    for (const [i, item] of items.entries()) {
      if (!MEDIA_KINDS.has(str(item?.type))) return invalidParams(`content[${i}].type`, 'Must be image, audio, video, vcard or file');
      if (!/^https?:\/\/\S+$/i.test(str(item.url))) return invalidParams(`content[${i}].url`, 'Must be a URL');
      c.urls.push(str(item.url));
      c.kinds.push(str(item.type));
      c.captions.push(str(item.caption) || undefined);
    }
    c.text = c.captions.find(Boolean) ?? '';
  } else {
    const obj = p[type] as Record<string, unknown> | undefined;
    if (!obj || typeof obj !== 'object') return missing(type);
    if (!/^https?:\/\/\S+$/i.test(str(obj.url))) return invalidParams(`${type}.url`, 'Must be a URL');
    c.urls.push(str(obj.url));
    c.kinds.push(type);
    c.captions.push(str(obj.caption) || undefined);
    c.text = str(obj.caption);
  }
  if ([...c.text].length > MAX_TEXT)
    return problem(422, `${ERR}#1090`, 'Message too long', `The text is ${[...c.text].length} characters; the maximum is ${MAX_TEXT}.`);
  return c;
}

/** The envelope checks (required fields, channel, type, numbers); the refusal or undefined. */
function checkEnvelope(ctx: VonageContext, p: Record<string, unknown>): SandboxResponse | undefined {
  for (const f of ['to', 'from', 'channel', 'message_type']) {
    if (typeof p[f] !== 'string' || p[f] === '') return missing(f);
  }
  if (p.channel !== 'mms') return invalidParams('channel', `The sandbox emulates the mms channel only (got ${str(p.channel)})`);
  const type = str(p.message_type);
  if (!(MESSAGE_TYPES as readonly string[]).includes(type)) return invalidParams('message_type', `Must be one of ${MESSAGE_TYPES.join(', ')}`);
  const to = str(p.to);
  const from = str(p.from);
  // "Don't use a leading + or 00": Vonage numbers are E.164 digits only.
  if (!/^[1-9]\d{6,14}$/.test(to) || to === TEST_TO_INVALID) return invalidParams('to', 'Invalid value: must be an E.164 number without a leading + or 00');
  if (!/^[1-9]\d{3,14}$/.test(from)) return invalidParams('from', 'Invalid value: must be a number without a leading + or 00');
  // The unregistered 10DLC magic sender is accepted here and rejected after the 202 (delivery.ts).
  if (!ctx.links.has(from) && !isUnregisteredSender(from)) {
    return problem(
      422,
      `${ERR}#1120`,
      'Illegal Sender Address',
      `The from number ${from} is not an MMS-capable number of this account. Sandbox numbers: ${ctx.ownNumbers.map(digits).join(', ')}.`,
    );
  }
  return undefined;
}

function createMessage(ctx: VonageContext, req: SandboxRequest): SandboxResponse {
  const viaJwt = jwtApp(ctx, req);
  if (!viaJwt && !basicOk(ctx, req)) return unauthorized();
  const parsed = parse(req);
  if (!('payload' in parsed)) return parsed;
  const p = parsed.payload;
  const refused = checkEnvelope(ctx, p);
  if (refused) return refused;
  const c = content(p, str(p.message_type));
  if (!('urls' in c)) return c;
  const clientRef = str(p.client_ref);
  if (clientRef.length > 100) return invalidParams('client_ref', 'Must be at most 100 characters');
  const to = str(p.to);
  const from = str(p.from);
  const webhookUrl = str(p.webhook_url);
  const now = new Date().toISOString();
  const id = randomUUID();
  const msg = ctx.svc.store.add({
    id,
    provider: 'vonage',
    account: ctx.apiKey,
    direction: 'outbound',
    to: plus(to),
    from: plus(from),
    body: c.text,
    media: c.urls.map((url) => ({ url, status: 'pending' })),
    status: 'accepted',
    ...(webhookUrl ? { statusCallback: webhookUrl } : {}),
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'accepted', at: now }],
  });
  ctx.svc.log(`vonage ${id} ${from} → ${to}${c.urls.length ? ` (${c.urls.length} media)` : ''}`);
  // With Basic auth the sending number's application receives the status webhooks.
  const appId = viaJwt?.id ?? ctx.links.get(from);
  const o: Outbound = {
    msg,
    kinds: c.kinds,
    captions: c.captions,
    ...(webhookUrl ? { webhookUrl } : {}),
    ...(appId ? { appId } : {}),
    ...(clientRef ? { clientRef } : {}),
  };
  void lifecycle(ctx, o).catch((err) => ctx.svc.log(`vonage ${id}: lifecycle error ${(err as Error).message}`));
  return json(202, { message_uuid: id });
}

/** The Messages API route. */
export function messageRoutes(ctx: VonageContext): Route[] {
  // Start following the record now, so STOPs that arrive before the first send count.
  optOutsFor(ctx.svc.store);
  return [
    route('POST', '/v1/messages', (req) => createMessage(ctx, req)),
    route('*', '/v1/messages', () =>
      problem(
        405,
        'https://developer.nexmo.com/api-errors#method-not-allowed',
        'Method Not Allowed',
        'Messages v1 has no GET endpoint; status arrives by webhook',
      ),
    ),
  ];
}
