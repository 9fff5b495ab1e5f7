// Telnyx's Messaging API v2 wire format, emulated (reference §2): Bearer API key, JSON requests
// and `{data: …}` / `{errors: [{code (a string), title, detail, source}]}` responses, per-recipient
// statuses in `to[].status`, media fetched after the 200 as Telnyx does, and webhooks signed with
// the account's Ed25519 key over `telnyx-timestamp|body` (reference §2.7).
// Endpoints (under /telnyx):
//   GET    /v2/balance                          credentials check (what verifyCredentials calls)
//   POST   /v2/messages                         send; GET /v2/messages/{id} status
//   GET    /v2/messaging_profiles               list; POST create; GET/PATCH/DELETE /{id}
//   GET    /v2/phone_numbers/messaging          ?filter[phone_number]=…&filter[messaging_profile_id]=…
//   GET    /v2/phone_numbers/{id}/messaging     one number's messaging settings; PATCH moves it to a profile
// Test numbers (Telnyx has no magic numbers, reference §2.9; these are the sandbox's own):
//   To +15557770100  400 40310 Invalid 'to' address (synchronous)
//   To +15557770101  400 40300 blocked: the recipient replied STOP (synchronous)
//   To +15557770102  accepted, then sending_failed 40001 Not routable (landline)
//   To +15557770103  accepted, then delivery_failed 40008 Undeliverable
//   To +15557770104  accepted, then delivery_unconfirmed (finalized, no carrier receipt)
//   Own numbers +15557770011 (default from) and +15557770012, both on the default messaging
//   profile; a message to one of them comes back as a signed message.received webhook.
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from '../types.js';
import { json } from '../types.js';
import type { SandboxMessage } from '../store.js';
import { safeEqual } from '../../providers/shared.js';

const OWN_NUMBERS = ['+15557770011', '+15557770012'];
/** Synchronous refusals: [HTTP status, Telnyx code, title, detail]. */
const TEST_TO_SYNC: Record<string, [number, string, string, string]> = {
  '+15557770100': [400, '40310', "Invalid 'to' address", 'The destination number is invalid (sandbox test number).'],
  '+15557770101': [400, '40300', 'Blocked due to STOP message', 'The recipient replied STOP to this sender (sandbox test number).'],
};
/** Accepted, then a final failure: [final to[].status, Telnyx delivery code, title]. */
const TEST_TO_FINAL: Record<string, [string, string | undefined, string | undefined]> = {
  '+15557770102': ['sending_failed', '40001', 'Not routable'],
  '+15557770103': ['delivery_failed', '40008', 'Undeliverable'],
  '+15557770104': ['delivery_unconfirmed', undefined, undefined],
};
// The docs' broad list (reference §2.2; the support FAQ is narrower and is what the adapter
// validates against). application/octet-stream is sniffed by Telnyx; we accept it as is.
const ACCEPTED_TYPES = /^(image\/(jpeg|jpg|png|gif|bmp|tiff|webp)|video\/(mp4|3gpp|quicktime)|audio\/(mpeg|mp3|wav|x-wav|amr|ogg)|application\/(pdf|octet-stream)|text\/(plain|vcard|x-vcard|calendar))$/;
// The spec: "The total media size must be less than 1 MB"; decimal, like the adapter.
const MAX_TOTAL = 1_000_000;
const MAX_MEDIA = 10;
// No documented MMS text limit (reference §2.1); 1600 matches the adapter [sandbox choice].
const MAX_TEXT = 1600;
const E164 = /^\+[1-9]\d{6,14}$/;
const ED25519_SPKI_PREFIX_LEN = 12;

interface TelnyxError {
  code: string;
  title: string;
  detail?: string;
  source?: { pointer: string };
}

interface Profile {
  id: string;
  name: string;
  enabled: boolean;
  webhook_url: string | null;
  webhook_failover_url: string | null;
  webhook_api_version: string;
  whitelisted_destinations: string[];
  mms_transcoding: boolean;
  mms_fall_back_to_sms: boolean;
  created_at: string;
  updated_at: string;
}

interface NumberSettings {
  id: string;
  phone_number: string;
  messaging_profile_id: string | null;
  created_at: string;
  updated_at: string;
}

