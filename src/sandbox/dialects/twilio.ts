// Twilio's wire format, emulated: Basic auth, form-encoded requests, JSON responses, Twilio-shaped
// errors and the test-credential "magic numbers" (reference §1.9). Media is fetched after the 201,
// as Twilio does, and a failure marks the message failed with Twilio's code.
// Round trip (reference §1.5–1.8): the sandbox's own numbers have IncomingPhoneNumbers resources
// (list/fetch/update SmsUrl…); a message sent to one of them comes back as a signed inbound webhook
// to that number's SmsUrl, with MediaUrl{N} served by the sandbox (Basic auth, like Twilio), and
// every status change of a message with a StatusCallback is POSTed signed.
import { randomBytes } from 'node:crypto';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from '../types.js';
import { json } from '../types.js';
import type { SandboxMessage } from '../store.js';
import { computeTwilioSignature } from '../../providers/twilio/webhook.js';
import { safeEqual } from '../../providers/shared.js';

const API = '/2010-04-01';
const MAGIC_FROM_OK = '+15005550006';
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
  '+15005550003': [21408, 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number: +15005550003.'],
  '+15005550004': [21610, "Attempt to send to unsubscribed recipient"],
  '+15005550009': [21614, "'To' number is not a valid mobile number"],
};
/**
 * Sandbox-only To numbers (not Twilio's): accepted with 201, then the delivery fails the way a
 * carrier reports it, so `send --wait` and status callbacks can be rehearsed.
 */
export const TWILIO_SANDBOX_LATE_FAILURES: Record<string, { status: 'undelivered' | 'failed'; code: number; message: string }> = {
  '+15557770030': { status: 'undelivered', code: 30003, message: 'Unreachable destination handset' },
  '+15557770031': { status: 'failed', code: 30008, message: 'Unknown error' },
};
/** A sandbox number that belongs to a Messaging Service (its sms_application_sid is an MG… SID). */
export const TWILIO_SANDBOX_SERVICE_NUMBER = '+15557770009';
/** Bytes of fetched media kept for inbound MediaUrl downloads (oldest dropped beyond this). */
const MEDIA_KEEP_BYTES = 64 * 1024 * 1024;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/gif', 'image/png']);
const ACCEPTED_TYPES = /^(image|audio|video)\/|^(text\/(vcard|x-vcard|calendar|plain|csv|rtf)|application\/(pdf|vcard|rtf|zip|msword|vnd\.))/;
const MAX_TOTAL = 5 * 1024 * 1024;
const MAX_NON_IMAGE = 500 * 1024;

