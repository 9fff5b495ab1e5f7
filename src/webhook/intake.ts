// Webhook intake: the one place a provider's webhook is checked and answered. A request is verified
// against the public URL the provider called (signatures cover it), passed through a duplicate
// check, parsed into events, handed to the caller, and answered the way the provider expects.
// `mms listen` uses it for its inbound and status routes and `mms send --wait` for its status
// route; a forwarder (`listen --forward-to`) gets the raw request and may answer with the app's reply.
import type { WebhookEvent } from '../core/types.js';
import type { Credentials, ProviderAdapter, WebhookRequest } from '../providers/types.js';
import type { WebhookHandler, WebhookHttpRequest, WebhookHttpResponse } from './server.js';

/** Which route a webhook came in on. */
export type WebhookKind = 'inbound' | 'status';

/** The adapter members intake uses. */
export type IntakeAdapter = Pick<ProviderAdapter, 'verifyWebhook' | 'parseWebhook' | 'webhookReply'>;

/** A request refused with 403: no valid signature. `client` is the raw User-Agent (sanitize before printing). */
export interface SignatureRejection {
  kind: WebhookKind;
  client: string;
}

/** What the caller does with the events of a verified webhook; it may answer in the adapter's place. */
export type IntakeAnswer = WebhookHttpResponse | Promise<WebhookHttpResponse> | undefined | void;

/** Options of {@link createWebhookIntake}. */
export interface WebhookIntakeOptions {
  adapter: IntakeAdapter;
  kind: WebhookKind;
  /** Public base URL (no trailing slash) the provider calls; the request target is appended to it. */
  publicUrl: string;
  /** Credentials to verify with, read per request (a run may add some after the route exists). */
  credentials: () => Credentials;
  /** --insecure-skip-verify: accept requests without checking signatures. */
  skipVerify?: boolean;
  /** True for a request already processed (a provider's retry or a replay): answered 2xx, not handed on. */
  isDuplicate?: (req: WebhookRequest) => boolean;
  onRejected?: (rejection: SignatureRejection) => void;
  onUnparseable?: (problem: { kind: WebhookKind; message: string }) => void;
  /** Called with a verified webhook's events and the raw request; returning nothing answers with the adapter's reply. */
  onEvents: (events: WebhookEvent[], req: WebhookRequest) => IntakeAnswer;
}

/** The answer to a refused signature. */
export const INVALID_SIGNATURE: WebhookHttpResponse = { status: 403, body: 'invalid signature' };

/** What the provider expects in answer to a webhook (Twilio: empty TwiML, so no auto-reply). */
export function webhookReply(adapter: Pick<ProviderAdapter, 'webhookReply'>, kind: WebhookKind): WebhookHttpResponse {
  return adapter.webhookReply?.(kind) ?? { status: 200 };
}

/** The request as adapters see it: the URL the provider signed is the public base plus the raw target. */
export function toWebhookRequest(req: WebhookHttpRequest, publicUrl: string): WebhookRequest {
  return { method: req.method, publicUrl: `${publicUrl}${req.url}`, headers: req.headers, rawBody: req.rawBody };
}

/** True when the request carries a valid signature (always true with skipVerify; false when the adapter cannot verify). */
export function isVerified(adapter: IntakeAdapter, req: WebhookRequest, credentials: Credentials, skipVerify = false): boolean {
  if (skipVerify) return true;
  return adapter.verifyWebhook?.(req, credentials) ?? false;
}

/** A webhook route handler: verify (403) → duplicate check → parse (400) → the caller → the provider's answer. */
export function createWebhookIntake(opts: WebhookIntakeOptions): WebhookHandler {
  const { adapter, kind } = opts;
  return (httpReq) => {
    const req = toWebhookRequest(httpReq, opts.publicUrl);
    if (!isVerified(adapter, req, opts.credentials(), opts.skipVerify)) {
      opts.onRejected?.({ kind, client: String(httpReq.headers['user-agent'] ?? 'unknown client') });
      return INVALID_SIGNATURE;
    }
    if (opts.isDuplicate?.(req)) return webhookReply(adapter, kind);
    let events: WebhookEvent[];
    try {
      events = adapter.parseWebhook?.(req) ?? [];
    } catch (err) {
      opts.onUnparseable?.({ kind, message: err instanceof Error ? err.message : String(err) });
      return { status: 400, body: 'unparseable webhook' };
    }
    const answer = opts.onEvents(events, req);
    if (answer instanceof Promise) return answer;
    return answer ?? webhookReply(adapter, kind);
  };
}
