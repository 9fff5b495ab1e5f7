// A webhook delivery whose answer the dialect needs: Bandwidth's authentication challenge (401 with
// WWW-Authenticate, then a retry with credentials) and Twilio's and Plivo's XML replies (the app's
// answer to an inbound message is acted on). services.deliverWebhook() POSTs (loopback only unless
// --fetch-remote-media), records the attempt with its request and answer, and returns the answer.
import type { OutgoingWebhook, SandboxServices, WebhookAnswer } from '../types.js';

export type { WebhookAnswer } from '../types.js';

/** POSTs a webhook, records the attempt, and returns the answer; undefined when none came. Never throws. */
export function exchangeWebhook(
  svc: SandboxServices,
  hook: OutgoingWebhook,
  kind: 'inbound' | 'status',
  messageId: string,
): Promise<WebhookAnswer | undefined> {
  return svc.deliverWebhook(hook, kind, messageId);
}