function twilioError(status: number, code: number, message: string): SandboxResponse {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

function hex(n: number): string {
  return randomBytes(n).toString('hex');
}

/** Creates the Twilio dialect with fresh sandbox credentials. */
export function createTwilioDialect(svc: SandboxServices, creds?: { accountSid: string; authToken: string }): SandboxDialect {
  const accountSid = creds?.accountSid ?? `AC${hex(16)}`;
  const authToken = creds?.authToken ?? hex(16);
  const ownNumbers = [MAGIC_FROM_OK, '+15557770001', '+15557770002'];
  const origin = () => svc.origin();

  /** IncomingPhoneNumber resources of the sandbox's numbers, by phone number. */
  interface NumberConfig {
    sid: string;
    phoneNumber: string;
    smsUrl: string;
    smsMethod: string;
    smsFallbackUrl: string;
    smsFallbackMethod: string;
    smsApplicationSid: string;
    dateCreated: string;
    dateUpdated: string;
  }
  const numbers = new Map<string, NumberConfig>();
  for (const n of [...ownNumbers, TWILIO_SANDBOX_SERVICE_NUMBER]) {
    const now = rfc2822(new Date());
    numbers.set(n, {
      sid: `PN${hex(16)}`,
      phoneNumber: n,
      smsUrl: '',
      smsMethod: 'POST',
      smsFallbackUrl: '',
      smsFallbackMethod: 'POST',
      smsApplicationSid: n === TWILIO_SANDBOX_SERVICE_NUMBER ? `MG${hex(16)}` : '',
      dateCreated: now,
      dateUpdated: now,
    });
  }

  /** Media bytes behind inbound MediaUrl{N}, by ME… SID (bounded, oldest first out). */
  const mediaBytes = new Map<string, { messageSid: string; contentType: string; bytes: Buffer }>();
  let mediaKept = 0;
  function keepMedia(sid: string, entry: { messageSid: string; contentType: string; bytes: Buffer }): void {
    mediaBytes.set(sid, entry);
    mediaKept += entry.bytes.length;
    for (const [k, v] of mediaBytes) {
      if (mediaKept <= MEDIA_KEEP_BYTES) break;
      mediaBytes.delete(k);
      mediaKept -= v.bytes.length;
    }
  }

  function numberJson(n: NumberConfig): Record<string, unknown> {
    return {
      sid: n.sid,
      account_sid: accountSid,
      phone_number: n.phoneNumber,
      friendly_name: n.phoneNumber,
      api_version: '2010-04-01',
      capabilities: { sms: true, mms: true, voice: false, fax: false },
      sms_url: n.smsUrl,
      sms_method: n.smsMethod,
      sms_fallback_url: n.smsFallbackUrl,
      sms_fallback_method: n.smsFallbackMethod,
      sms_application_sid: n.smsApplicationSid,
      status_callback: '',
      status: 'in-use',
      date_created: n.dateCreated,
      date_updated: n.dateUpdated,
      uri: `${API}/Accounts/${accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
    };
  }

  /** Signs and POSTs (or GETs, for SmsMethod=GET) Twilio form params to a webhook URL. */
  async function postSigned(url: string, method: string, params: Record<string, string>, kind: 'inbound' | 'status', messageId: string): Promise<void> {
    const headers: Record<string, string> = { 'user-agent': 'TwilioProxy/1.1 (mms sandbox)', accept: '*/*' };
    if (method === 'GET') {
      // GET webhooks carry the params in the query and are signed over the full URL alone.
      const u = new URL(url);
      for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
      headers['x-twilio-signature'] = computeTwilioSignature(authToken, u.toString(), {});
      // deliverWebhook POSTs; a GET-configured number is rare enough that the sandbox posts the same
      // signed URL with an empty body rather than emulate GET delivery.
      await svc.deliverWebhook({ url: u.toString(), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: '' }, kind, messageId);
      return;
    }
    headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
    headers['x-twilio-signature'] = computeTwilioSignature(authToken, url, params);
    await svc.deliverWebhook({ url, headers, body: new URLSearchParams(params).toString() }, kind, messageId);
  }

  function rawDlrDate(d: Date): string {
    const p = (n: number) => String(n).padStart(2, '0');
    return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
  }

  /** Sets a status and, for a message with a StatusCallback, POSTs it signed (reference §1.6). */
  async function setStatus(m: SandboxMessage, status: string, extra: { errorCode?: number; errorMessage?: string } = {}): Promise<void> {
    svc.store.setStatus(m.id, status, extra);
    await postStatus(m);
  }

  async function postStatus(m: SandboxMessage): Promise<void> {
    if (!m.statusCallback) return;
    const params: Record<string, string> = {
      AccountSid: m.account,
      ApiVersion: '2010-04-01',
      From: m.from,
      MessageSid: m.id,
      MessageStatus: m.status,
      SmsSid: m.id,
      SmsStatus: m.status,
      To: m.to,
    };
    if ((m.status === 'failed' || m.status === 'undelivered') && m.errorCode !== undefined) params.ErrorCode = String(m.errorCode);
    if (m.status === 'delivered' || m.status === 'undelivered') params.RawDlrDoneDate = rawDlrDate(new Date());
    await postSigned(m.statusCallback, 'POST', params, 'status', m.id);
  }

  /** Stores the inbound copy of a message sent to one of our numbers and delivers it to its SmsUrl. */
  async function deliverInbound(out: SandboxMessage, kept: Array<{ contentType: string; bytes: Buffer; sha256: string }>): Promise<void> {
    const cfg = numbers.get(out.to);
    if (!cfg) return;
    const now = new Date().toISOString();
    const id = `${kept.length > 0 ? 'MM' : 'SM'}${hex(16)}`;
    const media = kept.map((k) => {
      const sid = `ME${hex(16)}`;
      keepMedia(sid, { messageSid: id, contentType: k.contentType, bytes: k.bytes });
      return { url: `${origin()}/twilio${API}/Accounts/${accountSid}/Messages/${id}/Media/${sid}`, status: 'fetched' as const, contentType: k.contentType, size: k.bytes.length, sha256: k.sha256 };
    });
    const msg = svc.store.add({
      id,
      provider: 'twilio',
      account: accountSid,
      direction: 'inbound',
      to: out.to,
      from: out.from,
      body: out.body,
      media,
      status: 'received',
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'received', at: now }],
    });
    if (cfg.smsApplicationSid !== '') {
      svc.log(`twilio ${id}: ${out.to} is handled by ${cfg.smsApplicationSid}; the sandbox does not deliver to applications or Messaging Services`);
      return;
    }
    if (cfg.smsUrl === '') {
      svc.log(`twilio ${id}: ${out.to} has no SmsUrl; inbound message stored only`);
      return;
    }
    const params: Record<string, string> = {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      Body: msg.body,
      From: msg.from,
      FromCountry: 'US',
      MessageSid: id,
      NumMedia: String(media.length),
      NumSegments: '1',
      SmsMessageSid: id,
      SmsSid: id,
      SmsStatus: 'received',
      To: msg.to,
      ToCountry: 'US',
    };
    media.forEach((m, i) => {
      params[`MediaContentType${i}`] = m.contentType;
      params[`MediaUrl${i}`] = m.url;
    });
    await postSigned(cfg.smsUrl, cfg.smsMethod, params, 'inbound', id);
  }

  function listNumbers(req: SandboxRequest): SandboxResponse {
    const filter = req.query.get('PhoneNumber') ?? '';
    const size = Math.min(Number(req.query.get('PageSize') ?? 50) || 50, 1000);
    // Twilio matches partial numbers too ("*" for any digit); exact and substring matches suffice here.
    const pattern = filter.replace(/[^\d+*]/g, '');
    const re = new RegExp(pattern.replace(/\+/g, '\\+').replace(/\*/g, '\\d'));
    const list = [...numbers.values()].filter((n) => pattern === '' || re.test(n.phoneNumber)).slice(0, size);
    return json(200, {
      incoming_phone_numbers: list.map(numberJson),
      page: 0,
      page_size: size,
      start: 0,
      end: Math.max(0, list.length - 1),
      first_page_uri: `${API}/Accounts/${accountSid}/IncomingPhoneNumbers.json?PageSize=${size}&Page=0`,
      next_page_uri: null,
      previous_page_uri: null,
      uri: `${API}/Accounts/${accountSid}/IncomingPhoneNumbers.json?PageSize=${size}&Page=0`,
    });
  }

  function updateNumber(n: NumberConfig, req: SandboxRequest): SandboxResponse {
    const form = new URLSearchParams(req.rawBody.toString('utf8'));
    for (const key of ['SmsUrl', 'SmsFallbackUrl']) {
      const v = form.get(key);
      if (v !== null && v !== '' && !/^https?:\/\/[^\s]+$/i.test(v)) return twilioError(400, 21402, `${key} is not a valid URL: ${v}`);
    }
    for (const key of ['SmsMethod', 'SmsFallbackMethod']) {
      const v = form.get(key);
      if (v !== null && v !== '' && v !== 'GET' && v !== 'POST') return twilioError(400, 21403, `${key} must be GET or POST`);
    }
    const app = form.get('SmsApplicationSid');
    if (app !== null && app !== '' && !/^(AP|MG)[0-9a-fA-F]{32}$/.test(app)) return twilioError(400, 21421, `SmsApplicationSid ${app} is not valid`);
    if (form.has('SmsUrl')) n.smsUrl = form.get('SmsUrl')!;
    if (form.has('SmsMethod')) n.smsMethod = form.get('SmsMethod') || 'POST';
    if (form.has('SmsFallbackUrl')) n.smsFallbackUrl = form.get('SmsFallbackUrl')!;
    if (form.has('SmsFallbackMethod')) n.smsFallbackMethod = form.get('SmsFallbackMethod') || 'POST';
    if (app !== null) n.smsApplicationSid = app;
    n.dateUpdated = rfc2822(new Date());
    svc.log(`twilio ${n.sid} ${n.phoneNumber}: sms_url=${n.smsUrl || '(none)'}${n.smsApplicationSid ? ` application=${n.smsApplicationSid}` : ''}`);
    return json(200, numberJson(n));
  }

  function toJson(m: SandboxMessage): Record<string, unknown> {
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
      subresource_uris: { media: `${API}/Accounts/${m.account}/Messages/${m.id}/Media.json`, feedback: `${API}/Accounts/${m.account}/Messages/${m.id}/Feedback.json` },
      to: m.to,
      uri: `${API}/Accounts/${m.account}/Messages/${m.id}.json`,
    };
  }

  function authorised(req: SandboxRequest): boolean {
    const h = req.headers.authorization ?? '';
    const m = /^Basic\s+(.+)$/i.exec(h);
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return false;
    return safeEqual(decoded.slice(0, i), accountSid) && safeEqual(decoded.slice(i + 1), authToken);
  }

  async function lifecycle(m: SandboxMessage): Promise<void> {
    const wait = () => svc.step();
    await postStatus(m);
    const roundTrip = numbers.has(m.to) && ownNumbers.includes(m.to);
    const kept: Array<{ contentType: string; bytes: Buffer; sha256: string }> = [];
    let budget = MAX_TOTAL;
    for (const media of m.media) {
      const r = await svc.fetcher.fetch(media.url, { maxBytes: budget, keepBytes: roundTrip });
      if (!r.ok) {
        media.status = 'failed';
        media.error = r.detail;
        if (r.contentType) media.contentType = r.contentType;
        const [code, msg] =
          r.reason === 'too-large'
            ? [11751, 'Media exceeds messaging provider size limit']
            : r.reason === 'no-content-type'
              ? [12300, 'Invalid Content-Type']
              : [11200, `HTTP retrieval failure: ${r.detail}`];
        svc.log(`twilio ${m.id} → ${m.to}: media failed (${code}: ${r.detail})`);
        await setStatus(m, 'failed', { errorCode: code, errorMessage: msg });
        return;
      }
      media.contentType = r.contentType;
      media.size = r.size;
      media.sha256 = r.sha256;
      if (!ACCEPTED_TYPES.test(r.contentType)) {
        media.status = 'failed';
        media.error = `unsupported Content-Type ${r.contentType}`;
        await setStatus(m, 'failed', { errorCode: 12300, errorMessage: 'Invalid Content-Type' });
        return;
      }
      if (!IMAGE_TYPES.has(r.contentType) && r.size > MAX_NON_IMAGE) {
        media.status = 'failed';
        media.error = `${r.size} bytes is over 500 KB for ${r.contentType}`;
        await setStatus(m, 'failed', { errorCode: 11751, errorMessage: 'Media exceeds messaging provider size limit' });
        return;
      }
      media.status = 'fetched';
      budget -= r.size;
      if (r.bytes) kept.push({ contentType: r.contentType, bytes: r.bytes, sha256: r.sha256 });
    }
    const late = TWILIO_SANDBOX_LATE_FAILURES[m.to];
    if (late?.status === 'failed') {
      await wait();
      await setStatus(m, 'failed', { errorCode: late.code, errorMessage: late.message });
      return;
    }
    for (const s of ['sending', 'sent']) {
      await wait();
      await setStatus(m, s);
    }
    await wait();
    if (late) {
      await setStatus(m, late.status, { errorCode: late.code, errorMessage: late.message });
      return;
    }
    await setStatus(m, 'delivered');
    if (roundTrip) await deliverInbound(m, kept);
  }

  async function createMessage(req: SandboxRequest): Promise<SandboxResponse> {
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.startsWith('application/x-www-form-urlencoded')) {
      return twilioError(400, 20001, 'Request must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(req.rawBody.toString('utf8'));
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
    if (!/^\+[1-9]\d{1,14}$/.test(from)) return twilioError(400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
    if (!ownNumbers.includes(from)) {
      return twilioError(400, 21606, `The 'From' phone number provided (${from}) is not a valid message-capable Twilio phone number for this destination/account. Sandbox numbers: ${ownNumbers.join(', ')}.`);
    }
    const magicTo = MAGIC_TO[to];
    if (magicTo) return twilioError(400, magicTo[0], magicTo[1]);
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const now = new Date().toISOString();
    const id = `${mediaUrls.length > 0 ? 'MM' : 'SM'}${hex(16)}`;
    const statusCallback = form.get('StatusCallback');
    const msg = svc.store.add({
      id,
      provider: 'twilio',
      account: accountSid,
      direction: 'outbound',
      to,
      from,
      body,
      media: mediaUrls.map((url) => ({ url, status: 'pending' })),
      status: 'queued',
      ...(statusCallback ? { statusCallback } : {}),
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'queued', at: now }],
    });
    svc.log(`twilio ${id} ${from} → ${to}${mediaUrls.length ? ` (${mediaUrls.length} media)` : ''}`);
    void lifecycle(msg).catch((err) => svc.log(`twilio ${id}: lifecycle error ${(err as Error).message}`));
    return json(201, toJson(msg));
  }

  const accountPath = `${API}/Accounts/${accountSid}`;

  return {
    provider: 'twilio',
    describe: () => ({ credentials: { accountSid, authToken }, numbers: ownNumbers, defaultFrom: MAGIC_FROM_OK }),
    isMessageCreate: (req) => req.method === 'POST' && req.path.endsWith('/Messages.json'),
    rateLimited: (retryAfter) => ({ ...twilioError(429, 20429, 'Too Many Requests'), headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) } }),
    serverError: () => twilioError(500, 20500, 'An internal server error has occurred'),
    async handle(req) {
      const path = req.path;
      if (!path.startsWith(`${API}/Accounts/`)) return twilioError(404, 20404, `The requested resource ${path} was not found`);
      if (!authorised(req)) {
        return { ...twilioError(401, 20003, 'Authenticate'), headers: { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="Twilio API"' } };
      }
      if (!path.startsWith(accountPath)) return twilioError(404, 20404, `The requested resource ${path} was not found`);
      const rest = path.slice(accountPath.length);
      if (rest === '.json' && req.method === 'GET') {
        return json(200, { sid: accountSid, friendly_name: 'mms sandbox', status: 'active', type: 'Full', auth_token: '[redacted]', date_created: rfc2822(new Date()) });
      }
      if (rest === '/Messages.json' && req.method === 'POST') return createMessage(req);
      if (rest === '/Messages.json' && req.method === 'GET') {
        const size = Math.min(Number(req.query.get('PageSize') ?? 50) || 50, 1000);
        const to = req.query.get('To') ?? undefined;
        const from = req.query.get('From') ?? undefined;
        const all = svc.store
          .list({ provider: 'twilio', ...(to ? { to } : {}) })
          .filter((m) => m.account === accountSid && (!from || m.from === from))
          .reverse()
          .slice(0, size);
        return json(200, { messages: all.map(toJson), page: 0, page_size: size, next_page_uri: null, uri: `${accountPath}/Messages.json` });
      }
      if (rest === '/IncomingPhoneNumbers.json' && req.method === 'GET') return listNumbers(req);
      const pn = /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(rest);
      if (pn) {
        const n = [...numbers.values()].find((x) => x.sid === pn[1]);
        if (!n) return twilioError(404, 20404, `The requested resource ${path} was not found`);
        if (req.method === 'GET') return json(200, numberJson(n));
        if (req.method === 'POST') return updateNumber(n, req);
      }
      const media = /^\/Messages\/((?:SM|MM)[0-9a-f]{32})\/Media\/(ME[0-9a-f]{32})$/.exec(rest);
      if (media && (req.method === 'GET' || req.method === 'HEAD')) {
        const entry = mediaBytes.get(media[2]!);
        if (!entry || entry.messageSid !== media[1]) return twilioError(404, 20404, `The requested resource ${path} was not found`);
        return { status: 200, headers: { 'content-type': entry.contentType, 'cache-control': 'no-store' }, body: req.method === 'HEAD' ? Buffer.alloc(0) : entry.bytes };
      }
      const one = /^\/Messages\/((?:SM|MM)[0-9a-f]{32})\.json$/.exec(rest);
      if (one && req.method === 'GET') {
        const m = svc.store.get(one[1]!);
        return m && m.account === accountSid ? json(200, toJson(m)) : twilioError(404, 20404, `The requested resource ${path} was not found`);
      }
      return twilioError(req.method === 'GET' || req.method === 'POST' ? 404 : 405, req.method === 'GET' || req.method === 'POST' ? 20404 : 20004, req.method === 'GET' || req.method === 'POST' ? `The requested resource ${path} was not found` : 'Method not allowed');
    },
  };
}
