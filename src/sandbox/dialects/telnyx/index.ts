// Telnyx's Messaging API v2 wire format, emulated (reference §2): Bearer API key, JSON requests
// and `{data: …}` / `{errors: [{code (a string), title, detail, source}]}` responses, per-recipient
// statuses in `to[].status`, media fetched after the 200 as Telnyx does, and webhooks signed with
// the account's Ed25519 key over `telnyx-timestamp|body` (reference §2.7).
// Endpoints (under /telnyx):
//   GET    /v2/balance                          credentials check (what verifyCredentials calls)
//   POST   /v2/messages                         send; GET /v2/messages/{id} status     messages.ts
//   GET    /v2/messaging_profiles               list; POST create; GET/PATCH/DELETE /{id}   profiles.ts
//   GET    /v2/phone_numbers/messaging          ?filter[phone_number]=…&filter[messaging_profile_id]=…
//   GET    /v2/phone_numbers/{id}/messaging     one number's messaging settings; PATCH moves it to a
//                                               profile                                 numbers.ts
// Test numbers (Telnyx has no magic numbers, reference §2.9; these are the sandbox's own):
//   To +15557770100  400 40310 Invalid 'to' address (synchronous)
//   To +15557770101  400 40300 blocked: the recipient replied STOP (synchronous)
//   To +15557770102  accepted, then sending_failed 40001 Not routable (landline)
//   To +15557770103  accepted, then delivery_failed 40008 Undeliverable
//   To +15557770104  accepted, then delivery_unconfirmed (finalized, no carrier receipt)
//   Own numbers +15557770011 (default from) and +15557770012, both on the default messaging
//   profile; a message to one of them comes back as a signed message.received webhook (webhooks.ts).
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { stableCredentials } from '../../persist-credentials.js';
import { injectInbound } from './inject.js';
import type { SandboxDialect, SandboxRequest, SandboxServices } from '../../types.js';
import { json } from '../../types.js';
import { bearerToken, safeEqual } from '../../auth.js';
import { createRouter, route } from '../../router.js';
import { OWN_NUMBERS, err, errorsBody, isExtra, type TelnyxContext } from './context.js';
import { KeptDetails } from '../kept.js';
import { messageRoutes } from './messages.js';
import { defaultProfile, profileRoutes } from './profiles.js';
import { createNumbers, numberRoutes } from './numbers.js';
import { telnyxSettings } from './settings.js';
import { rawPublicKey } from './signature.js';

const BALANCE = { record_type: 'balance', balance: '100.00', credit_limit: '0.00', available_credit: '100.00', pending: '0.00', currency: 'USD' };

/** Creates the Telnyx dialect with a fresh API key and Ed25519 key pair. */
export function createTelnyxDialect(svc: SandboxServices): SandboxDialect {
  const saved = stableCredentials(svc, 'telnyx', () => ({
    apiKey: `KEY${randomBytes(16).toString('hex').toUpperCase()}_${randomBytes(16).toString('base64url')}`,
    privateKeyPem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  }));
  const apiKey = saved.apiKey;
  const privateKey = createPrivateKey(saved.privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const publicKeyB64 = rawPublicKey(publicKey);
  const started = new Date().toISOString();
  const profile = defaultProfile(started);
  const ctx: TelnyxContext = {
    svc,
    apiKey,
    privateKey,
    organizationId: randomUUID(),
    extras: new KeptDetails(svc.store, 'telnyx.extra', isExtra),
    profiles: new Map([[profile.id, profile]]),
    numbers: createNumbers(OWN_NUMBERS, profile.id, started),
  };
  const router = createRouter([
    route('GET', '/v2/balance', () => json(200, { data: BALANCE })),
    ...messageRoutes(ctx),
    ...profileRoutes(ctx),
    ...numberRoutes(ctx),
  ]);

  function authorised(req: SandboxRequest): boolean {
    const token = bearerToken(req);
    return token !== undefined && safeEqual(token, apiKey);
  }

  return {
    provider: 'telnyx',
    inject: (m) => injectInbound(ctx, m),
    settings: telnyxSettings(ctx),
    describe: () => ({ credentials: { apiKey, publicKey: publicKeyB64 }, numbers: [...OWN_NUMBERS], defaultFrom: OWN_NUMBERS[0]! }),
    isMessageCreate: (req) => req.method === 'POST' && req.path.replace(/\/+$/, '') === '/v2/messages',
    rateLimited: (retryAfter) =>
      errorsBody(429, [{ code: '10011', title: 'Too many requests', detail: 'You have exceeded the rate limit for this endpoint. Try again later.' }], {
        'x-ratelimit-limit': '15',
        'x-ratelimit-remaining': '0',
        // Seconds until the window resets (reference §2.3); Telnyx documents no Retry-After.
        'x-ratelimit-reset': String(retryAfter),
      }),
    serverError: () => err(500, '10007', 'Unexpected error', 'An unexpected error occurred.'),
    async handle(req) {
      // Telnyx ignores trailing slashes.
      const path = req.path.replace(/\/+$/, '') || '/';
      const notFound = () => err(404, '10005', 'Resource not found', `The requested resource ${req.path} was not found.`);
      if (!path.startsWith('/v2/')) return notFound();
      if (!authorised(req))
        return err(401, '10009', 'Authentication failed', 'The API key looks malformed or is not valid. Check that you copied it correctly.');
      return router.dispatch({ ...req, path }, notFound);
    },
  };
}
