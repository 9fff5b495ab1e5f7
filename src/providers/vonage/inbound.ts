// Pointing one Vonage number's inbound messages at a URL, and putting it back (reference §1.8).
// Applications API v2: https://developer.vonage.com/en/api/application.v2  (Basic api_key:api_secret)
// Numbers API:         https://developer.vonage.com/en/api/numbers  (GET /account/numbers,
//                      POST /number/update with country, msisdn, app_id; api_key/api_secret params)
// Least intrusive: the number's current application may serve other numbers, so instead of
// editing it we create a temporary application whose inbound and status URLs are the listener's,
// link only this number to it, and later relink the previous application and delete ours.
import { ConfigError, ErrorCode, ProviderError, exitCodeForErrorCode } from '../../errors/errors.js';
import { callClient, type HttpClient, type HttpResponse } from '../http-client.js';
import type { InboundRestoreState, ProviderCallContext } from '../types.js';
import { toVonageNumber, vonageBasicAuth } from './payload.js';
import { vonageError } from './response.js';

/** Host of the Numbers API (the Messages and Applications APIs are on api.nexmo.com). */
export const VONAGE_REST_BASE_URL = 'https://rest.nexmo.com';

/**
 * The Numbers API base for a Messages base URL: Vonage's own hosts map to rest.nexmo.com; any other
 * base URL (the sandbox, a test server) serves the Numbers API itself.
 */
export function vonageRestBaseUrl(baseUrl: string): string {
  let host = '';
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    host = '';
  }
  if (/(^|\.)(nexmo|vonage)\.com$/.test(host)) return VONAGE_REST_BASE_URL;
  return baseUrl.replace(/\/+$/, '');
}

/** Restore data saved by configureVonageInbound. */
export interface VonageInboundData {
  msisdn: string;
  country: string;
  /** The application linked before (null: none). */
  previousAppId: string | null;
  temporaryAppId: string;
}

