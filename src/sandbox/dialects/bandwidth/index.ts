// Bandwidth's wire format, emulated (reference §2):
// - OAuth 2.0 client credentials (oauth.ts): POST /api/v1/oauth2/token (Basic clientId:clientSecret,
//   form grant_type=client_credentials) → {access_token, token_type, expires_in}; API calls then carry
//   `Authorization: Bearer <token>` until it expires (the adapter uses `${baseUrl}/api/v1/oauth2/token`
//   for a non-bandwidth.com base URL, so this one server answers both hosts).
// - Messaging v2 (messaging.bandwidth.com): POST/GET /api/v2/users/{accountId}/messages (messages.ts),
//   media PUT/GET/DELETE /api/v2/users/{accountId}/media/{mediaId} (media.ts); JSON errors
//   {type, description, fieldErrors}; 404 in Spring style.
// - The Dashboard API (api.bandwidth.com, XML): /api/accounts/{accountId}/applications
//   (applications.ts), sites/{siteId}/sippeers (locations) with products/messaging/{features,
//   applicationSettings} and movetns (locations.ts), and /api/tns/{tn}/{sites,sippeers} to find
//   where a number lives (numbers.ts).
//
// Round trip: a message sent to a sandbox number is stored as inbound and POSTed (a JSON array with
// one `message-received` event) to the InboundCallbackUrl of the application assigned to that
// number's location. Status callbacks (message-sending, then message-delivered or message-failed)
// go to the sending application's OutboundCallbackUrl. Both authenticate Bandwidth's way: a first
// POST without credentials, then, after a 401 with `WWW-Authenticate: Basic`, the retry with the
// URL's InboundCallbackCreds/OutboundCallbackCreds (webhooks.ts). Inbound media is stored and served at
// /api/v2/users/{accountId}/media/{messageId}/{n}/{name}, which needs API auth (as on Bandwidth).
//
// Test numbers (To):
//   +15557770090  rejected at once: 400 request-validation, fieldErrors "to"   (RECIPIENT_INVALID)
//   +15557770091  accepted, then message-failed 4720 (invalid destination)
//   +15557770092  accepted, then message-failed 4775 (recipient opted out)
// Sandbox numbers: +15557770041, +15557770042 (on the sandbox location, sandbox application).
import { randomBytes, randomUUID } from 'node:crypto';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from '../../types.js';
import { createRouter } from '../../router.js';
import { stableCredentials } from '../../persist-credentials.js';
import { injectInbound } from './inject.js';
import { bwError, isMessageMeta, springNotFound, xmlError, type BandwidthContext, type BwApp, type SipPeer } from './context.js';
import { KeptDetails } from '../kept.js';
import { bearerOk, token } from './oauth.js';
import { messageRoutes } from './messages.js';
import { mediaRoutes } from './media.js';
import { applicationRoutes } from './applications.js';
import { locationRoutes } from './locations.js';
import { numberRoutes } from './numbers.js';
import { bandwidthSettings } from './settings.js';

type BandwidthCredentials = ReturnType<typeof freshCredentials>;

/** New sandbox account credentials (kept across restarts by stableCredentials). */
function freshCredentials() {
  return {
    accountId: String(9_000_000 + Math.floor(Math.random() * 999_999)),
    applicationId: randomUUID(),
    clientId: randomBytes(16).toString('hex'),
    clientSecret: randomBytes(24).toString('base64url'),
    callbackUsername: `mms-sandbox-${randomBytes(3).toString('hex')}`,
    callbackPassword: randomBytes(18).toString('base64url'),
  };
}

