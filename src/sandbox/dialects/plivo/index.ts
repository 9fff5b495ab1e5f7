// Plivo's Messaging API v1 wire format, emulated (reference §3): Basic auth_id:auth_token, JSON
// requests (form bodies are accepted too), `{api_id, error}` error bodies with Plivo's sentences,
// a 202 with a `message_uuid` array on send, media fetched after the 202, the Media upload API
// (multipart field `file`, ≤2 MB each) whose media_ids can be sent, and callbacks signed with
// X-Plivo-Signature-V3 and -V2 (both sets are sent; reference §3.7).
// Endpoints (under /plivo):
//   GET  /v1/Account/{auth_id}/                       account (what verifyCredentials calls)
//   POST /v1/Account/{auth_id}/Message/               send; GET …/Message/ list; GET …/Message/{uuid}/
//   GET  /v1/Account/{auth_id}/Message/{uuid}/Media/  media of a message                 messages.ts
//   POST /v1/Account/{auth_id}/Media/                 upload; GET …/Media/ list; GET …/Media/{id}/
//   GET  /media/{auth_id}/{media_id}                  uploaded files, unauthenticated (like media.plivo.com)
//                                                                                         media.ts
//   GET|POST /v1/Account/{auth_id}/Application/       list / create; GET|POST|DELETE …/Application/{app_id}/
//                                                                                         applications.ts
//   GET  /v1/Account/{auth_id}/Number/                list; GET|POST …/Number/{number}/ (POST {app_id} links)
//                                                                                         numbers.ts
// Test numbers (Plivo has none, reference §3.9; these are the sandbox's own):
//   dst 15557770200  400 "15557770200 is not a valid phone number" (synchronous)
//   dst 15557770201  400 "15557770201 is not an MMS enabled phone number" (synchronous, MMS only)
//   dst 15557770202  accepted, then failed with ErrorCode 50 (invalid destination number)
//   dst 15557770203  accepted, then undelivered with ErrorCode 20 (network error)
//   dst 15557770204  accepted, stays `sent` (no delivery receipt, as US carriers often do)
//   Own numbers 15557770021 (default src) and 15557770022, linked to the default application; a
//   message to one of them comes back to the linked application's message_url, signed (webhooks.ts).
import { randomBytes, randomInt } from 'node:crypto';
import type { SandboxDialect, SandboxRequest, SandboxServices } from '../../types.js';
import { json } from '../../types.js';
import { basicCredentials, safeEqual } from '../../auth.js';
import { createRouter, route } from '../../router.js';
import { stableCredentials } from '../../persist-credentials.js';
import { injectInbound } from './inject.js';
import { OWN_NUMBERS, apiId, isExtra, methodNotAllowed, plivoError, restoreUploads, type PlivoContext } from './context.js';
import { KeptDetails } from '../kept.js';
import { messageRoutes } from './messages.js';
import { mediaRoutes, publicMediaRoutes } from './media.js';
import { applicationRoutes, defaultApplication } from './applications.js';
import { numberRoutes } from './numbers.js';
import { plivoSettings } from './settings.js';
import { ReplyDepth } from '../xml-reply.js';

function accountJson(ctx: PlivoContext): Record<string, unknown> {
  return {
    account_type: 'standard',
    address: '127.0.0.1',
    api_id: apiId(),
    auth_id: ctx.authId,
    auto_recharge: false,
    billing_mode: 'prepaid',
    cash_credits: '100.00000',
    city: 'Loopback',
    name: 'mms sandbox',
    resource_uri: `${ctx.accountPath}/`,
    state: '',
    timezone: 'UTC',
  };
}

/** Creates the Plivo dialect with a fresh Auth ID and Auth Token. */
export function createPlivoDialect(svc: SandboxServices): SandboxDialect {
  const alnum = (n: number) => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[randomInt(36)]).join('');
  // Main accounts are MA + 18 upper-case letters or digits (the adapter's pattern).
  const { authId, authToken } = stableCredentials(svc, 'plivo', () => ({
    authId: `MA${alnum(18)}`,
    authToken: randomBytes(30).toString('base64').replace(/[+/=]/g, '').slice(0, 40),
  }));
  const app = defaultApplication();
  const ctx: PlivoContext = {
    svc,
    authId,
    authToken,
    accountPath: `/v1/Account/${authId}`,
    extras: new KeptDetails(svc.store, 'plivo.extra', isExtra),
    uploads: new Map(),
    apps: new Map([[app.app_id, app]]),
    links: new Map(OWN_NUMBERS.map((n) => [n, app.app_id])),
    started: new Date().toISOString(),
    replyDepth: new ReplyDepth(),
  };
  restoreUploads(ctx);
  const publicRouter = createRouter(publicMediaRoutes(ctx));
  const router = createRouter([
    route(['GET'], ctx.accountPath, () => json(200, accountJson(ctx))),
    route(['GET'], `${ctx.accountPath}/`, () => json(200, accountJson(ctx))),
    route('*', ctx.accountPath, () => methodNotAllowed()),
    route('*', `${ctx.accountPath}/`, () => methodNotAllowed()),
    ...messageRoutes(ctx),
    ...mediaRoutes(ctx),
    ...applicationRoutes(ctx),
    ...numberRoutes(ctx),
  ]);

  function authorised(req: SandboxRequest): boolean {
    const c = basicCredentials(req, true);
    return c !== undefined && safeEqual(c.user, authId) && safeEqual(c.pass, authToken);
  }

  return {
    provider: 'plivo',
    inject: (m) => injectInbound(ctx, m),
    settings: plivoSettings(ctx),
    describe: () => ({ credentials: { authId, authToken }, numbers: OWN_NUMBERS.map((n) => `+${n}`), defaultFrom: `+${OWN_NUMBERS[0]!}` }),
    isMessageCreate: (req) => req.method === 'POST' && req.path === `${ctx.accountPath}/Message/`,
    // Plivo documents no Retry-After (reference §3.3); the sandbox sends one so clients can back off.
    rateLimited: (retryAfter) => plivoError(429, 'too many requests', { 'retry-after': String(retryAfter) }),
    serverError: () => plivoError(500, 'internal server error'),
    async handle(req) {
      const media = publicRouter.match(req.method, req.path);
      if (media) return media.route.handler(req, media.params);
      if (!req.path.startsWith('/v1/Account/')) return plivoError(404, 'not found');
      if (!authorised(req)) {
        return {
          ...plivoError(401, 'authentication failed'),
          headers: { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="Authentication Required"' },
        };
      }
      // The Auth ID in the path must be the one authenticated.
      if (req.path !== ctx.accountPath && !req.path.startsWith(`${ctx.accountPath}/`)) return plivoError(401, 'authentication failed');
      return router.dispatch(req, () => plivoError(404, 'not found'));
    },
  };
}
