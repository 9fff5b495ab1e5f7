// Sinch callbacks (reference §3.7): JSON bodies with the HMAC-SHA256 headers
// x-sinch-webhook-signature{,-algorithm,-nonce,-timestamp} over `body.nonce.timestamp`.
import { createHmac } from 'node:crypto';
import { ulid, type SinchContext } from './context.js';

/** Signs and POSTs a callback; logs and skips it when there is no URL. */
export async function callback(
  ctx: SinchContext,
  url: string | undefined,
  payload: Record<string, unknown>,
  kind: 'inbound' | 'status',
  id: string,
): Promise<void> {
  if (!url) {
    ctx.svc.log(`sinch ${id}: no callback URL (batch callback_url or the service plan's), callback not sent`);
    return;
  }
  const body = JSON.stringify(payload);
  const nonce = ulid();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', ctx.webhookSecret).update(`${body}.${nonce}.${timestamp}`).digest('base64');
  await ctx.svc.deliverWebhook(
    {
      url,
      headers: {
        'content-type': 'application/json',
        'x-sinch-webhook-signature': signature,
        'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
        'x-sinch-webhook-signature-nonce': nonce,
        'x-sinch-webhook-signature-timestamp': timestamp,
      },
      body,
    },
    kind,
    id,
  );
}
