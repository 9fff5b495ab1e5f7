// Twilio IncomingPhoneNumbers (reference §1.5): list, fetch and update (SmsUrl, SmsMethod,
// fallbacks, SmsApplicationSid) of the sandbox's own numbers.
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import {
  API,
  TWILIO_SANDBOX_SERVICE_NUMBER,
  hex,
  notFound,
  rfc2822,
  twilioError,
  twilioPage,
  unmatched,
  type NumberConfig,
  type TwilioContext,
} from './context.js';

/** The IncomingPhoneNumber resources of `phoneNumbers`, by phone number. */
export function createNumbers(phoneNumbers: string[]): Map<string, NumberConfig> {
  const numbers = new Map<string, NumberConfig>();
  for (const n of phoneNumbers) {
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
  return numbers;
}

function numberJson(ctx: TwilioContext, n: NumberConfig): Record<string, unknown> & { sid: string } {
  return {
    sid: n.sid,
    account_sid: ctx.accountSid,
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
    uri: `${API}/Accounts/${ctx.accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
  };
}

function listNumbers(ctx: TwilioContext, req: SandboxRequest): SandboxResponse {
  const filter = req.query.get('PhoneNumber') ?? '';
  // Twilio matches partial numbers too ("*" for any digit); exact and substring matches suffice here.
  const pattern = filter.replace(/[^\d+*]/g, '');
  const re = new RegExp(pattern.replace(/\+/g, '\\+').replace(/\*/g, '\\d'));
  const list = [...ctx.numbers.values()].filter((n) => pattern === '' || re.test(n.phoneNumber)).map((n) => numberJson(ctx, n));
  return twilioPage(req, `${API}/Accounts/${ctx.accountSid}/IncomingPhoneNumbers.json`, 'incoming_phone_numbers', list, ['PhoneNumber', 'FriendlyName']);
}

function updateNumber(ctx: TwilioContext, n: NumberConfig, req: SandboxRequest): SandboxResponse {
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
  ctx.svc.log(`twilio ${n.sid} ${n.phoneNumber}: sms_url=${n.smsUrl || '(none)'}${n.smsApplicationSid ? ` application=${n.smsApplicationSid}` : ''}`);
  return json(200, numberJson(ctx, n));
}

/** Routes below the account path. */
export function numberRoutes(ctx: TwilioContext): Route[] {
  const one = `${ctx.accountPath}/IncomingPhoneNumbers/:sid(PN[0-9a-f]{32}).json`;
  const find = (sid: string) => [...ctx.numbers.values()].find((x) => x.sid === sid);
  return [
    route('GET', `${ctx.accountPath}/IncomingPhoneNumbers.json`, (req) => listNumbers(ctx, req)),
    route(['GET', 'POST'], one, (req, p) => {
      const n = find(p.sid!);
      if (!n) return notFound(req.path);
      return req.method === 'GET' ? json(200, numberJson(ctx, n)) : updateNumber(ctx, n, req);
    }),
    // Other methods on an unknown number are a 404 before they are a 405.
    route('*', one, (req, p) => (find(p.sid!) ? unmatched(req) : notFound(req.path))),
  ];
}
