// Twilio's wire format, emulated: Basic auth, form-encoded requests, JSON responses, Twilio-shaped
// errors and the test-credential "magic numbers" (reference §1.9). Media is fetched after the 201,
// as Twilio does, and a failure marks the message failed with Twilio's code.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from '../types.js';
import { json } from '../types.js';
import type { SandboxMessage } from '../store.js';

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

function safeEq(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Creates the Twilio dialect with fresh sandbox credentials. */
export function createTwilioDialect(svc: SandboxServices, creds?: { accountSid: string; authToken: string }): SandboxDialect {
  const accountSid = creds?.accountSid ?? `AC${hex(16)}`;
  const authToken = creds?.authToken ?? hex(16);
  const ownNumbers = [MAGIC_FROM_OK, '+15557770001', '+15557770002'];

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
    return safeEq(decoded.slice(0, i), accountSid) && safeEq(decoded.slice(i + 1), authToken);
  }

  async function lifecycle(m: SandboxMessage): Promise<void> {
    const wait = () => new Promise((r) => setTimeout(r, svc.stepDelayMs));
    let budget = MAX_TOTAL;
    for (const media of m.media) {
      const r = await svc.fetcher.fetch(media.url, { maxBytes: budget });
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
        svc.store.setStatus(m.id, 'failed', { errorCode: code, errorMessage: msg });
        svc.log(`twilio ${m.id} → ${m.to}: media failed (${code}: ${r.detail})`);
        return;
      }
      media.contentType = r.contentType;
      media.size = r.size;
      media.sha256 = r.sha256;
      if (!ACCEPTED_TYPES.test(r.contentType)) {
        media.status = 'failed';
        media.error = `unsupported Content-Type ${r.contentType}`;
        svc.store.setStatus(m.id, 'failed', { errorCode: 12300, errorMessage: 'Invalid Content-Type' });
        return;
      }
      if (!IMAGE_TYPES.has(r.contentType) && r.size > MAX_NON_IMAGE) {
        media.status = 'failed';
        media.error = `${r.size} bytes is over 500 KB for ${r.contentType}`;
        svc.store.setStatus(m.id, 'failed', { errorCode: 11751, errorMessage: 'Media exceeds messaging provider size limit' });
        return;
      }
      media.status = 'fetched';
      budget -= r.size;
    }
    for (const s of ['sending', 'sent', 'delivered']) {
      await wait();
      svc.store.setStatus(m.id, s);
    }
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
      const one = /^\/Messages\/((?:SM|MM)[0-9a-f]{32})\.json$/.exec(rest);
      if (one && req.method === 'GET') {
        const m = svc.store.get(one[1]!);
        return m && m.account === accountSid ? json(200, toJson(m)) : twilioError(404, 20404, `The requested resource ${path} was not found`);
      }
      return twilioError(req.method === 'GET' || req.method === 'POST' ? 404 : 405, req.method === 'GET' || req.method === 'POST' ? 20404 : 20004, req.method === 'GET' || req.method === 'POST' ? `The requested resource ${path} was not found` : 'Method not allowed');
    },
  };
}
