// Twilio's wire format, emulated: Basic auth, form-encoded requests, JSON responses, Twilio-shaped
// errors and the test-credential "magic numbers" (reference §1.9). Media is fetched after the 201,
// as Twilio does, and a failure marks the message failed with Twilio's code.
// Round trip (reference §1.5–1.8): the sandbox's own numbers have IncomingPhoneNumbers resources
// (list/fetch/update SmsUrl…); a message sent to one of them comes back as a signed inbound webhook
// to that number's SmsUrl, with MediaUrl{N} served by the sandbox (Basic auth, like Twilio), and
// every status change of a message with a StatusCallback is POSTed signed.
// Resources: messages.ts (+ delivery.ts), media.ts, numbers.ts; webhooks.ts signs with signature.ts;
// twiml.ts acts on TwiML <Message> replies from an SmsUrl.
import type { SandboxDialect, SandboxRequest, SandboxServices } from '../../types.js';
import { basicCredentials, safeEqual } from '../../auth.js';
import { createRouter } from '../../router.js';
import { stableCredentials } from '../../persist-credentials.js';
import { injectInbound } from './inject.js';
import { API, MAGIC_FROM_OK, TWILIO_SANDBOX_SERVICE_NUMBER, hex, isMediaMetaList, notFound, twilioError, unmatched, type TwilioContext } from './context.js';
import { KeptDetails } from '../kept.js';
import { messageRoutes } from './messages.js';
import { ReplyDepth } from '../xml-reply.js';
import { mediaRoutes, restoreMedia } from './media.js';
import { createNumbers, numberRoutes } from './numbers.js';
import { twilioSettings } from './settings.js';

/** Creates the Twilio dialect with fresh sandbox credentials. */
export function createTwilioDialect(svc: SandboxServices, creds?: { accountSid: string; authToken: string }): SandboxDialect {
  const { accountSid, authToken } = creds ?? stableCredentials(svc, 'twilio', () => ({ accountSid: `AC${hex(16)}`, authToken: hex(16) }));
  const ownNumbers = [MAGIC_FROM_OK, '+15557770001', '+15557770002'];
  const ctx: TwilioContext = {
    svc,
    accountSid,
    authToken,
    accountPath: `${API}/Accounts/${accountSid}`,
    ownNumbers,
    numbers: createNumbers([...ownNumbers, TWILIO_SANDBOX_SERVICE_NUMBER]),
    media: new Map(),
    mediaKeptBytes: 0,
    mediaMeta: new KeptDetails(svc.store, 'twilio.media', isMediaMetaList),
    replyDepth: new ReplyDepth(),
  };
  restoreMedia(ctx);
  const router = createRouter([...messageRoutes(ctx), ...mediaRoutes(ctx), ...numberRoutes(ctx)]);

  function authorised(req: SandboxRequest): boolean {
    const c = basicCredentials(req, true);
    return c !== undefined && safeEqual(c.user, accountSid) && safeEqual(c.pass, authToken);
  }

  return {
    provider: 'twilio',
    primary: true,
    inject: (m) => injectInbound(ctx, m),
    settings: twilioSettings(ctx),
    describe: () => ({ credentials: { accountSid, authToken }, numbers: ownNumbers, defaultFrom: MAGIC_FROM_OK }),
    isMessageCreate: (req) => req.method === 'POST' && req.path.endsWith('/Messages.json'),
    rateLimited: (retryAfter) => ({
      ...twilioError(429, 20429, 'Too Many Requests'),
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
    }),
    serverError: () => twilioError(500, 20500, 'An internal server error has occurred'),
    async handle(req) {
      if (!req.path.startsWith(`${API}/Accounts/`)) return notFound(req.path);
      if (!authorised(req)) {
        return { ...twilioError(401, 20003, 'Authenticate'), headers: { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="Twilio API"' } };
      }
      if (!req.path.startsWith(ctx.accountPath)) return notFound(req.path);
      return router.dispatch(req, unmatched);
    },
  };
}