function parse(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Numbers API errors are {"error-code", "error-code-label"}, not the Messages problem body. */
function numbersError(res: HttpResponse, what: string): ProviderError {
  if (res.status === 401 || res.status === 403) return vonageError(res);
  const body = parse(res.text);
  const label = typeof body['error-code-label'] === 'string' ? body['error-code-label'] : res.text.slice(0, 200);
  const code = res.status === 429 ? ErrorCode.RATE_LIMITED : res.status >= 500 ? ErrorCode.PROVIDER_UNAVAILABLE : ErrorCode.PROVIDER_REJECTED;
  return new ProviderError(code, exitCodeForErrorCode(code), `Vonage Numbers API: ${what} failed (HTTP ${res.status}: ${label})`, {
    provider: 'vonage',
    httpStatus: res.status,
    ...(typeof body['error-code'] === 'string' ? { providerCode: body['error-code'] } : {}),
  });
}

function common(ctx: ProviderCallContext): { api: string; rest: string; auth: string; key: string; secret: string; http: HttpClient } {
  const key = ctx.credentials.apiKey ?? '';
  const secret = ctx.credentials.apiSecret ?? '';
  return {
    api: ctx.baseUrl.replace(/\/+$/, ''),
    rest: vonageRestBaseUrl(ctx.baseUrl),
    auth: vonageBasicAuth(key, secret),
    key,
    secret,
    http: callClient(ctx),
  };
}

async function linkNumber(ctx: ProviderCallContext, msisdn: string, country: string, appId: string | null): Promise<HttpResponse> {
  const c = common(ctx);
  const form = new URLSearchParams({ api_key: c.key, api_secret: c.secret, country, msisdn });
  // An empty app_id unlinks the number when it had no application before.
  form.set('app_id', appId ?? '');
  return c.http.request({
    method: 'POST',
    url: `${c.rest}/number/update`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: form.toString(),
  });
}

async function deleteApp(ctx: ProviderCallContext, id: string): Promise<HttpResponse> {
  const c = common(ctx);
  return c.http.request({
    method: 'DELETE',
    url: `${c.api}/v2/applications/${encodeURIComponent(id)}`,
    headers: { Authorization: c.auth, Accept: 'application/json' },
  });
}

/** Links `number` to a new application whose inbound (and status) URL is `url`. */
export async function configureVonageInbound(number: string, url: string, ctx: ProviderCallContext): Promise<InboundRestoreState> {
  const c = common(ctx);
  const msisdn = toVonageNumber(number);
  const query = new URLSearchParams({ api_key: c.key, api_secret: c.secret, pattern: msisdn, search_pattern: '0', size: '100' });
  const found = await c.http.request({
    method: 'GET',
    url: `${c.rest}/account/numbers?${query.toString()}`,
    headers: { Accept: 'application/json' },
  });
  if (found.status !== 200) throw numbersError(found, `looking up ${number}`);
  const numbers = (parse(found.text).numbers ?? []) as Array<{ msisdn?: unknown; country?: unknown; app_id?: unknown }>;
  const owned = numbers.find((n) => n.msisdn === msisdn);
  if (!owned) {
    throw new ConfigError(ErrorCode.CONFIG_INVALID, `${number} is not a number of Vonage account ${c.key}`, {
      suggestion: 'Pass one of your Vonage numbers (Dashboard → Numbers → Your numbers) to --number',
    });
  }
  const country = typeof owned.country === 'string' ? owned.country : 'US';
  const previousAppId = typeof owned.app_id === 'string' && owned.app_id ? owned.app_id : null;
  const hook = { address: url, http_method: 'POST' };
  const created = await c.http.request({
    method: 'POST',
    url: `${c.api}/v2/applications`,
    headers: { Authorization: c.auth, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      name: `mms listen ${msisdn} ${new Date().toISOString()}`,
      capabilities: { messages: { webhooks: { inbound_url: hook, status_url: hook }, version: 'v1' } },
    }),
  });
  if (created.status !== 201 && created.status !== 200) throw vonageError(created);
  const temporaryAppId = parse(created.text).id;
  if (typeof temporaryAppId !== 'string' || !temporaryAppId) {
    throw new ProviderError(
      ErrorCode.PROVIDER_REJECTED,
      exitCodeForErrorCode(ErrorCode.PROVIDER_REJECTED),
      'Vonage created an application but returned no id',
      { provider: 'vonage', httpStatus: created.status },
    );
  }
  const linked = await linkNumber(ctx, msisdn, country, temporaryAppId);
  if (linked.status !== 200) {
    // Nothing may stay changed when we throw: remove the application we just made.
    await deleteApp(ctx, temporaryAppId).catch(() => undefined);
    throw numbersError(linked, `linking ${number} to the temporary application`);
  }
  const data: VonageInboundData = { msisdn, country, previousAppId, temporaryAppId };
  return {
    provider: 'vonage',
    number,
    // Signed webhooks for the number now name the temporary application: the listener accepts it.
    data: { ...data, webhookCredentials: { listenApplicationId: temporaryAppId } },
    description: `${number} linked to temporary application ${temporaryAppId} (inbound and status URL ${url}); it was ${previousAppId ? `linked to application ${previousAppId}` : 'not linked to an application'}`,
  };
}

/** Relinks the previous application (or none) and deletes the temporary one. Safe to repeat. */
export async function restoreVonageInbound(state: InboundRestoreState, ctx: ProviderCallContext): Promise<void> {
  const d = state.data as Partial<VonageInboundData>;
  if (typeof d.msisdn !== 'string' || typeof d.temporaryAppId !== 'string') {
    throw new ConfigError(ErrorCode.CONFIG_INVALID, 'The Vonage restore state is missing msisdn or temporaryAppId');
  }
  const linked = await linkNumber(ctx, d.msisdn, d.country ?? 'US', d.previousAppId ?? null);
  if (linked.status !== 200) throw numbersError(linked, `relinking ${state.number}`);
  const deleted = await deleteApp(ctx, d.temporaryAppId);
  // 404: already deleted by an earlier restore.
  if (deleted.status !== 204 && deleted.status !== 200 && deleted.status !== 404) throw vonageError(deleted);
}
