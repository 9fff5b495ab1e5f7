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
import { adapterFacts, hasWebhookSecret, loginCommand, webhookSecretHint } from '../descriptor.js';
import { callClient } from '../http-client.js';
import { telnyxDescriptor } from './descriptor.js';
import { buildTelnyxPayload, telnyxHeaders, TELNYX_MESSAGES_PATH } from './payload.js';
import { parseTelnyxSend, parseTelnyxStatus, telnyxError } from './response.js';
import { configureTelnyxInbound, restoreTelnyxInbound } from './inbound.js';
import { parseTelnyxWebhook, telnyxPublicKey, verifyTelnyxWebhook } from './webhook.js';

/** The Telnyx adapter. */
export const telnyxAdapter: ProviderAdapter = {
  ...adapterFacts(telnyxDescriptor),
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
    const res = await callClient(ctx).request({
      method: 'GET',
      url: `${ctx.baseUrl}/v2/balance`,
      headers: telnyxHeaders(ctx.credentials.apiKey ?? ''),
      timeoutMs: 15_000,
    });
    if (res.status !== 200) {
      const err = telnyxError(res);
      if (res.status === 401 || res.status === 403 || err.code === ErrorCode.AUTH_REJECTED || err.code === ErrorCode.AUTH_FORBIDDEN) {
        throw new AuthError(ErrorCode.AUTH_REJECTED, `Telnyx rejected this API key (${err.message})`, {
          suggestion: `Create or copy an API key in Mission Control → API Keys and run \`${loginCommand(telnyxDescriptor)}\` again`,
        });
      }
      throw err;
    }
    const body = parseJson(res.text) as { data?: { balance?: string; currency?: string } } | undefined;
    const bal = body?.data;
    return bal?.balance !== undefined ? { accountLabel: `balance ${bal.balance}${bal.currency ? ` ${bal.currency}` : ''}` } : {};
  },
  async send(req, ctx) {
    const res = await callClient(ctx).request({
      method: 'POST',
      url: `${ctx.baseUrl}${TELNYX_MESSAGES_PATH}`,
      headers: telnyxHeaders(ctx.credentials.apiKey ?? '', true),
      body: JSON.stringify(buildTelnyxPayload(req)),
    });
    return parseTelnyxSend(res);
  },
  async getStatus(id, ctx) {
    if (!isUuid(id)) {
      throw new UsageError(`Message id "${id}" is not a Telnyx message id (a UUID)`, { code: ErrorCode.INVALID_ARGUMENT });
    }
    const res = await callClient(ctx).request({
      method: 'GET',
      url: `${ctx.baseUrl}${TELNYX_MESSAGES_PATH}/${id}`,
      headers: telnyxHeaders(ctx.credentials.apiKey ?? ''),
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
    if (hasWebhookSecret(telnyxDescriptor, creds)) return undefined;
    return {
      message: "Telnyx signs webhooks with your account's Ed25519 key, and no public key is configured to check them",
      suggestion: webhookSecretHint(telnyxDescriptor),
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
