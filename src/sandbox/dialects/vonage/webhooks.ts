// Vonage webhooks (reference §1): JSON bodies with `Authorization: Bearer <HS256 JWT>` signed with
// the account's signature secret, carrying `payload_hash` (SHA-256 of the body).
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { VonageContext } from './context.js';

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

/** The webhook JWT for `body`. */
function sign(ctx: VonageContext, body: string, applicationId: string | undefined): string {
  const claims: Record<string, unknown> = {
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    iss: 'Vonage',
    payload_hash: createHash('sha256').update(body).digest('hex'),
    api_key: ctx.apiKey,
  };
  if (applicationId) claims.application_id = applicationId;
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', ctx.signatureSecret).update(input).digest('base64url')}`;
}

/** Signs and POSTs a webhook; logs and skips it when no URL is configured. */
export async function post(
  ctx: VonageContext,
  url: string | undefined,
  payload: Record<string, unknown>,
  appId: string | undefined,
  kind: 'inbound' | 'status',
  id: string,
): Promise<void> {
  if (!url) {
    ctx.svc.log(`vonage ${id}: no ${kind === 'inbound' ? 'inbound_url' : 'status_url/webhook_url'} configured, webhook not sent`);
    return;
  }
  const body = JSON.stringify(payload);
  await ctx.svc.deliverWebhook(
    { url, headers: { 'content-type': 'application/json', authorization: `Bearer ${sign(ctx, body, appId)}`, 'user-agent': 'Vonage-Messages' }, body },
    kind,
    id,
  );
}