/** The account, its default application, site and location, and the numbers on it. */
function createContext(svc: SandboxServices, creds: BandwidthCredentials): { ctx: BandwidthContext; defaultApp: BwApp } {
  const { accountId, clientId, clientSecret } = creds;
  const callbackCreds = { user: creds.callbackUsername, pass: creds.callbackPassword };
  const ownNumbers = ['+15557770041', '+15557770042'];
  const defaultApp: BwApp = {
    id: creds.applicationId,
    name: 'mms sandbox',
    inboundCreds: { ...callbackCreds },
    outboundCreds: { ...callbackCreds },
    callbackTypes: ['message-delivered', 'message-failed', 'message-sending'],
  };
  const siteId = String(10_000 + Math.floor(Math.random() * 89_999));
  let nextPeer = 500_000 + Math.floor(Math.random() * 99_999);
  const defaultPeer: SipPeer = { id: String(nextPeer++), siteId, name: 'mms sandbox location', isDefault: true, appId: defaultApp.id, sms: true, mms: true };
  const ctx: BandwidthContext = {
    svc,
    accountId,
    clientId,
    clientSecret,
    ownNumbers,
    tokens: new Map(),
    apps: new Map([[defaultApp.id, defaultApp]]),
    siteId,
    nextPeer,
    peers: new Map([[defaultPeer.id, defaultPeer]]),
    tns: new Map(ownNumbers.map((n) => [n.slice(2), defaultPeer.id])),
    media: new Map(),
    meta: new KeptDetails(svc.store, 'bandwidth.meta', isMessageMeta),
    v2: `/api/v2/users/${accountId}`,
    dash: `/api/accounts/${accountId}`,
    mediaPrefix: `/api/v2/users/${accountId}/media/`,
  };
  return { ctx, defaultApp };
}

/** Creates the Bandwidth dialect with fresh sandbox credentials. */
export function createBandwidthDialect(svc: SandboxServices): SandboxDialect {
  const creds = stableCredentials(svc, 'bandwidth', freshCredentials);
  const { callbackUsername, callbackPassword } = creds;
  const { ctx, defaultApp } = createContext(svc, creds);
  const dashboardNotFound = (req: SandboxRequest): SandboxResponse =>
    xmlError(404, 'ErrorResponse', 404, `The resource ${req.path.slice(ctx.dash.length)} was not found`);
  const messaging = createRouter([...messageRoutes(ctx), ...mediaRoutes(ctx)]);
  const dashboard = createRouter([...applicationRoutes(ctx, dashboardNotFound), ...locationRoutes(ctx, dashboardNotFound)]);
  const lookups = createRouter(numberRoutes(ctx));
  return {
    provider: 'bandwidth',
    inject: (m) => injectInbound(ctx, m),
    settings: bandwidthSettings(ctx),
    describe: () => ({
      credentials: {
        accountId: ctx.accountId,
        applicationId: defaultApp.id,
        clientId: ctx.clientId,
        clientSecret: ctx.clientSecret,
        callbackUsername,
        callbackPassword,
      },
      numbers: ctx.ownNumbers,
      defaultFrom: ctx.ownNumbers[0]!,
    }),
    isMessageCreate: (req) => req.method === 'POST' && req.path === `${ctx.v2}/messages`,
    rateLimited: (retryAfter) => ({
      ...bwError(
        429,
        'max-message-queue-size-exceeded',
        'The SMS queue for your account is full and cannot accept more messages right now. Your allowed rate is 60 messages per minute. The capacity of this queue is 900 messages (15 minutes). Reduce your message sending rate, or contact support to increase your allowed rate.',
      ),
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
    }),
    serverError: () => bwError(500, 'internal-server-error', 'An internal server error occurred; the message was not sent.'),
    async handle(req) {
      const path = req.path;
      if (path === '/api/v1/oauth2/token') return token(ctx, req);
      if (!bearerOk(ctx, req)) {
        if (path.startsWith('/api/v2/')) return bwError(401, 'unauthorized', 'Authentication Failed');
        return xmlError(401, 'ErrorResponse', 401, 'Authentication Failed');
      }
      if (path.startsWith('/api/v2/users/')) {
        if (!path.startsWith(`${ctx.v2}/`)) return bwError(403, 'forbidden', 'Access Denied');
        return messaging.dispatch(req, () => springNotFound(path));
      }
      if (path.startsWith('/api/accounts/')) {
        if (!path.startsWith(`${ctx.dash}/`)) return xmlError(403, 'ErrorResponse', 403, 'Access Denied');
        return dashboard.dispatch(req, dashboardNotFound);
      }
      return lookups.dispatch(req, () => springNotFound(path));
    },
  };
}
