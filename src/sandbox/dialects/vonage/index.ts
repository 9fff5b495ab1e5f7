// Vonage's wire format, emulated (reference §1): Messages API v1 (POST /v1/messages, channel
// "mms", Basic api_key:api_secret or an RS256 application JWT), RFC 7807-style error bodies with
// `#NNNN` codes, Applications API v2 (Basic only) and the Numbers API (`/account/numbers`,
// `/number/update`, api_key/api_secret as parameters; rest.nexmo.com in real life, the same base
// URL here). There is no GET-message endpoint (Messages v1 has none): status goes out by webhook.
// Resources: messages.ts (+ delivery.ts), media.ts, applications.ts, numbers.ts; webhooks.ts signs.
//
// Round trip: a message sent to one of the sandbox numbers is stored as inbound and POSTed to the
// `messages.webhooks.inbound_url` of the application linked to that number; status webhooks go to
// the message's `webhook_url`, else the application's `status_url`. Both carry
// `Authorization: Bearer <HS256 JWT>` signed with the signature secret, with `payload_hash`.
// Inbound media is re-hosted at <base>/v3/media/<uuid> (unauthenticated, like "standard" mode).
//
// Test numbers (To, E.164 — Vonage writes them without "+"):
//   +15557770090  rejected at once: 422 #1020, invalid_parameters "to"   (RECIPIENT_INVALID)
//   +15557770091  accepted, then status "rejected" with error 1050 (number barred)
//   +15557770092  accepted, then status "undeliverable" with error 1100 (communication failed)
// Sandbox numbers: +15557770031, +15557770032 (linked to the sandbox application).
import { randomBytes, randomUUID } from 'node:crypto';
import type { SandboxDialect, SandboxServices } from '../../types.js';
import { createRouter } from '../../router.js';
import { stableCredentials } from '../../persist-credentials.js';
import { injectInbound } from './inject.js';
import { ERR, defaultKeyPair, problem, type VonageApp, type VonageContext } from './context.js';
import { messageRoutes } from './messages.js';
import { mediaRoutes } from './media.js';
import { applicationRoutes } from './applications.js';
import { numberRoutes } from './numbers.js';
import { vonageSettings } from './settings.js';

/** Creates the Vonage dialect with fresh sandbox credentials. */
export function createVonageDialect(svc: SandboxServices): SandboxDialect {
  // Real API keys are 8 hex characters, secrets 16 alphanumerics (the adapter accepts 6–16).
  // The key names are given: a saved set then spares the RSA key pair (up to a second of CPU) at each start.
  const { apiKey, apiSecret, signatureSecret, applicationId, ...keys } = stableCredentials(
    svc,
    'vonage',
    () => ({
      apiKey: randomBytes(4).toString('hex'),
      apiSecret: randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16),
      signatureSecret: randomBytes(24).toString('base64url'),
      applicationId: randomUUID(),
      ...defaultKeyPair(svc.credentials?.renewing),
    }),
    ['apiKey', 'apiSecret', 'signatureSecret', 'applicationId', 'publicKey', 'privateKey'],
  );
  const ownNumbers = ['+15557770031', '+15557770032'];
  const defaultApp: VonageApp = {
    id: applicationId,
    name: 'mms sandbox',
    publicKey: keys.publicKey,
    capabilities: { messages: { webhooks: {}, version: 'v1' } },
  };
  const ctx: VonageContext = {
    svc,
    apiKey,
    apiSecret,
    signatureSecret,
    ownNumbers,
    apps: new Map([[defaultApp.id, defaultApp]]),
    defaultAppId: defaultApp.id,
    links: new Map(ownNumbers.map((n) => [n.slice(1), defaultApp.id])),
    hosted: new Map(),
  };
  const router = createRouter([...messageRoutes(ctx), ...applicationRoutes(ctx), ...numberRoutes(ctx), ...mediaRoutes(ctx)]);
  return {
    provider: 'vonage',
    inject: (m) => injectInbound(ctx, m),
    settings: vonageSettings(ctx),
    describe: () => ({
      credentials: { apiKey, apiSecret, applicationId: defaultApp.id, privateKey: keys.privateKey, signatureSecret },
      numbers: ownNumbers,
      defaultFrom: ownNumbers[0]!,
    }),
    isMessageCreate: (req) => req.method === 'POST' && req.path === '/v1/messages',
    rateLimited: (retryAfter) => ({
      ...problem(429, `${ERR}#1000`, 'Rate Limit Hit', 'Please wait, then retry your request'),
      // Vonage documents no Retry-After [UNCONFIRMED]; the sandbox sends one so clients can pace.
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
    }),
    serverError: () => problem(500, `${ERR}#1030`, 'Internal Error', 'An internal error occurred; try again later.'),
    async handle(req) {
      return router.dispatch(req, () =>
        problem(404, 'https://developer.nexmo.com/api-errors#not-found', 'Not Found', `The requested resource ${req.path} does not exist`),
      );
    },
  };
}
