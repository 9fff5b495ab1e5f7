// Vonage's wire format, emulated (reference §1): Messages API v1 (POST /v1/messages, channel
// "mms", Basic api_key:api_secret or an RS256 application JWT), RFC 7807-style error bodies with
// `#NNNN` codes, Applications API v2 (Basic only) and the Numbers API (`/account/numbers`,
// `/number/update`, api_key/api_secret as parameters; rest.nexmo.com in real life, the same base
// URL here). There is no GET-message endpoint (Messages v1 has none): status goes out by webhook.
//
// Round trip: a message sent to one of the sandbox numbers is stored as inbound and POSTed to the
// `messages.webhooks.inbound_url` of the application linked to that number; status webhooks go to
// the message's `webhook_url`, else the application's `status_url`. Both carry
// `Authorization: Bearer <HS256 JWT>` signed with the signature secret, with `payload_hash`.
// Inbound media is re-hosted at <base>/v3/media/<uuid> (unauthenticated, like "standard" mode).
//
// Test numbers (To, E.164 — Vonage writes them without "+"):
//   +15557770090  rejected at once: 422 #1020, invalid_parameters "to"   (RECIPIENT_INVALID)
//   +15557770091  accepted, then status "rejected" with error 1050 (number barred)
//   +15557770092  accepted, then status "undeliverable" with error 1100 (communication failed)
// Sandbox numbers: +15557770031, +15557770032 (linked to the sandbox application).
import { createHash, createHmac, createVerify, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from '../types.js';
import { json } from '../types.js';
import type { SandboxMessage } from '../store.js';
import { safeEqual } from '../../providers/shared.js';

const MESSAGE_TYPES = ['text', 'image', 'audio', 'video', 'vcard', 'file', 'content'] as const;
const MEDIA_KINDS = new Set(['image', 'audio', 'video', 'vcard', 'file']);
const MAX_TEXT = 2000;
const MAX_CONTENT = 10;
/** Vonage publishes no MMS size limit; the adapter's 5 MB guard is used here too. */
const MAX_TOTAL = 5 * 1024 * 1024;
const TEST_TO_INVALID = '15557770090';
const TEST_TO_BARRED = '15557770091';
const TEST_TO_UNDELIVERABLE = '15557770092';
const ERR = 'https://developer.vonage.com/api-errors/messages';

interface VonageApp {
  id: string;
  name: string;
  inboundUrl?: string;
  statusUrl?: string;
  publicKey: string;
  /** The raw capabilities object as last PUT/POSTed, returned verbatim (PUT is a full replace). */
  capabilities: Record<string, unknown>;
}

interface HostedMedia {
  bytes: Buffer;
  contentType: string;
}

function problem(status: number, type: string, title: string, detail: string, extra: Record<string, unknown> = {}): SandboxResponse {
  return json(status, { type, title, detail, instance: randomUUID(), ...extra });
}

function invalidParams(name: string, reason: string): SandboxResponse {
  return problem(422, `${ERR}#1020`, 'Invalid params', 'The value of one or more parameters is invalid.', { invalid_parameters: [{ name, reason }] });
}

function unauthorized(): SandboxResponse {
  // "unathorized" (sic) as in Vonage's own 401 bodies (Java SDK test fixtures).
  return problem(401, 'https://developer.nexmo.com/api-errors/#unathorized', 'Unauthorized', 'You did not provide correct credentials.');
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function newKeyPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Creates the Vonage dialect with fresh sandbox credentials. */
export function createVonageDialect(svc: SandboxServices): SandboxDialect {
  // Real API keys are 8 hex characters, secrets 16 alphanumerics (the adapter accepts 6–16).
  const apiKey = randomBytes(4).toString('hex');
  const apiSecret = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
  const signatureSecret = randomBytes(24).toString('base64url');
  const keys = newKeyPair();
  const ownNumbers = ['+15557770031', '+15557770032'];
  const apps = new Map<string, VonageApp>();
  const defaultApp: VonageApp = { id: randomUUID(), name: 'mms sandbox', publicKey: keys.publicKey, capabilities: { messages: { webhooks: {}, version: 'v1' } } };
  apps.set(defaultApp.id, defaultApp);
  /** msisdn (no "+") → linked application id. */
  const links = new Map<string, string | undefined>(ownNumbers.map((n) => [n.slice(1), defaultApp.id]));
  const hosted = new Map<string, HostedMedia>();

  const digits = (e164: string): string => e164.replace(/^\+/, '');
  const plus = (d: string): string => (/^[1-9]\d{6,14}$/.test(d) ? `+${d}` : d);

  function basicOk(req: SandboxRequest): boolean {
    const m = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i > 0 && safeEqual(decoded.slice(0, i), apiKey) && safeEqual(decoded.slice(i + 1), apiSecret);
  }

  /** Verifies an RS256 application JWT; returns the application it was signed for. */
  function jwtApp(req: SandboxRequest): VonageApp | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!m) return undefined;
    const parts = m[1]!.split('.');
    if (parts.length !== 3) return undefined;
    const header = decodeJson(parts[0]!);
    const claims = decodeJson(parts[1]!);
    if (!header || header.alg !== 'RS256' || !claims) return undefined;
    const app = apps.get(str(claims.application_id));
    if (!app) return undefined;
    const ok = createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(app.publicKey, Buffer.from(parts[2]!, 'base64url'));
    if (!ok) return undefined;
    const now = Date.now() / 1000;
    if (typeof claims.exp === 'number' && now > claims.exp) return undefined;
    return app;
  }

  /** The Numbers API takes api_key/api_secret as query or form parameters (or Basic). */
  function paramsOk(req: SandboxRequest, form: URLSearchParams): boolean {
    if (basicOk(req)) return true;
    const key = form.get('api_key') ?? req.query.get('api_key') ?? '';
    const secret = form.get('api_secret') ?? req.query.get('api_secret') ?? '';
    return safeEqual(key, apiKey) && safeEqual(secret, apiSecret);
  }

  function sign(body: string, applicationId: string | undefined): string {
    const claims: Record<string, unknown> = {
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      iss: 'Vonage',
      payload_hash: createHash('sha256').update(body).digest('hex'),
      api_key: apiKey,
    };
    if (applicationId) claims.application_id = applicationId;
    const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${createHmac('sha256', signatureSecret).update(input).digest('base64url')}`;
  }

  async function post(url: string | undefined, payload: Record<string, unknown>, appId: string | undefined, kind: 'inbound' | 'status', id: string): Promise<void> {
    if (!url) {
      svc.log(`vonage ${id}: no ${kind === 'inbound' ? 'inbound_url' : 'status_url/webhook_url'} configured, webhook not sent`);
      return;
    }
    const body = JSON.stringify(payload);
    await svc.deliverWebhook({ url, headers: { 'content-type': 'application/json', authorization: `Bearer ${sign(body, appId)}`, 'user-agent': 'Vonage-Messages' }, body }, kind, id);
  }

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

  interface Outbound {
    msg: SandboxMessage;
    kinds: string[];
    captions: Array<string | undefined>;
    webhookUrl?: string;
    appId?: string;
    clientRef?: string;
  }

  async function lifecycle(o: Outbound): Promise<void> {
    const { msg } = o;
    const wait = () => svc.step();
    const app = o.appId ? apps.get(o.appId) : undefined;
    const statusUrl = o.webhookUrl ?? app?.statusUrl;
    const status = async (s: string, error?: { code: number; detail: string }): Promise<void> => {
      svc.store.setStatus(msg.id, s, error ? { errorCode: error.code, errorMessage: error.detail } : {});
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
      await post(statusUrl, payload, o.appId, 'status', msg.id);
    };
    let budget = MAX_TOTAL;
    const hostedHere: HostedMedia[] = [];
    const inboundWanted = ownNumbers.includes(msg.to);
    for (const media of msg.media) {
      const r = await svc.fetcher.fetch(media.url, { maxBytes: budget });
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
        if (copy) hostedHere.push(copy);
      }
    }
    await wait();
    await status('submitted');
    const to = digits(msg.to);
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
    if (inboundWanted) await deliverInbound(o, hostedHere);
  }

  async function deliverInbound(o: Outbound, media: HostedMedia[]): Promise<void> {
    const { msg } = o;
    const now = new Date().toISOString();
    const id = randomUUID();
    const urls = media.map((m) => {
      const mid = randomUUID();
      hosted.set(mid, m);
      if (hosted.size > 500) hosted.delete(hosted.keys().next().value!);
      return `${svc.origin()}/vonage/v3/media/${mid}`;
    });
    svc.store.add({
      id,
      provider: 'vonage',
      account: apiKey,
      direction: 'inbound',
      to: msg.to,
      from: msg.from,
      body: msg.body,
      media: urls.map((url, i) => ({ url, status: 'fetched', contentType: media[i]!.contentType, size: media[i]!.bytes.length })),
      status: 'received',
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'received', at: now }],
    });
    const payload: Record<string, unknown> = { channel: 'mms', message_uuid: id, to: digits(msg.to), from: digits(msg.from), timestamp: now };
    const caption = msg.body || undefined;
    if (urls.length === 0) Object.assign(payload, { message_type: 'text', text: msg.body });
    else {
      const kind = o.kinds[0] ?? 'file';
      payload.message_type = kind;
      payload[kind] = kind === 'vcard' || !caption ? { url: urls[0] } : { url: urls[0], caption };
      // "Only present for messages that have more than one attachment."
      if (urls.length > 1) payload.content = urls.map((url, i) => ({ type: o.kinds[i] ?? 'file', url }));
    }
    payload.origin = { network_code: '310260' };
    const linked = links.get(digits(msg.to));
    await post(linked ? apps.get(linked)?.inboundUrl : undefined, payload, linked, 'inbound', id);
  }

  async function createMessage(req: SandboxRequest): Promise<SandboxResponse> {
    const viaJwt = jwtApp(req);
    if (!viaJwt && !basicOk(req)) return unauthorized();
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return problem(415, 'https://developer.vonage.com/api-errors#unsupported-media-type', 'Unsupported Media Type', 'The request body must be application/json.');
    }
    let p: Record<string, unknown>;
    try {
      const v: unknown = JSON.parse(req.rawBody.toString('utf8'));
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      p = v as Record<string, unknown>;
    } catch {
      return problem(400, `${ERR}#1020`, 'Invalid params', 'The request body is not valid JSON.');
    }
    for (const f of ['to', 'from', 'channel', 'message_type']) {
      if (typeof p[f] !== 'string' || p[f] === '') {
        return problem(422, `${ERR}#1010`, 'Missing params', `The parameter ${f} is required.`, { invalid_parameters: [{ name: f, reason: 'Required' }] });
      }
    }
    if (p.channel !== 'mms') return invalidParams('channel', `The sandbox emulates the mms channel only (got ${str(p.channel)})`);
    const type = str(p.message_type);
    if (!(MESSAGE_TYPES as readonly string[]).includes(type)) return invalidParams('message_type', `Must be one of ${MESSAGE_TYPES.join(', ')}`);
    const to = str(p.to);
    const from = str(p.from);
    // "Don't use a leading + or 00": Vonage numbers are E.164 digits only.
    if (!/^[1-9]\d{6,14}$/.test(to) || to === TEST_TO_INVALID) return invalidParams('to', 'Invalid value: must be an E.164 number without a leading + or 00');
    if (!/^[1-9]\d{3,14}$/.test(from)) return invalidParams('from', 'Invalid value: must be a number without a leading + or 00');
    if (!links.has(from)) {
      return problem(422, `${ERR}#1120`, 'Illegal Sender Address', `The from number ${from} is not an MMS-capable number of this account. Sandbox numbers: ${ownNumbers.map(digits).join(', ')}.`);
    }
    const urls: string[] = [];
    const kinds: string[] = [];
    const captions: Array<string | undefined> = [];
    let text = '';
    if (type === 'text') {
      text = str(p.text);
      if (!text) return problem(422, `${ERR}#1010`, 'Missing params', 'The parameter text is required.', { invalid_parameters: [{ name: 'text', reason: 'Required' }] });
    } else if (type === 'content') {
      const content = Array.isArray(p.content) ? (p.content as Array<Record<string, unknown>>) : [];
      if (content.length === 0) return invalidParams('content', 'Must contain at least one item');
      if (content.length > MAX_CONTENT) return invalidParams('content', `Must contain at most ${MAX_CONTENT} items`);
      for (const [i, item] of content.entries()) {
        if (!MEDIA_KINDS.has(str(item?.type))) return invalidParams(`content[${i}].type`, 'Must be image, audio, video, vcard or file');
        if (!/^https?:\/\/\S+$/i.test(str(item.url))) return invalidParams(`content[${i}].url`, 'Must be a URL');
        urls.push(str(item.url));
        kinds.push(str(item.type));
        captions.push(str(item.caption) || undefined);
      }
      text = captions.find(Boolean) ?? '';
    } else {
      const obj = p[type] as Record<string, unknown> | undefined;
      if (!obj || typeof obj !== 'object') return problem(422, `${ERR}#1010`, 'Missing params', `The parameter ${type} is required.`, { invalid_parameters: [{ name: type, reason: 'Required' }] });
      if (!/^https?:\/\/\S+$/i.test(str(obj.url))) return invalidParams(`${type}.url`, 'Must be a URL');
      urls.push(str(obj.url));
      kinds.push(type);
      captions.push(str(obj.caption) || undefined);
      text = str(obj.caption);
    }
    if ([...text].length > MAX_TEXT) return problem(422, `${ERR}#1090`, 'Message too long', `The text is ${[...text].length} characters; the maximum is ${MAX_TEXT}.`);
    const clientRef = str(p.client_ref);
    if (clientRef.length > 100) return invalidParams('client_ref', 'Must be at most 100 characters');
    const webhookUrl = str(p.webhook_url);
    const now = new Date().toISOString();
    const id = randomUUID();
    const msg = svc.store.add({
      id,
      provider: 'vonage',
      account: apiKey,
      direction: 'outbound',
      to: plus(to),
      from: plus(from),
      body: text,
      media: urls.map((url) => ({ url, status: 'pending' })),
      status: 'accepted',
      ...(webhookUrl ? { statusCallback: webhookUrl } : {}),
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'accepted', at: now }],
    });
    svc.log(`vonage ${id} ${from} → ${to}${urls.length ? ` (${urls.length} media)` : ''}`);
    // With Basic auth the sending number's application receives the status webhooks.
    const appId = viaJwt?.id ?? links.get(from);
    const o: Outbound = { msg, kinds, captions, ...(webhookUrl ? { webhookUrl } : {}), ...(appId ? { appId } : {}), ...(clientRef ? { clientRef } : {}) };
    void lifecycle(o).catch((err) => svc.log(`vonage ${id}: lifecycle error ${(err as Error).message}`));
    return json(202, { message_uuid: id });
  }

  function appJson(a: VonageApp): Record<string, unknown> {
    return { id: a.id, name: a.name, capabilities: a.capabilities, keys: { public_key: a.publicKey }, privacy: { improve_ai: false }, _links: { self: { href: `/v2/applications/${a.id}` } } };
  }

  /** Reads messages.webhooks.{inbound,status}_url from a capabilities object. */
  function applyCapabilities(a: VonageApp, caps: unknown): void {
    a.capabilities = caps && typeof caps === 'object' ? (caps as Record<string, unknown>) : {};
    const hooks = ((a.capabilities.messages as Record<string, unknown> | undefined)?.webhooks ?? {}) as Record<string, { address?: unknown } | undefined>;
    const inbound = str(hooks.inbound_url?.address);
    const status = str(hooks.status_url?.address);
    if (inbound) a.inboundUrl = inbound;
    else delete a.inboundUrl;
    if (status) a.statusUrl = status;
    else delete a.statusUrl;
  }

  function parseBody(req: SandboxRequest): Record<string, unknown> | undefined {
    try {
      const v: unknown = JSON.parse(req.rawBody.toString('utf8'));
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  function applications(req: SandboxRequest, rest: string): SandboxResponse {
    if (!basicOk(req)) return unauthorized();
    const notFound = (id: string) => problem(404, 'https://developer.nexmo.com/api-errors#not-found', 'Not Found', `Application ${id} does not exist, or you do not have access`);
    if (rest === '' && req.method === 'GET') {
      const size = Math.max(1, Math.min(100, Number(req.query.get('page_size') ?? 10) || 10));
      const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
      const all = [...apps.values()];
      return json(200, {
        page_size: size,
        page,
        total_items: all.length,
        total_pages: Math.max(1, Math.ceil(all.length / size)),
        _embedded: { applications: all.slice((page - 1) * size, page * size).map(appJson) },
      });
    }
    if (rest === '' && req.method === 'POST') {
      const body = parseBody(req);
      if (!body || !str(body.name)) return problem(400, 'https://developer.nexmo.com/api-errors#bad-request', 'Bad Request', 'The request failed due to validation errors', { invalid_parameters: [{ name: 'name', reason: 'Required' }] });
      const given = str((body.keys as Record<string, unknown> | undefined)?.public_key);
      const pair = given ? undefined : newKeyPair();
      const app: VonageApp = { id: randomUUID(), name: str(body.name), publicKey: given || pair!.publicKey, capabilities: {} };
      applyCapabilities(app, body.capabilities);
      apps.set(app.id, app);
      const out = appJson(app);
      // The private key is returned once, on creation only.
      if (pair) out.keys = { public_key: pair.publicKey, private_key: pair.privateKey };
      return json(201, out);
    }
    const id = decodeURIComponent(rest.slice(1));
    const app = apps.get(id);
    if (!app) return notFound(id);
    if (req.method === 'GET') return json(200, appJson(app));
    if (req.method === 'PUT') {
      const body = parseBody(req);
      if (!body || !str(body.name)) return problem(400, 'https://developer.nexmo.com/api-errors#bad-request', 'Bad Request', 'The request failed due to validation errors', { invalid_parameters: [{ name: 'name', reason: 'Required' }] });
      // PUT replaces the whole object: capabilities left out are removed.
      app.name = str(body.name);
      applyCapabilities(app, body.capabilities);
      const pk = str((body.keys as Record<string, unknown> | undefined)?.public_key);
      if (pk) app.publicKey = pk;
      return json(200, appJson(app));
    }
    if (req.method === 'DELETE') {
      if (app.id === defaultApp.id) return problem(409, 'https://developer.nexmo.com/api-errors#conflict', 'Conflict', 'The sandbox application cannot be deleted');
      apps.delete(id);
      for (const [n, a] of links) if (a === id) links.set(n, undefined);
      return { status: 204 };
    }
    return problem(405, 'https://developer.nexmo.com/api-errors#method-not-allowed', 'Method Not Allowed', `${req.method} is not allowed here`);
  }

  function numbers(req: SandboxRequest, path: string): SandboxResponse {
    const form = req.method === 'POST' ? new URLSearchParams(req.rawBody.toString('utf8')) : new URLSearchParams();
    if (!paramsOk(req, form)) return json(401, { 'error-code': '401', 'error-code-label': 'authentication failed' });
    if (path === '/account/numbers' && req.method === 'GET') {
      const pattern = req.query.get('pattern') ?? '';
      const mode = req.query.get('search_pattern') ?? '1';
      const appFilter = req.query.get('application_id');
      const list = [...links.entries()]
        .filter(([n]) => !pattern || (mode === '0' ? n.startsWith(pattern) : mode === '2' ? n.endsWith(pattern) : n.includes(pattern)))
        .filter(([, a]) => !appFilter || a === appFilter)
        .map(([msisdn, appId]) => ({ country: 'US', msisdn, type: 'mobile-lvn', features: ['SMS', 'MMS', 'VOICE'], ...(appId ? { app_id: appId } : {}) }));
      return json(200, { count: list.length, numbers: list });
    }
    if (path === '/number/update' && req.method === 'POST') {
      const msisdn = form.get('msisdn') ?? '';
      const country = form.get('country') ?? '';
      if (!msisdn || !country) return json(400, { 'error-code': '400', 'error-code-label': 'missing parameter: country and msisdn are required' });
      if (!links.has(msisdn) || country.toUpperCase() !== 'US') return json(420, { 'error-code': '420', 'error-code-label': `number ${msisdn} (${country}) not found in this account` });
      const appId = form.get('app_id') ?? '';
      if (appId && !apps.has(appId)) return json(420, { 'error-code': '420', 'error-code-label': `application ${appId} not found` });
      links.set(msisdn, appId || undefined);
      return json(200, { 'error-code': '200', 'error-code-label': 'success' });
    }
    return json(404, { 'error-code': '404', 'error-code-label': `no such endpoint ${path}` });
  }

  return {
    provider: 'vonage',
    describe: () => ({
      credentials: { apiKey, apiSecret, applicationId: defaultApp.id, privateKey: keys.privateKey, signatureSecret },
      numbers: ownNumbers,
      defaultFrom: ownNumbers[0]!,
    }),
    isMessageCreate: (req) => req.method === 'POST' && req.path === '/v1/messages',
    rateLimited: (retryAfter) => ({
      ...problem(429, `${ERR}#1000`, 'Rate Limit Hit', 'Please wait, then retry your request'),
      // Vonage documents no Retry-After [UNCONFIRMED]; the sandbox sends one so clients can pace.
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
    }),
    serverError: () => problem(500, `${ERR}#1030`, 'Internal Error', 'An internal error occurred; try again later.'),
    async handle(req) {
      const path = req.path;
      if (path === '/v1/messages') {
        return req.method === 'POST' ? createMessage(req) : problem(405, 'https://developer.nexmo.com/api-errors#method-not-allowed', 'Method Not Allowed', 'Messages v1 has no GET endpoint; status arrives by webhook');
      }
      if (path === '/v2/applications' || path.startsWith('/v2/applications/')) return applications(req, path.slice('/v2/applications'.length));
      if (path === '/account/numbers' || path === '/number/update') return numbers(req, path);
      const media = /^\/v3\/media\/([0-9a-f-]{36})$/.exec(path);
      if (media && req.method === 'GET') {
        const m = hosted.get(media[1]!);
        return m ? { status: 200, headers: { 'content-type': m.contentType }, body: m.bytes } : problem(404, 'https://developer.nexmo.com/api-errors#not-found', 'Not Found', 'No such media');
      }
      return problem(404, 'https://developer.nexmo.com/api-errors#not-found', 'Not Found', `The requested resource ${path} does not exist`);
    },
  };
}