/** Per-message data the store does not keep. */
interface Extra {
  type: 'SMS' | 'MMS';
  profileId: string | null;
  webhookUrl: string | null;
  webhookFailoverUrl: string | null;
  useProfileWebhooks: boolean;
  errors: TelnyxError[];
  sentAt?: string;
  completedAt?: string;
}

function errorsBody(status: number, errors: TelnyxError[], headers: Record<string, string> = {}): SandboxResponse {
  return json(status, { errors: errors.map((e) => ({ ...e, meta: { url: `https://developers.telnyx.com/api/errors/${e.code}` } })) }, headers);
}

function err(status: number, code: string, title: string, detail?: string, pointer?: string): SandboxResponse {
  return errorsBody(status, [{ code, title, ...(detail ? { detail } : {}), ...(pointer ? { source: { pointer } } : {}) }]);
}

/** Base64 of the 32 raw bytes of an Ed25519 public key, as Mission Control shows it. */
function rawPublicKey(key: KeyObject): string {
  return (key.export({ format: 'der', type: 'spki' }) as Buffer).subarray(ED25519_SPKI_PREFIX_LEN).toString('base64');
}

/** Telnyx's webhook headers for a body: Ed25519 over `timestamp|body` (reference §2.7). */
export function signTelnyxWebhook(privateKey: KeyObject, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const signature = sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64');
  return { 'content-type': 'application/json', 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': timestamp, 'user-agent': 'telnyx-webhooks' };
}

/** Creates the Telnyx dialect with a fresh API key and Ed25519 key pair. */
export function createTelnyxDialect(svc: SandboxServices): SandboxDialect {
  const apiKey = `KEY${randomBytes(16).toString('hex').toUpperCase()}_${randomBytes(16).toString('base64url')}`;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyB64 = rawPublicKey(publicKey);
  const organizationId = randomUUID();
  const extras = new Map<string, Extra>();
  const profiles = new Map<string, Profile>();
  const numbers = new Map<string, NumberSettings>();
  const started = new Date().toISOString();
  const defaultProfile: Profile = {
    id: randomUUID(),
    name: 'mms sandbox default',
    enabled: true,
    webhook_url: null,
    webhook_failover_url: null,
    webhook_api_version: '2',
    whitelisted_destinations: ['US', 'CA'],
    mms_transcoding: false,
    mms_fall_back_to_sms: false,
    created_at: started,
    updated_at: started,
  };
  profiles.set(defaultProfile.id, defaultProfile);
  for (const [i, n] of OWN_NUMBERS.entries()) {
    // Telnyx phone number ids are long decimal strings.
    const id = `${1_293_384_261_075_731_000n + BigInt(i)}${randomBytes(1)[0]! % 10}`;
    numbers.set(id, { id, phone_number: n, messaging_profile_id: defaultProfile.id, created_at: started, updated_at: started });
  }
  const numberByPhone = (p: string) => [...numbers.values()].find((n) => n.phone_number === p);

  function profileJson(p: Profile): Record<string, unknown> {
    return { record_type: 'messaging_profile', ...p, organization_id: organizationId, v1_secret: null, number_pool_settings: null, url_shortener_settings: null, alpha_sender: null, daily_spend_limit_enabled: false, daily_spend_limit: '0.00' };
  }

  function numberJson(n: NumberSettings): Record<string, unknown> {
    return {
      record_type: 'messaging_settings',
      ...n,
      country_code: 'US',
      type: 'long-code',
      traffic_type: 'P2P',
      messaging_product: 'P2P',
      features: { sms: { domestic_two_way: true, international_inbound: true, international_outbound: true }, mms: { domestic_two_way: true, international_inbound: false, international_outbound: false } },
      eligible_messaging_products: ['A2P', 'P2P'],
      health: null,
    };
  }

  function messageJson(m: SandboxMessage): Record<string, unknown> {
    const x = extras.get(m.id);
    const inbound = m.direction === 'inbound';
    const created = new Date(m.createdAt);
    return {
      record_type: 'message',
      id: m.id,
      direction: m.direction,
      type: x?.type ?? (m.media.length ? 'MMS' : 'SMS'),
      messaging_profile_id: x?.profileId ?? null,
      organization_id: organizationId,
      from: { phone_number: m.from, carrier: 'Telnyx', line_type: 'Wireless' },
      to: [{ phone_number: m.to, status: m.status, carrier: 'Telnyx', line_type: 'Wireless' }],
      cc: [],
      text: m.body,
      subject: null,
      media: m.media.map((md) => ({
        url: md.url,
        content_type: md.contentType ?? null,
        // Outbound media objects say `sha256`, inbound ones `hash_sha256` (reference §2.5).
        [inbound ? 'hash_sha256' : 'sha256']: md.sha256 ?? null,
        size: md.size ?? null,
      })),
      webhook_url: x?.webhookUrl ?? null,
      webhook_failover_url: x?.webhookFailoverUrl ?? null,
      encoding: 'GSM-7',
      parts: 1,
      tags: [],
      cost: null,
      cost_breakdown: null,
      received_at: m.createdAt,
      sent_at: x?.sentAt ?? null,
      completed_at: x?.completedAt ?? null,
      valid_until: inbound ? null : new Date(created.getTime() + 4 * 3600_000).toISOString(),
      wait_seconds: 0,
      errors: x?.errors ?? [],
      tcr_campaign_id: null,
      tcr_campaign_billable: false,
      tcr_campaign_registered: null,
      smart_encoding_applied: false,
    };
  }

  function authorised(req: SandboxRequest): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return m !== null && safeEqual(m[1]!, apiKey);
  }

  /** POSTs one signed event envelope. */
  async function deliver(url: string, eventType: string, m: SandboxMessage, kind: 'inbound' | 'status'): Promise<void> {
    const body = JSON.stringify({
      data: { event_type: eventType, id: randomUUID(), occurred_at: new Date().toISOString(), record_type: 'event', payload: messageJson(m) },
      meta: { attempt: 1, delivered_to: url },
    });
    await svc.deliverWebhook({ url, headers: signTelnyxWebhook(privateKey, body), body }, kind, m.id);
  }

  /** Message webhook_url first; the profile's when use_profile_webhooks (default true). */
  function statusTarget(m: SandboxMessage): string | undefined {
    const x = extras.get(m.id);
    if (x?.webhookUrl) return x.webhookUrl;
    if (x?.useProfileWebhooks === false || !x?.profileId) return undefined;
    return profiles.get(x.profileId)?.webhook_url ?? undefined;
  }

  async function setStatus(m: SandboxMessage, status: string, event?: 'message.sent' | 'message.finalized', error?: TelnyxError): Promise<void> {
    const x = extras.get(m.id);
    const now = new Date().toISOString();
    if (x && status === 'sent') x.sentAt = now;
    if (x && event === 'message.finalized') x.completedAt = now;
    if (x && error) x.errors = [error];
    svc.store.setStatus(m.id, status, error ? { errorCode: error.code, errorMessage: error.title } : {});
    const target = event ? statusTarget(m) : undefined;
    if (event && target) await deliver(target, event, m, 'status');
  }

  /** A message to one of our numbers arrives as inbound on the number's profile webhook. */
  async function receive(out: SandboxMessage): Promise<void> {
    const num = numberByPhone(out.to);
    const profile = num?.messaging_profile_id ? profiles.get(num.messaging_profile_id) : undefined;
    const now = new Date().toISOString();
    const inbound = svc.store.add({
      id: randomUUID(),
      provider: 'telnyx',
      account: organizationId,
      direction: 'inbound',
      to: out.to,
      from: out.from,
      body: out.body,
      // Real Telnyx re-hosts inbound media on short-lived URLs; the sandbox passes the fetched
      // originals along (they are loopback URLs it has just read).
      media: out.media.map((md) => ({ ...md })),
      status: 'webhook_delivered',
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'webhook_delivered', at: now }],
    });
    extras.set(inbound.id, { type: out.media.length ? 'MMS' : 'SMS', profileId: profile?.id ?? null, webhookUrl: null, webhookFailoverUrl: null, useProfileWebhooks: true, errors: [] });
    if (!profile?.webhook_url) {
      svc.log(`telnyx inbound ${inbound.id} → ${out.to}: the number's messaging profile has no webhook_url; not delivered`);
      return;
    }
    await deliver(profile.webhook_url, 'message.received', inbound, 'inbound');
  }

  async function lifecycle(m: SandboxMessage): Promise<void> {
    const wait = () => svc.step();
    let budget = MAX_TOTAL;
    for (const media of m.media) {
      const r = await svc.fetcher.fetch(media.url, { maxBytes: budget });
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
        await wait();
        await setStatus(m, 'sending_failed', 'message.finalized', { code: '40009', title: 'Invalid message body', detail: problem });
        svc.log(`telnyx ${m.id} → ${m.to}: media failed (${problem})`);
        return;
      }
      media.status = 'fetched';
      budget -= media.size ?? 0;
    }
    const final = TEST_TO_FINAL[m.to];
    await wait();
    await setStatus(m, 'sending');
    if (final?.[0] === 'sending_failed') {
      await wait();
      await setStatus(m, 'sending_failed', 'message.finalized', { code: final[1]!, title: final[2]! });
      return;
    }
    await wait();
    await setStatus(m, 'sent', 'message.sent');
    await wait();
    if (final) {
      await setStatus(m, final[0], 'message.finalized', final[1] ? { code: final[1], title: final[2]! } : undefined);
      return;
    }
    await setStatus(m, 'delivered', 'message.finalized');
    if (OWN_NUMBERS.includes(m.to)) await receive(m);
  }

  function parseBody(req: SandboxRequest): { ok: true; body: Record<string, unknown> } | { ok: false; res: SandboxResponse } {
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.toLowerCase().startsWith('application/json')) return { ok: false, res: err(400, '10015', 'Bad Request', 'The request body must be JSON (Content-Type: application/json).') };
    try {
      const v = JSON.parse(req.rawBody.toString('utf8')) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return { ok: true, body: v as Record<string, unknown> };
    } catch {
      // fall through
    }
    return { ok: false, res: err(400, '10015', 'Bad Request', 'The request body is not a JSON object.') };
  }

  async function createMessage(req: SandboxRequest): Promise<SandboxResponse> {
    const b = parseBody(req);
    if (!b.ok) return b.res;
    const body = b.body;
    let to = body.to;
    // 40310: "an array of length one or a single string" (reference §2.1).
    if (Array.isArray(to)) {
      if (to.length !== 1) return err(400, '40310', "Invalid 'to' address", 'Messages can be sent to one destination only; use /v2/messages/group_mms for group MMS.', '/to');
      to = to[0];
    }
    if (typeof to !== 'string' || to === '') return err(400, '10015', 'Bad Request', "The 'to' parameter is required.", '/to');
    const sync = TEST_TO_SYNC[to];
    if (sync) return err(sync[0], sync[1], sync[2], sync[3], '/to');
    if (!E164.test(to)) return err(400, '40310', "Invalid 'to' address", `${to} is not a valid +E.164 phone number.`, '/to');
    const from = typeof body.from === 'string' ? body.from : '';
    const profileIdIn = typeof body.messaging_profile_id === 'string' ? body.messaging_profile_id : '';
    let sender: NumberSettings | undefined;
    if (from) {
      if (!E164.test(from)) return err(400, '40305', "Invalid 'from' address", `${from} is not a +E.164 number; the sandbox has no short codes or alphanumeric senders.`, '/from');
      sender = numberByPhone(from);
      // The real error for a number you do not own is unconfirmed (reference §5.9); 40305 it is.
      if (!sender) return err(400, '40305', "Invalid 'from' address", `${from} is not a phone number on this account. Sandbox numbers: ${OWN_NUMBERS.join(', ')}.`, '/from');
      if (!sender.messaging_profile_id) return err(400, '40305', "Invalid 'from' address", `${from} is not assigned to a messaging profile.`, '/from');
    } else if (profileIdIn) {
      if (!profiles.has(profileIdIn)) return err(400, '10015', 'Bad Request', `Messaging profile ${profileIdIn} does not exist.`, '/messaging_profile_id');
      sender = [...numbers.values()].find((n) => n.messaging_profile_id === profileIdIn);
      if (!sender) return err(400, '10015', 'Bad Request', `Messaging profile ${profileIdIn} has no phone numbers in its number pool.`, '/messaging_profile_id');
    } else {
      return err(400, '10015', 'Bad Request', "The 'from' parameter is required unless messaging_profile_id is given.", '/from');
    }
    const text = body.text === undefined || body.text === null ? '' : body.text;
    if (typeof text !== 'string') return err(400, '10015', 'Bad Request', "'text' must be a string.", '/text');
    const mediaIn = body.media_urls ?? [];
    if (!Array.isArray(mediaIn) || mediaIn.some((u) => typeof u !== 'string')) return err(400, '10015', 'Bad Request', "'media_urls' must be an array of URL strings.", '/media_urls');
    const mediaUrls = mediaIn as string[];
    if (!text && mediaUrls.length === 0) return err(400, '10015', 'Bad Request', "Either 'text' or 'media_urls' must be provided.", '/text');
    if ([...text].length > MAX_TEXT) return err(400, '10015', 'Bad Request', `'text' is longer than ${MAX_TEXT} characters.`, '/text');
    if (mediaUrls.length > MAX_MEDIA) return err(400, '10015', 'Bad Request', `At most ${MAX_MEDIA} media URLs are allowed per message.`, '/media_urls');
    for (const [i, u] of mediaUrls.entries()) {
      if (u.length > 2000 || !/^https?:\/\/[^\s/]+/i.test(u)) return err(400, '10003', 'Invalid URL', `media_urls[${i}] is not a valid http(s) URL of at most 2000 characters.`, `/media_urls/${i}`);
    }
    const typeIn = body.type;
    if (typeIn !== undefined && typeIn !== 'SMS' && typeIn !== 'MMS') return err(400, '10015', 'Bad Request', "'type' must be SMS or MMS.", '/type');
    const webhookUrl = typeof body.webhook_url === 'string' && body.webhook_url ? body.webhook_url : null;
    const failover = typeof body.webhook_failover_url === 'string' && body.webhook_failover_url ? body.webhook_failover_url : null;
    for (const [field, u] of [['webhook_url', webhookUrl], ['webhook_failover_url', failover]] as const) {
      if (u !== null && !/^https?:\/\/[^\s/]+/i.test(u)) return err(400, '10003', 'Invalid URL', `${field} is not a valid http(s) URL.`, `/${field}`);
    }
    const now = new Date().toISOString();
    const id = randomUUID();
    extras.set(id, {
      type: mediaUrls.length > 0 || typeIn === 'MMS' ? 'MMS' : 'SMS',
      profileId: sender.messaging_profile_id,
      webhookUrl,
      webhookFailoverUrl: failover,
      useProfileWebhooks: body.use_profile_webhooks !== false,
      errors: [],
    });
    const msg = svc.store.add({
      id,
      provider: 'telnyx',
      account: organizationId,
      direction: 'outbound',
      to,
      from: sender.phone_number,
      body: text,
      media: mediaUrls.map((url) => ({ url, status: 'pending' })),
      status: 'queued',
      ...(webhookUrl ? { statusCallback: webhookUrl } : {}),
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'queued', at: now }],
    });
    svc.log(`telnyx ${id} ${sender.phone_number} → ${to}${mediaUrls.length ? ` (${mediaUrls.length} media)` : ''}`);
    void lifecycle(msg).catch((e: unknown) => svc.log(`telnyx ${id}: lifecycle error ${(e as Error).message}`));
    return json(200, { data: messageJson(msg) });
  }

  function profileFields(body: Record<string, unknown>, p: Partial<Profile>): SandboxResponse | undefined {
    for (const f of ['webhook_url', 'webhook_failover_url'] as const) {
      if (!(f in body)) continue;
      const v = body[f];
      if (v === null || v === '') p[f] = null;
      else if (typeof v === 'string' && /^https?:\/\/[^\s/]+/i.test(v)) p[f] = v;
      else return err(422, '10015', 'Bad Request', `${f} must be an http(s) URL or null.`, `/${f}`);
    }
    if ('webhook_api_version' in body) {
      if (!['1', '2', '2010-04-01'].includes(String(body.webhook_api_version))) return err(422, '10015', 'Bad Request', "webhook_api_version must be '1', '2' or '2010-04-01'.", '/webhook_api_version');
      p.webhook_api_version = String(body.webhook_api_version);
    }
    if ('name' in body) {
      if (typeof body.name !== 'string' || !body.name) return err(422, '10015', 'Bad Request', 'name must be a non-empty string.', '/name');
      p.name = body.name;
    }
    if ('enabled' in body) p.enabled = body.enabled !== false;
    if ('whitelisted_destinations' in body) {
      const w = body.whitelisted_destinations;
      if (!Array.isArray(w) || w.some((c) => typeof c !== 'string')) return err(422, '10015', 'Bad Request', 'whitelisted_destinations must be an array of ISO country codes.', '/whitelisted_destinations');
      p.whitelisted_destinations = w as string[];
    }
    if ('mms_transcoding' in body) p.mms_transcoding = body.mms_transcoding === true;
    if ('mms_fall_back_to_sms' in body) p.mms_fall_back_to_sms = body.mms_fall_back_to_sms === true;
    return undefined;
  }

  function page<T>(items: T[], req: SandboxRequest): Record<string, unknown> {
    const size = Math.min(Math.max(Number(req.query.get('page[size]') ?? 20) || 20, 1), 250);
    const number = Math.max(Number(req.query.get('page[number]') ?? 1) || 1, 1);
    return { data: items.slice((number - 1) * size, number * size), meta: { page_number: number, page_size: size, total_pages: Math.max(1, Math.ceil(items.length / size)), total_results: items.length } };
  }

  async function profilesRoute(req: SandboxRequest, id: string | undefined): Promise<SandboxResponse> {
    if (id === undefined) {
      if (req.method === 'GET') return json(200, page([...profiles.values()].map(profileJson), req));
      if (req.method !== 'POST') return err(405, '10015', 'Method not allowed');
      const b = parseBody(req);
      if (!b.ok) return b.res;
      const body = b.body;
      if (typeof body.name !== 'string' || !body.name) return err(422, '10015', 'Bad Request', 'name is required.', '/name');
      // The SDK marks whitelisted_destinations as required on create (reference §2.8).
      if (!Array.isArray(body.whitelisted_destinations)) return err(422, '10015', 'Bad Request', 'whitelisted_destinations is required.', '/whitelisted_destinations');
      const now = new Date().toISOString();
      const p: Profile = { id: randomUUID(), name: body.name, enabled: true, webhook_url: null, webhook_failover_url: null, webhook_api_version: '2', whitelisted_destinations: [], mms_transcoding: false, mms_fall_back_to_sms: false, created_at: now, updated_at: now };
      const bad = profileFields(body, p);
      if (bad) return bad;
      profiles.set(p.id, p);
      svc.log(`telnyx messaging profile ${p.id} created (webhook_url ${p.webhook_url ?? 'none'})`);
      return json(200, { data: profileJson(p) });
    }
    const p = profiles.get(id);
    if (!p) return err(404, '10005', 'Resource not found', `Messaging profile ${id} not found.`);
    if (req.method === 'GET') return json(200, { data: profileJson(p) });
    if (req.method === 'PATCH') {
      const b = parseBody(req);
      if (!b.ok) return b.res;
      const next: Partial<Profile> = {};
      const bad = profileFields(b.body, next);
      if (bad) return bad;
      Object.assign(p, next, { updated_at: new Date().toISOString() });
      return json(200, { data: profileJson(p) });
    }
    if (req.method === 'DELETE') {
      // Whether Telnyx refuses to delete a profile that still has numbers is unconfirmed; the
      // sandbox refuses, so a restore that deletes before moving the number back shows up here.
      const inUse = [...numbers.values()].filter((n) => n.messaging_profile_id === id);
      if (inUse.length > 0) return err(422, '10015', 'Bad Request', `Messaging profile ${id} still has ${inUse.length} phone number(s) assigned: ${inUse.map((n) => n.phone_number).join(', ')}.`);
      profiles.delete(id);
      return json(200, { data: profileJson(p) });
    }
    return err(405, '10015', 'Method not allowed');
  }

  async function numbersRoute(req: SandboxRequest, id: string | undefined): Promise<SandboxResponse> {
    if (id === undefined) {
      if (req.method !== 'GET') return err(405, '10015', 'Method not allowed');
      const phone = req.query.get('filter[phone_number]');
      const prof = req.query.get('filter[messaging_profile_id]');
      const list = [...numbers.values()].filter((n) => (!phone || n.phone_number === phone) && (!prof || n.messaging_profile_id === prof));
      return json(200, page(list.map(numberJson), req));
    }
    const n = numbers.get(id);
    if (!n) return err(404, '10005', 'Resource not found', `Phone number ${id} not found.`);
    if (req.method === 'GET') return json(200, { data: numberJson(n) });
    if (req.method === 'PATCH') {
      const b = parseBody(req);
      if (!b.ok) return b.res;
      const body = b.body;
      if ('messaging_profile_id' in body) {
        const v = body.messaging_profile_id;
        // "" (or null) unassigns the number (reference §2.8).
        if (v === '' || v === null) n.messaging_profile_id = null;
        else if (typeof v === 'string' && profiles.has(v)) n.messaging_profile_id = v;
        else return err(422, '10015', 'Bad Request', `Messaging profile ${String(v)} does not exist.`, '/messaging_profile_id');
      }
      n.updated_at = new Date().toISOString();
      return json(200, { data: numberJson(n) });
    }
    return err(405, '10015', 'Method not allowed');
  }

  return {
    provider: 'telnyx',
    describe: () => ({ credentials: { apiKey, publicKey: publicKeyB64 }, numbers: [...OWN_NUMBERS], defaultFrom: OWN_NUMBERS[0]! }),
    isMessageCreate: (req) => req.method === 'POST' && req.path.replace(/\/+$/, '') === '/v2/messages',
    rateLimited: (retryAfter) =>
      errorsBody(429, [{ code: '10011', title: 'Too many requests', detail: 'You have exceeded the rate limit for this endpoint. Try again later.' }], {
        'x-ratelimit-limit': '15',
        'x-ratelimit-remaining': '0',
        // Seconds until the window resets (reference §2.3); Telnyx documents no Retry-After.
        'x-ratelimit-reset': String(retryAfter),
      }),
    serverError: () => err(500, '10007', 'Unexpected error', 'An unexpected error occurred.'),
    async handle(req) {
      const path = req.path.replace(/\/+$/, '') || '/';
      if (!path.startsWith('/v2/')) return err(404, '10005', 'Resource not found', `The requested resource ${req.path} was not found.`);
      if (!authorised(req)) return err(401, '10009', 'Authentication failed', 'The API key looks malformed or is not valid. Check that you copied it correctly.');
      if (path === '/v2/balance' && req.method === 'GET') {
        return json(200, { data: { record_type: 'balance', balance: '100.00', credit_limit: '0.00', available_credit: '100.00', pending: '0.00', currency: 'USD' } });
      }
      if (path === '/v2/messages') return req.method === 'POST' ? createMessage(req) : err(405, '10015', 'Method not allowed');
      const one = /^\/v2\/messages\/([0-9a-f-]{36})$/i.exec(path);
      if (one && req.method === 'GET') {
        const m = svc.store.get(one[1]!);
        return m && m.provider === 'telnyx' ? json(200, { data: messageJson(m) }) : err(404, '10005', 'Resource not found', `Message ${one[1]} not found.`);
      }
      const prof = /^\/v2\/messaging_profiles(?:\/([^/]+))?$/.exec(path);
      if (prof) return profilesRoute(req, prof[1]);
      if (path === '/v2/phone_numbers/messaging') return numbersRoute(req, undefined);
      const num = /^\/v2\/phone_numbers\/([^/]+)\/messaging$/.exec(path);
      if (num) return numbersRoute(req, decodeURIComponent(num[1]!));
      return err(404, '10005', 'Resource not found', `The requested resource ${req.path} was not found.`);
    },
  };
}
