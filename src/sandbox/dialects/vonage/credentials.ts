// How Vonage callers authenticate (reference §1): Basic api_key:api_secret, an RS256 application
// JWT (Messages API), or api_key/api_secret parameters (Numbers API).
import { createVerify } from 'node:crypto';
import type { SandboxRequest } from '../../types.js';
import { basicCredentials, bearerToken, safeEqual } from '../../auth.js';
import { str, type VonageApp, type VonageContext } from './context.js';

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** True for `Authorization: Basic api_key:api_secret`. */
export function basicOk(ctx: VonageContext, req: SandboxRequest): boolean {
  const c = basicCredentials(req);
  return c !== undefined && c.user !== '' && safeEqual(c.user, ctx.apiKey) && safeEqual(c.pass, ctx.apiSecret);
}

/** Verifies an RS256 application JWT; returns the application it was signed for. */
export function jwtApp(ctx: VonageContext, req: SandboxRequest): VonageApp | undefined {
  const token = bearerToken(req);
  if (!token) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodeJson(parts[0]!);
  const claims = decodeJson(parts[1]!);
  if (!header || header.alg !== 'RS256' || !claims) return undefined;
  const app = ctx.apps.get(str(claims.application_id));
  if (!app) return undefined;
  const ok = createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(app.publicKey, Buffer.from(parts[2]!, 'base64url'));
  if (!ok) return undefined;
  const now = Date.now() / 1000;
  if (typeof claims.exp === 'number' && now > claims.exp) return undefined;
  return app;
}

/** The Numbers API takes api_key/api_secret as query or form parameters (or Basic). */
export function paramsOk(ctx: VonageContext, req: SandboxRequest, form: URLSearchParams): boolean {
  if (basicOk(ctx, req)) return true;
  const key = form.get('api_key') ?? req.query.get('api_key') ?? '';
  const secret = form.get('api_secret') ?? req.query.get('api_secret') ?? '';
  return safeEqual(key, ctx.apiKey) && safeEqual(secret, ctx.apiSecret);
}
