// Sinch's SMS REST API ("XMS") wire format, emulated (reference §3.1–3.8): MMS as batches of type
// `mt_media` with ONE `body.url`, `Authorization: Bearer <API token>` of the service plan whose id
// is in the path, JSON errors {code, text}, 201 batch objects with ULID-style ids, delivery reports
// (GET …/batches/{id}/delivery_report, callbacks to the batch's callback_url) and inbounds.
// Resources: batches.ts (+ delivery.ts), inbounds.ts (with the re-hosted media), callbacks.ts.
//
// Round trip: a batch sent to one of the sandbox numbers is also stored as an inbound `mo_media`
// and POSTed to the service plan's callback URL (set through the dashboard stand-in in
// callbacks.ts, Bearer API token). Delivery reports go to the batch's callback_url, else to that
// URL, when `delivery_report` asks for them. Every callback carries the HMAC-SHA256 headers
// x-sinch-webhook-signature{,-algorithm,-nonce,-timestamp} (signing enabled on the sandbox plan).
// Inbound media is re-hosted at <base>/mms-media/<id> (unauthenticated; Sinch's is [UNCONFIRMED]).
//
// Delivery codes are the XMS ones as far as known ([UNCONFIRMED] for MMS): 400 Queued,
// 401 Dispatched, 0 Delivered, 402 unroutable, 408 rejected, 413 blocked.
// Test numbers (to):
//   +15557770090  rejected at once: 400 syntax_invalid_parameter_format for "to" (RECIPIENT_INVALID)
//   +15557770091  accepted, then Failed with code 402 (unroutable)
//   +15557770092  accepted, then Rejected with code 413 (blocked)
// Sandbox numbers: +15557770051, +15557770052.
import { randomBytes } from 'node:crypto';
import type { SandboxDialect, SandboxRequest, SandboxServices } from '../../types.js';
import { bearerToken, safeEqual } from '../../auth.js';
import { createRouter } from '../../router.js';
import { stableCredentials } from '../../persist-credentials.js';
import { injectInbound } from './inject.js';
import { isBatch, isInbound, sinchError, type SinchContext } from './context.js';
import { KeptDetails } from '../kept.js';
import { batchRoutes } from './batches.js';
import { inboundRoutes, mediaRoutes } from './inbounds.js';
import { callbackUrl, callbackUrlPlan } from './callbacks.js';
import { sinchSettings } from './settings.js';

/** Creates the Sinch dialect with fresh sandbox credentials. */
export function createSinchDialect(svc: SandboxServices): SandboxDialect {
  const { servicePlanId, apiToken, webhookSecret } = stableCredentials(svc, 'sinch', () => ({
    servicePlanId: randomBytes(16).toString('hex'),
    apiToken: randomBytes(16).toString('hex'),
    webhookSecret: randomBytes(24).toString('base64url'),
  }));
  const ctx: SinchContext = {
    svc,
    servicePlanId,
    apiToken,
    webhookSecret,
    ownNumbers: ['+15557770051', '+15557770052'],
    planCallbackUrl: undefined,
    batches: new KeptDetails(svc.store, 'sinch.batch', isBatch),
    inbounds: new KeptDetails(svc.store, 'sinch.inbound', isInbound),
    hosted: new Map(),
    base: `/xms/v1/${servicePlanId}`,
  };
  const media = createRouter(mediaRoutes(ctx));
  const api = createRouter([...batchRoutes(ctx), ...inboundRoutes(ctx)]);

  function authorised(req: SandboxRequest): boolean {
    const token = bearerToken(req);
    return token !== undefined && safeEqual(token, ctx.apiToken);
  }

  return {
    provider: 'sinch',
    inject: (m) => injectInbound(ctx, m),
    settings: sinchSettings(ctx),
    describe: () => ({
      credentials: { servicePlanId, apiToken: ctx.apiToken, region: 'us', webhookSecret: ctx.webhookSecret },
      numbers: ctx.ownNumbers,
      defaultFrom: ctx.ownNumbers[0]!,
    }),
    isMessageCreate: (req) => req.method === 'POST' && req.path === `${ctx.base}/batches`,
    rateLimited: (retryAfter) => ({
      ...sinchError(429, 'too_many_requests', 'The user or path has too many outstanding requests'),
      // Retry-After is [UNCONFIRMED] for Sinch; the sandbox sends one so clients can pace.
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
    }),
    serverError: () => sinchError(500, 'internal_error', 'An internal error occurred; try again later'),
    async handle(req) {
      const path = req.path;
      const hosted = media.match(req.method, path);
      if (hosted) return hosted.route.handler(req, hosted.params);
      const dashPlan = callbackUrlPlan(path);
      const notFound = () => sinchError(404, 'not_found', `The resource ${path} was not found`);
      if (!path.startsWith('/xms/v1/') && dashPlan === undefined) return notFound();
      const plan = dashPlan ?? path.split('/')[3] ?? '';
      if (!authorised(req) || plan !== servicePlanId) {
        return {
          ...sinchError(401, 'unauthorized', `The API token is not valid for service plan ${plan}`),
          headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
        };
      }
      if (dashPlan !== undefined) return callbackUrl(ctx, req);
      return api.dispatch(req, notFound);
    },
  };
}
