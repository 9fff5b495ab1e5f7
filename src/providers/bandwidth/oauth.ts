// Bandwidth OAuth 2.0 client credentials: token URL, fetch and in-memory cache.
// https://dev.bandwidth.com/docs/account/credentials/management  (API users retire 2026-12-02)
// Token request as in Bandwidth/node-sdk configuration.ts: POST form grant_type=client_credentials
// with Basic clientId:clientSecret → {access_token, expires_in}; the SDK refreshes 60 s early.
import { AuthError, ErrorCode, ProviderError, exitCodeForErrorCode } from '../../errors/errors.js';
import type { HttpClient } from '../http-client.js';
import { loginCommand } from '../descriptor.js';
import { OAUTH_CLIENT_ENV, bandwidthDescriptor } from './descriptor.js';

/** Bandwidth's token endpoint (OpenAPI securitySchemes.OAuth2.flows.clientCredentials.tokenUrl). */
export const BANDWIDTH_TOKEN_URL = 'https://api.bandwidth.com/api/v1/oauth2/token';

/** Refresh this long before `expires_in` runs out, as the SDK does. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Where to fetch tokens. The token endpoint is on api.bandwidth.com while messages go to
 * messaging.bandwidth.com, so one base URL cannot serve both. Rules, in order:
 * 1. an explicit token URL (credential `tokenUrl`, env MMS_BANDWIDTH_TOKEN_URL) wins;
 * 2. a base URL on a bandwidth.com host (the real API) uses Bandwidth's token endpoint;
 * 3. any other base URL (the local sandbox or an e2e fake server) gets the same path on that
 *    host, `${baseUrl}/api/v1/oauth2/token`, so one local server emulates both.
 */
export function bandwidthTokenUrl(baseUrl: string, override?: string): string {
  if (override) return override;
  let host = '';
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    host = '';
  }
  if (host === 'bandwidth.com' || host.endsWith('.bandwidth.com')) return BANDWIDTH_TOKEN_URL;
  return `${baseUrl.replace(/\/+$/, '')}/api/v1/oauth2/token`;
}

export interface TokenRequest {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

interface CachedToken {
  token: string;
  /** Unix ms after which we fetch a new one. */
  refreshAt: number;
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Caches access tokens per (token URL, client id, secret) until shortly before they expire. */
export class BandwidthTokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();

  /** `now` is injectable so tests can move the clock. */
  constructor(private readonly now: () => number = Date.now) {}

  private key(r: TokenRequest): string {
    return `${r.tokenUrl}\n${r.clientId}\n${r.clientSecret}`;
  }

  /** A valid access token, from the cache or a new client_credentials grant. */
  async getToken(http: HttpClient, r: TokenRequest): Promise<string> {
    const key = this.key(r);
    const cached = this.tokens.get(key);
    if (cached && this.now() < cached.refreshAt) return cached.token;
    // Concurrent sends share one token request instead of each fetching their own.
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = this.fetchToken(http, r).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** Forgets a token (after a 401, e.g. when it was revoked). */
  invalidate(r: TokenRequest): void {
    this.tokens.delete(this.key(r));
  }

  private async fetchToken(http: HttpClient, r: TokenRequest): Promise<string> {
    const res = await http.request({
      method: 'POST',
      url: r.tokenUrl,
      headers: {
        Authorization: `Basic ${Buffer.from(`${r.clientId}:${r.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
      timeoutMs: 15_000,
    });
    const body = parseJson(res.text);
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      // RFC 6749 §5.2: {error: "invalid_client", error_description}.
      const what = [body.error, body.error_description].filter((v) => typeof v === 'string').join(': ') || `HTTP ${res.status}`;
      throw new AuthError(ErrorCode.AUTH_REJECTED, `Bandwidth rejected the OAuth client credentials (${what})`, {
        suggestion: `Check ${OAUTH_CLIENT_ENV} (Bandwidth App → Account → API Credentials), then run \`${loginCommand(bandwidthDescriptor)}\` again`,
      });
    }
    const token = body.access_token;
    if (res.status !== 200 || typeof token !== 'string' || token === '') {
      const code =
        res.status >= 500 || res.status === 200 ? ErrorCode.PROVIDER_UNAVAILABLE : res.status === 429 ? ErrorCode.RATE_LIMITED : ErrorCode.PROVIDER_REJECTED;
      throw new ProviderError(code, exitCodeForErrorCode(code), `Bandwidth token endpoint answered HTTP ${res.status} without an access token`, {
        provider: 'bandwidth',
        httpStatus: res.status,
      });
    }
    const expiresInMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300) * 1000;
    // Short-lived tokens still get half their life rather than none.
    const margin = Math.min(REFRESH_MARGIN_MS, expiresInMs / 2);
    this.tokens.set(this.key(r), { token, refreshAt: this.now() + expiresInMs - margin });
    return token;
  }
}
