// Telnyx adapter (Messaging API v2).
// Send: https://developers.telnyx.com/docs/messaging/messages/send-message/index (POST /v2/messages)
// Status: GET /v2/messages/{id} (team-telnyx/openapi spec3.json, reference §2.4)
// Credentials check: https://developers.telnyx.com/docs/development/api-fundamentals/first-api-request (GET /v2/balance)
// MMS limits: https://developers.telnyx.com/docs/messaging/messages/send-receive-mms ,
// https://support.telnyx.com/en/articles/4450150-faqs-about-mms-at-telnyx
// Throughput: https://developers.telnyx.com/docs/messaging/messages/rate-limiting
// Wire facts: /work/shared/reference/providers-twilio-telnyx-plivo.md §2.
import { AuthError, ErrorCode, UsageError } from '../../errors/errors.js';
import type { AccountInfo, Credentials, ProviderAdapter, ProviderCallContext } from '../types.js';
import { isUuid, parseJson } from '../shared.js';
import { buildTelnyxPayload, telnyxHeaders, TELNYX_MESSAGES_PATH } from './payload.js';
import { parseTelnyxSend, parseTelnyxStatus, telnyxError } from './response.js';
import { configureTelnyxInbound, restoreTelnyxInbound } from './inbound.js';
import { parseTelnyxWebhook, telnyxPublicKey, verifyTelnyxWebhook } from './webhook.js';

function signalOf(ctx: ProviderCallContext): { signal?: AbortSignal } {
  return ctx.signal ? { signal: ctx.signal } : {};
}

