// Sinch adapter (SMS REST API "XMS", MMS via `mt_media`, service-plan API token).
// Send:     https://developers.sinch.com/docs/sms/api-reference/sms/tag/Batches/  (POST …/batches → 201)
// MMS:      https://developers.sinch.com/docs/sms/api-reference/mms-support
// Status:   https://developers.sinch.com/docs/sms/api-reference/sms/tag/Delivery-reports/
// Log:      https://developers.sinch.com/docs/sms/api-reference/sms/tag/Batches/#tag/Batches/operation/ListBatches
//           (GET …/batches?from=&start_date=&page=&page_size≤100; no `to` filter: matched here) (findSent)
// Webhooks: https://developers.sinch.com/docs/sms/api-reference/sms/tag/Webhooks/
// Wire facts: /work/shared/reference/providers-vonage-bandwidth-sinch-aws.md §3.1–3.9.
import { AuthError, ErrorCode } from '../../errors/errors.js';
import type { AccountInfo, Credentials, ProviderAdapter, ProviderCallContext } from '../types.js';
import { SINCH_DEFAULT_BASE_URL, SINCH_REGIONS, batchesPath, buildSinchPayload, sinchAuthHeader, sinchBaseUrl } from './payload.js';
import { findSinchSent, parseSinchDeliveryReport, parseSinchSend, sinchError, sinchTimeFilter } from './response.js';
import { parseSinchWebhook, verifySinchWebhook } from './webhook.js';
import { configureSinchInbound, restoreSinchInbound } from './inbound.js';

function apiBase(ctx: ProviderCallContext): string {
  return `${sinchBaseUrl(ctx.baseUrl, ctx.credentials.region)}${batchesPath(ctx.credentials.servicePlanId ?? '')}`;
}

function headers(ctx: ProviderCallContext): Record<string, string> {
  return { Authorization: sinchAuthHeader(ctx.credentials.apiToken ?? ''), Accept: 'application/json' };
}

