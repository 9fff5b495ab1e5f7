// Twilio's wire formats, from the docs (not from src/): the Message resource
// (https://www.twilio.com/docs/messaging/api/message-resource), the error body
// (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions: code, message,
// more_info, status) and the list paging fields (uri, first_page_uri, next_page_uri,
// previous_page_uri, page, page_size, start, end). Dates are RFC 2822 strings in GMT
// ("Thu, 24 Aug 2023 05:01:45 +0000"); num_media and num_segments are strings.
import { randomBytes } from 'node:crypto';

export const API_VERSION = '2010-04-01';

/** A Twilio SID: two-letter prefix and 32 lower-case hex characters. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 2822 date in GMT with whole seconds, as Twilio writes date_created and friends. */
export function rfc2822(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const time = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time} +0000`;
}

/** The JSON error body Twilio sends with every 4xx/5xx it answers itself. */
export function errorBody(status: number, code: number, message: string): string {
  return JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/** One stored message (what the mock knows; `toJson` renders the public resource). */
export interface StoredMessage {
  sid: string;
  accountSid: string;
  to: string;
  /** The sender: the From given, or the pool number a Messaging Service picked. */
  from: string;
  messagingServiceSid: string | null;
  body: string;
  mediaUrls: string[];
  statusCallback: string | null;
  /** Provider time (ms) of creation: date_created. */
  createdAt: number;
  /** Provider time (ms) from which list results include it (creation + list lag). */
  listedFrom: number;
  /** Provider time (ms) from which fetch and list know it at all (a late commit). */
  committedAt: number;
}

/** Message lifecycle on the provider's clock: queued, then sent, then delivered. */
export interface Progress {
  sentAfterMs: number;
  deliveredAfterMs: number;
}

/** The status and date_sent a message has at provider time `now`. */
export function statusAt(m: StoredMessage, now: number, progress: Progress): { status: string; dateSent: number | null } {
  if (now >= m.createdAt + progress.deliveredAfterMs) return { status: 'delivered', dateSent: m.createdAt + progress.sentAfterMs };
  if (now >= m.createdAt + progress.sentAfterMs) return { status: 'sent', dateSent: m.createdAt + progress.sentAfterMs };
  return { status: 'queued', dateSent: null };
}

/** The Message resource as JSON (fetch, list and — with `created` — the create response). */
export function messageJson(m: StoredMessage, now: number, progress: Progress, created = false): Record<string, unknown> {
  const base = `/${API_VERSION}/Accounts/${m.accountSid}/Messages/${m.sid}`;
  const { status, dateSent } = statusAt(m, now, progress);
  // A Messaging Service picks the sender after accepting: the create response has no `from` yet
  // and says "accepted"; later reads show the pool number (docs: "accepted" is the initial
  // status of messages sent through a Messaging Service).
  const isPending = created && m.messagingServiceSid !== null;
  return {
    account_sid: m.accountSid,
    api_version: API_VERSION,
    body: m.body,
    date_created: rfc2822(m.createdAt),
    date_sent: dateSent === null ? null : rfc2822(dateSent),
    date_updated: rfc2822(created ? m.createdAt : Math.max(m.createdAt, dateSent ?? m.createdAt)),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: isPending ? null : m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: String(m.mediaUrls.length),
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: isPending ? 'accepted' : created ? 'queued' : status,
    subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
    to: m.to,
    uri: `${base}.json`,
  };
}

/** A gateway's own error page: HTML, no Twilio error body (what a load balancer in front sends). */
export function gatewayPage(status: number): string {
  const title = status === 504 ? '504 Gateway Time-out' : status === 503 ? '503 Service Temporarily Unavailable' : '502 Bad Gateway';
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}
