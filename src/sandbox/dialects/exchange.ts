// A webhook delivery whose answer the dialect needs: Bandwidth's authentication challenge (401 with
// WWW-Authenticate, then a retry with credentials) and Twilio's TwiML reply (the app's answer to an
// inbound message is acted on). services.deliverWebhook() records the attempt but keeps the answer
// to itself, so loopback deliveries are made here, recorded in the store the same way; any other
// URL goes through services.deliverWebhook(), which applies the --fetch-remote-media policy, and
// its answer is not seen (no challenge retry, no TwiML reply for remote URLs).
import { isLoopbackHost } from '../media-fetch.js';
import type { OutgoingWebhook, SandboxServices } from '../types.js';

/** What the receiver answered. */
export interface WebhookAnswer {
  status: number;
  headers: Headers;
  /** At most ANSWER_LIMIT bytes of the body, as UTF-8. */
  body: string;
}

/** A TwiML reply is small; anything beyond this is not read. */
const ANSWER_LIMIT = 64 * 1024;

async function readLimited(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= ANSWER_LIMIT) {
      await res.body.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_LIMIT).toString('utf8');
}

/** True when exchangeWebhook() can return the answer for `url` (a loopback URL). */
export function answerVisible(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

/**
 * POSTs a webhook, records the attempt, and returns the answer; undefined when the request failed
 * or the URL is not on loopback (then delivered, or refused, by services.deliverWebhook). Never throws.
 */
export async function exchangeWebhook(
  svc: SandboxServices,
  hook: OutgoingWebhook,
  kind: 'inbound' | 'status',
  messageId: string,
): Promise<WebhookAnswer | undefined> {
  if (!answerVisible(hook.url)) {
    await svc.deliverWebhook(hook, kind, messageId);
    return undefined;
  }
  const u = new URL(hook.url);
  const attempt = svc.store.startWebhook({ kind, messageId, url: hook.url });
  let answer: WebhookAnswer | undefined;
  try {
    const body = typeof hook.body === 'string' ? hook.body : new Uint8Array(hook.body);
    const res = await fetch(u, { method: 'POST', headers: hook.headers, body, signal: AbortSignal.timeout(15_000), redirect: 'manual' });
    answer = { status: res.status, headers: res.headers, body: await readLimited(res) };
    svc.store.finishWebhook(attempt, { status: res.status });
  } catch (err) {
    svc.store.finishWebhook(attempt, { error: (err as Error).message });
  }
  svc.log(`webhook ${kind} ${messageId} → ${hook.url}: ${attempt.status ?? attempt.error}`);
  return answer;
}