/** The Sinch adapter. */
export const sinchAdapter: ProviderAdapter = {
  name: 'sinch',
  displayName: 'Sinch',
  defaultBaseUrl: SINCH_DEFAULT_BASE_URL,
  capabilities: {
    // mt_media has a single `body.url`.
    maxMedia: 1,
    // Sinch publishes no hard XMS MMS size limit; it recommends under 1 MB (carrier limits).
    maxFileBytes: 1024 * 1024,
    maxTotalBytes: 1024 * 1024,
    mediaTypes: [
      'image/jpeg', 'image/png', 'image/gif',
      'audio/mpeg', 'audio/mp4', 'audio/amr',
      'video/mp4', 'video/3gpp', 'video/quicktime',
      'text/vcard', 'text/x-vcard', 'text/calendar', 'application/pdf',
    ],
    mediaTransport: 'url',
    // Not published for mt_media text; a conservative guard.
    maxBodyChars: 1600,
    statusLookup: true,
    // callback_url per batch, with delivery_report "per_recipient".
    statusCallbacks: true,
    signature: 'x-sinch-webhook-signature: base64 HMAC-SHA256 of body.nonce.timestamp (optional, set up per service plan)',
    // Throughput is set per service plan by Sinch and not published; 1/s is a safe default.
    defaultRatePerSecond: 1,
    notes:
      'MMS through the SMS REST API (mt_media): ONE media item per message, given as a public URL ' +
      '(no upload API); the media server must send Content-Length (no chunked encoding) and a real ' +
      'Content-Type. US, Canada, Australia and Puerto Rico only, enabled by your account manager; Sinch has ' +
      'scheduled this MMS route for deprecation. Text-only messages go out as SMS. Size and type limits ' +
      'are not published (under 1 MB recommended). Inbound messages go to the service plan callback URL ' +
      'set in the dashboard. Webhook signing must be enabled for the service plan.',
  },
  credentialFields: [
    { key: 'servicePlanId', label: 'Service plan ID', secret: false, required: true, env: ['SINCH_SERVICE_PLAN_ID'], flag: 'service-plan-id', pattern: /^[A-Za-z0-9]{8,64}$/, patternHint: 'letters and digits, from dashboard.sinch.com/sms/api/services' },
    { key: 'apiToken', label: 'API token', secret: true, required: true, env: ['SINCH_API_TOKEN'], flag: 'api-token' },
    { key: 'region', label: 'Region (us, eu, br, ca, au)', secret: false, required: false, env: ['SMS_REGION', 'SINCH_SMS_REGION'], flag: 'region', pattern: /^(us|eu|br|ca|au)$/, patternHint: 'one of us, eu, br, ca, au' },
    // Sinch defines no env name for the webhook secret; this one is ours.
    { key: 'webhookSecret', label: 'Webhook signing secret', secret: true, required: false, env: ['SINCH_WEBHOOK_SECRET'], flag: 'webhook-secret' },
  ],
  checkCredentials(creds: Credentials): string[] {
    const problems: string[] = [];
    if (!creds.servicePlanId) problems.push('Service plan ID is missing');
    if (!creds.apiToken) problems.push('API token is missing');
    if (creds.region && !(SINCH_REGIONS as readonly string[]).includes(creds.region.toLowerCase())) {
      problems.push(`Region must be one of ${SINCH_REGIONS.join(', ')}`);
    }
    return problems;
  },
  checkSender(from: string) {
    if (/^\+[1-9]\d{1,14}$/.test(from) || /^\d{3,8}$/.test(from)) return undefined;
    return 'must be a number of this service plan in E.164 (+15551234567) or a short code';
  },
  async verifyCredentials(ctx: ProviderCallContext): Promise<AccountInfo> {
    const res = await ctx.http.request({
      method: 'GET',
      url: `${apiBase(ctx)}?page_size=1`,
      headers: headers(ctx),
      timeoutMs: 15_000,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (res.status === 401 || res.status === 403) {
      throw new AuthError(ErrorCode.AUTH_REJECTED, `Sinch rejected these credentials (${sinchError(res).message})`, {
        suggestion: 'Copy the service plan ID and API token from dashboard.sinch.com/sms/api/services, check SMS_REGION, then run `mms login sinch` again',
      });
    }
    if (res.status !== 200) throw sinchError(res);
    return { accountLabel: `service plan ${ctx.credentials.servicePlanId ?? ''} (${(ctx.credentials.region ?? 'us').toLowerCase()})` };
  },
  async send(req, ctx) {
    const body = JSON.stringify(buildSinchPayload(req));
    const res = await ctx.http.request({
      method: 'POST',
      url: apiBase(ctx),
      headers: { ...headers(ctx), 'Content-Type': 'application/json' },
      body,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return parseSinchSend(res);
  },
  async getStatus(id, ctx) {
    const res = await ctx.http.request({
      method: 'GET',
      url: `${apiBase(ctx)}/${encodeURIComponent(id)}/delivery_report?type=full`,
      headers: headers(ctx),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return parseSinchDeliveryReport(res, id);
  },
  async findSent(q, ctx) {
    // Filtered by sender and time; the recipient is matched here, 100 batches a page, 10 pages at most.
    for (let page = 0; page < 10; page++) {
      const params = new URLSearchParams({ from: q.from, start_date: sinchTimeFilter(q.since), page: String(page), page_size: '100' });
      const res = await ctx.http.request({
        method: 'GET',
        url: `${apiBase(ctx)}?${params.toString()}`,
        headers: headers(ctx),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      const step = findSinchSent(res, q);
      if (step.found) return step.found;
      if (!step.more) return undefined;
    }
    throw new Error(`more than 1000 Sinch batches from ${q.from} since ${q.since.toISOString()}; the log was not searched to the end`);
  },
  webhookSecretProblem(creds) {
    // Signing is optional on Sinch's side, but an unsigned callback cannot be told from a forgery.
    if (creds.webhookSecret) return undefined;
    return {
      message: "Sinch callbacks are checked with the service plan's webhook signing secret, and none is configured",
      suggestion: 'Ask Sinch to enable webhook signing for the service plan, then set SINCH_WEBHOOK_SECRET or run `mms login --provider sinch --webhook-secret-stdin`',
    };
  },
  verifyWebhook(req, creds) {
    return verifySinchWebhook(req, creds.webhookSecret ?? '');
  },
  parseWebhook(req) {
    return parseSinchWebhook(req);
  },
  // The service plan's callback URL has no API: a manual, explicit procedure (see inbound.ts).
  configureInbound: configureSinchInbound,
  restoreInbound: restoreSinchInbound,
};
