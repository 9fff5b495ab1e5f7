// Bandwidth's OAuth 2.0 client credentials (reference §2): POST /api/v1/oauth2/token with Basic
// clientId:clientSecret and grant_type=client_credentials → a Bearer token for the API calls.
import { randomBytes } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { basicCredentials, bearerToken, safeEqual } from '../../auth.js';
import type { BandwidthContext } from './context.js';

const TOKEN_TTL_S = 3600;

/** True for a Bearer token this dialect issued and that has not expired. */
export function bearerOk(ctx: BandwidthContext, req: SandboxRequest): boolean {
  const token = bearerToken(req);
  if (token === undefined) return false;
  const exp = ctx.tokens.get(token);
  if (exp === undefined) return false;
  if (Date.now() >= exp) {
    ctx.tokens.delete(token);
    return false;
  }
  return true;
}

/** The token endpoint. */
export function token(ctx: BandwidthContext, req: SandboxRequest): SandboxResponse {
  if (req.method !== 'POST') return json(405, { error: 'invalid_request', error_description: 'Use POST' });
  const c = basicCredentials(req);
  if (!c || !safeEqual(c.user, ctx.clientId) || !safeEqual(c.pass, ctx.clientSecret)) {
    return json(401, { error: 'invalid_client', error_description: 'Client authentication failed' }, { 'www-authenticate': 'Basic realm="bandwidth"' });
  }
  const form = new URLSearchParams(req.rawBody.toString('utf8'));
  if (form.get('grant_type') !== 'client_credentials') {
    return json(400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
  }
  const access = randomBytes(32).toString('base64url');
  ctx.tokens.set(access, Date.now() + TOKEN_TTL_S * 1000);
  if (ctx.tokens.size > 10_000) ctx.tokens.delete(ctx.tokens.keys().next().value!);
  return json(200, { access_token: access, token_type: 'Bearer', expires_in: TOKEN_TTL_S, scope: 'messaging' });
}