/** The Telnyx adapter. */
export const telnyxAdapter: ProviderAdapter = {
  name: 'telnyx',
  displayName: 'Telnyx',
  defaultBaseUrl: 'https://api.telnyx.com',
  capabilities: {
    maxMedia: 10,
    // The spec says total media "must be less than 1 MB"; decimal MB is the conservative reading.
    // Carriers cap lower on some routes (600 KB toll-free/short code), see reference §2.2.
    maxTotalBytes: 1_000_000,
    maxFileBytes: 1_000_000,
    // Sources disagree (reference §5.6); this is the support FAQ's narrow list, the reliable one.
    mediaTypes: ['image/jpeg', 'image/png', 'image/gif', 'video/mp4', 'video/3gpp', 'text/plain', 'text/vcard'],
    mediaTransport: 'url',
    // No MMS text limit in the stored spec; 1600 matches the other providers [unconfirmed].
    maxBodyChars: 1600,
    statusLookup: true,
    statusCallbacks: true,
    signature: 'telnyx-signature-ed25519: Ed25519 over timestamp|body (account public key), 300 s window',
    defaultRatePerSecond: 15,
    notes: 'Media must be public URLs (Telnyx fetches and caches them for 1 h). No auto-resize unless the messaging profile enables mms_transcoding.',
  },
  credentialFields: [
    { key: 'apiKey', label: 'API Key', secret: true, required: true, env: ['TELNYX_API_KEY'], flag: 'api-key' },
    {
      key: 'publicKey',
      label: 'Public Key (webhook verification)',
      // The account's Ed25519 public key is not a secret; it only verifies webhooks.
      secret: false,
      required: false,
      env: ['TELNYX_PUBLIC_KEY'],
      flag: 'public-key',
      pattern: /^[A-Za-z0-9+/]{43}=$/,
      patternHint: 'base64 of 32 bytes (Mission Control → Keys & Credentials → Public Key)',
    },
  ],
  checkCredentials(creds: Credentials): string[] {
    const problems: string[] = [];
    if (!creds.apiKey) problems.push('API Key is missing');
    if (creds.publicKey && !telnyxPublicKey(creds.publicKey)) problems.push('Public Key must be the base64 Ed25519 key from Mission Control');
    return problems;
  },
  checkSender(from: string) {
    if (/^\+[1-9]\d{1,14}$/.test(from) || /^\d{3,8}$/.test(from) || /^[A-Za-z0-9 ]{1,11}$/.test(from) || isUuid(from)) return undefined;
    return 'must be an E.164 number (+15551234567), a short code, an alphanumeric sender id or a messaging profile id (UUID)';
  },
  async verifyCredentials(ctx: ProviderCallContext): Promise<AccountInfo> {
    // Telnyx's own "first API request" guide uses GET /balance as the authentication check.
    const res = await ctx.http.request({
      method: 'GET',
      url: `${ctx.baseUrl}/v2/balance`,
      headers: telnyxHeaders(ctx.credentials.apiKey ?? ''),
      timeoutMs: 15_000,
      ...signalOf(ctx),
    });
    if (res.status !== 200) {
      const err = telnyxError(res);
      if (res.status === 401 || res.status === 403 || err.code === ErrorCode.AUTH_REJECTED || err.code === ErrorCode.AUTH_FORBIDDEN) {
        throw new AuthError(ErrorCode.AUTH_REJECTED, `Telnyx rejected this API key (${err.message})`, {
          suggestion: 'Create or copy an API key in Mission Control → API Keys and run `mms login telnyx` again',
        });
      }
      throw err;
    }
    const body = parseJson(res.text) as { data?: { balance?: string; currency?: string } } | undefined;
    const bal = body?.data;
    return bal?.balance !== undefined ? { accountLabel: `balance ${bal.balance}${bal.currency ? ` ${bal.currency}` : ''}` } : {};
  },
  async send(req, ctx) {
    const res = await ctx.http.request({
      method: 'POST',
      url: `${ctx.baseUrl}${TELNYX_MESSAGES_PATH}`,
      headers: telnyxHeaders(ctx.credentials.apiKey ?? '', true),
      body: JSON.stringify(buildTelnyxPayload(req)),
      ...signalOf(ctx),
    });
    return parseTelnyxSend(res);
  },
  async getStatus(id, ctx) {
    if (!isUuid(id)) {
      throw new UsageError(`Message id "${id}" is not a Telnyx message id (a UUID)`, { code: ErrorCode.INVALID_ARGUMENT });
    }
    const res = await ctx.http.request({
      method: 'GET',
      url: `${ctx.baseUrl}${TELNYX_MESSAGES_PATH}/${id}`,
      headers: telnyxHeaders(ctx.credentials.apiKey ?? ''),
      ...signalOf(ctx),
    });
    return parseTelnyxStatus(res);
  },
  // No findSent: /v2/messages has no list (reference §2.4). The detail-record APIs
  // (GET /v2/detail_records?filter[record_type]=messaging, GET /v2/reports/mdrs) are billing
  // reports: the reference documents no filter by sender/recipient/creation time to the second
  // and no promise that a message just created is already in them. "Not in the report" would then
  // read as "not sent" and a resumed --journal would send it again (a billed duplicate), so a lost
  // answer stays `unknown` (exit 7) instead.
  webhookSecretProblem(creds) {
    // The public key is optional for sending, but without it no webhook can be verified.
    if (creds.publicKey) return undefined;
    return {
      message: "Telnyx signs webhooks with your account's Ed25519 key, and no public key is configured to check them",
      suggestion: 'Set TELNYX_PUBLIC_KEY (Mission Control → Keys & Credentials → Public Key) or run `mms login --provider telnyx --public-key <key>`',
    };
  },
  mediaAuthHeaders(creds) {
    return creds.apiKey ? { Authorization: `Bearer ${creds.apiKey}` } : undefined;
  },
  verifyWebhook(req, creds) {
    return verifyTelnyxWebhook(req, creds.publicKey ?? '');
  },
  parseWebhook(req) {
    return parseTelnyxWebhook(req);
  },
  configureInbound(number, url, ctx) {
    return configureTelnyxInbound(number, url, ctx);
  },
  restoreInbound(state, ctx) {
    return restoreTelnyxInbound(state, ctx);
  },
};
