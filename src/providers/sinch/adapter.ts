// Sinch adapter (SMS REST API "XMS", MMS via `mt_media`, service-plan API token).
// Send:     https://developers.sinch.com/docs/sms/api-reference/sms/tag/Batches/  (POST …/batches → 201)
// MMS:      https://developers.sinch.com/docs/sms/api-reference/mms-support
// Status:   https://developers.sinch.com/docs/sms/api-reference/sms/tag/Delivery-reports/
// Log:      https://developers.sinch.com/docs/sms/api-reference/sms/tag/Batches/#tag/Batches/operation/ListBatches
//           (GET …/batches?from=&start_date=&page=&page_size≤100; no `to` filter: matched here) (findSent)
// Inbounds: https://developers.sinch.com/docs/sms/api-reference/sms/tag/Inbounds/ (GET …/inbounds?to=&start_date=&end_date=
//           &page=&page_size≤100; the last 14 days, newest first) (listInbound)
// Webhooks: https://developers.sinch.com/docs/sms/api-reference/sms/tag/Webhooks/
// Wire facts: /work/shared/reference/providers-vonage-bandwidth-sinch-aws.md §3.1–3.9.
import { AuthError, ErrorCode } from '../../errors/errors.js';
import type { AccountInfo, Credentials, InboundLogQuery, LoggedInboundMessage, ProviderAdapter, ProviderCallContext } from '../types.js';
import { batchesPath, buildSinchPayload, sinchAuthHeader, sinchBaseUrl } from './payload.js';
import { adapterFacts, hasWebhookSecret, loginCommand, webhookSecretHint } from '../descriptor.js';
import { callClient, type HttpClient } from '../http-client.js';
import { SINCH_REGIONS, SINCH_REGION_ENV, sinchDescriptor } from './descriptor.js';
import { findSinchSent, parseSinchDeliveryReport, parseSinchInboundPage, parseSinchSend, sinchError, sinchTimeFilter } from './response.js';
import { parseSinchWebhook, verifySinchWebhook } from './webhook.js';
import { configureSinchInbound, restoreSinchInbound } from './inbound.js';

function apiBase(ctx: ProviderCallContext): string {
  return `${sinchBaseUrl(ctx.baseUrl, ctx.credentials.region)}${batchesPath(ctx.credentials.servicePlanId ?? '')}`;
}

/** The client for one call: the call's signal, the service plan's Bearer token, JSON answers. */
function api(ctx: ProviderCallContext): HttpClient {
  return callClient(ctx, { Authorization: sinchAuthHeader(ctx.credentials.apiToken ?? ''), Accept: 'application/json' });
}

/**
 * Received messages from List Inbounds, 100 a page, newest first. The list holds the same MO
 * objects (mo_text, mo_media) the callback carries, so each is parsed by the webhook parser and
 * comes out exactly as the callback's event would have, media URLs included.
 */
async function* listSinchInbound(q: InboundLogQuery, ctx: ProviderCallContext): AsyncGenerator<LoggedInboundMessage> {
  const base = `${sinchBaseUrl(ctx.baseUrl, ctx.credentials.region)}/xms/v1/${encodeURIComponent(ctx.credentials.servicePlanId ?? '')}/inbounds`;
  let left = q.max;
  for (let page = 0; left > 0; page++) {
    const params = new URLSearchParams({ to: q.to, start_date: sinchTimeFilter(q.since), page: String(page), page_size: '100' });
    if (q.until) params.set('end_date', new Date(q.until.getTime() + 1).toISOString());
    const step = parseSinchInboundPage(await api(ctx).request({ method: 'GET', url: `${base}?${params.toString()}` }), q);
    for (const item of step.inbounds) {
      const rawBody = Buffer.from(JSON.stringify(item), 'utf8');
      for (const ev of parseSinchWebhook({ method: 'POST', publicUrl: base, headers: {}, rawBody })) {
        if (ev.type !== 'message') continue;
        if (left-- <= 0) return;
        yield ev;
      }
    }
    if (!step.more) return;
  }
}

/** The Sinch adapter. */
export const sinchAdapter: ProviderAdapter = {
  ...adapterFacts(sinchDescriptor),
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
    const res = await api(ctx).request({
      method: 'GET',
      url: `${apiBase(ctx)}?page_size=1`,
      timeoutMs: 15_000,
    });
    if (res.status === 401 || res.status === 403) {
      throw new AuthError(ErrorCode.AUTH_REJECTED, `Sinch rejected these credentials (${sinchError(res).message})`, {
        suggestion:
          `Copy the service plan ID and API token from dashboard.sinch.com/sms/api/services, check ${SINCH_REGION_ENV}, ` +
          `then run \`${loginCommand(sinchDescriptor)}\` again`,
      });
    }
    if (res.status !== 200) throw sinchError(res);
    return { accountLabel: `service plan ${ctx.credentials.servicePlanId ?? ''} (${(ctx.credentials.region ?? 'us').toLowerCase()})` };
  },
  async send(req, ctx) {
    const body = JSON.stringify(buildSinchPayload(req));
    const res = await api(ctx).request({
      method: 'POST',
      url: apiBase(ctx),
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    return parseSinchSend(res);
  },
  async getStatus(id, ctx) {
    const res = await api(ctx).request({
      method: 'GET',
      url: `${apiBase(ctx)}/${encodeURIComponent(id)}/delivery_report?type=full`,
    });
    return parseSinchDeliveryReport(res, id);
  },
  async findSent(q, ctx) {
    // Filtered by sender and time; the recipient is matched here, 100 batches a page, 10 pages at most.
    for (let page = 0; page < 10; page++) {
      const params = new URLSearchParams({ from: q.from, start_date: sinchTimeFilter(q.since), page: String(page), page_size: '100' });
      const res = await api(ctx).request({
        method: 'GET',
        url: `${apiBase(ctx)}?${params.toString()}`,
      });
      const step = findSinchSent(res, q);
      if (step.found) return step.found;
      if (!step.more) return undefined;
    }
    throw new Error(`more than 1000 Sinch batches from ${q.from} since ${q.since.toISOString()}; the log was not searched to the end`);
  },
  listInbound(q, ctx) {
    return listSinchInbound(q, ctx);
  },
  webhookSecretProblem(creds) {
    // Signing is optional on Sinch's side, but an unsigned callback cannot be told from a forgery.
    if (hasWebhookSecret(sinchDescriptor, creds)) return undefined;
    const hint = webhookSecretHint(sinchDescriptor);
    return {
      message: "Sinch callbacks are checked with the service plan's webhook signing secret, and none is configured",
      suggestion: `Ask Sinch to enable webhook signing for the service plan, then ${hint.charAt(0).toLowerCase()}${hint.slice(1)}`,
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
