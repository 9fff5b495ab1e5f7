// Bandwidth adapter (Messaging API v2, OAuth 2.0 client credentials).
// Send:      https://dev.bandwidth.com/apis/messaging/#tag/Messages/operation/createMessage
// Status:    https://dev.bandwidth.com/apis/messaging/#tag/Messages/operation/listMessages
// Log:       same List Messages: sourceTn, destinationTn, messageDirection, fromDateTime (findSent);
//            messageDirection=INBOUND for listInbound (metadata only: Bandwidth stores no text); received
//            media from List Media (https://dev.bandwidth.com/docs/messaging/media), named <messageId>/<n>/<file>
// Media:     https://dev.bandwidth.com/apis/messaging/#tag/Media/operation/uploadMedia
// Auth:      https://dev.bandwidth.com/docs/account/credentials/management
// Callbacks: https://dev.bandwidth.com/docs/messaging/webhooks
// Wire facts: /work/shared/reference/providers-vonage-bandwidth-sinch-aws.md §2.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AuthError, ErrorCode, ProviderError } from '../../errors/errors.js';
import { callClient, type HttpResponse } from '../http-client.js';
import { adapterFacts, envName, envNames, hasWebhookSecret } from '../descriptor.js';
import { bandwidthDescriptor } from './descriptor.js';
import type { InboundMedia } from '../../core/types.js';
import type { AccountInfo, Credentials, InboundLogQuery, LoggedInboundMessage, ProviderAdapter, ProviderCallContext } from '../types.js';
import { BandwidthTokenCache, bandwidthTokenUrl, type TokenRequest } from './oauth.js';
import { bandwidthMediaId, buildBandwidthPayload, mediaPath, messagesPath } from './payload.js';
import {
  bandwidthError,
  bandwidthTimeFilter,
  findBandwidthSent,
  parseBandwidthInboundPage,
  parseBandwidthMediaPage,
  parseBandwidthSend,
  parseBandwidthStatus,
} from './response.js';
import { parseBandwidthWebhook, verifyBandwidthWebhook } from './webhook.js';
import { configureBandwidthInbound, restoreBandwidthInbound } from './inbound.js';

function tokenRequest(ctx: ProviderCallContext): TokenRequest {
  return {
    tokenUrl: bandwidthTokenUrl(ctx.baseUrl, ctx.credentials.tokenUrl),
    clientId: ctx.credentials.clientId ?? '',
    clientSecret: ctx.credentials.clientSecret ?? '',
  };
}

type Authorize = (ctx: ProviderCallContext) => Promise<{ Authorization: string }>;
type Check401 = (res: HttpResponse, ctx: ProviderCallContext) => void;
type SendRequest = Parameters<ProviderAdapter['send']>[0];
type FindSentQuery = Parameters<NonNullable<ProviderAdapter['findSent']>>[0];
type MediaFile = Parameters<NonNullable<ProviderAdapter['uploadMedia']>>[0];

function accountId(ctx: ProviderCallContext): string {
  return ctx.credentials.accountId ?? '';
}

function checkBandwidthCredentials(creds: Credentials): string[] {
  const problems: string[] = [];
  if (!creds.accountId) problems.push('Account ID is missing');
  else if (!/^\d+$/.test(creds.accountId)) problems.push('Account ID must be digits');
  if (!creds.applicationId) problems.push('Messaging application ID is missing');
  if (!creds.clientId) problems.push('OAuth client ID is missing');
  if (!creds.clientSecret) problems.push('OAuth client secret is missing');
  if (Boolean(creds.callbackUsername) !== Boolean(creds.callbackPassword)) problems.push('Set both the callback user id and password, or neither');
  return problems;
}

async function sendBandwidth(req: SendRequest, ctx: ProviderCallContext, authorized: Authorize, check401: Check401) {
  const auth = await authorized(ctx);
  const payload = buildBandwidthPayload(req, {
    applicationId: ctx.credentials.applicationId ?? '',
    accountId: accountId(ctx),
    baseUrl: ctx.baseUrl,
  });
  const res = await callClient(ctx).request({
    method: 'POST',
    url: `${ctx.baseUrl}${messagesPath(accountId(ctx))}`,
    // A wrong content type is a 415.
    headers: { ...auth, 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' },
    body: JSON.stringify(payload),
  });
  check401(res, ctx);
  return parseBandwidthSend(res);
}

/** One GET of List Messages with these query parameters (findSent and the inbound log both page through it). */
async function listMessages(params: URLSearchParams, ctx: ProviderCallContext, authorized: Authorize, check401: Check401): Promise<HttpResponse> {
  const auth = await authorized(ctx);
  const res = await callClient(ctx).request({
    method: 'GET',
    url: `${ctx.baseUrl}${messagesPath(accountId(ctx))}?${params.toString()}`,
    headers: { ...auth, Accept: 'application/json' },
  });
  check401(res, ctx);
  return res;
}

async function findBandwidthSentMessage(q: FindSentQuery, ctx: ProviderCallContext, authorized: Authorize, check401: Check401) {
  // Filtered by both numbers and time, so one page nearly always holds it; a few more at most.
  let pageToken: string | undefined;
  for (let page = 0; page < 10; page++) {
    const params = new URLSearchParams({
      sourceTn: q.from,
      destinationTn: q.to,
      messageDirection: 'OUTBOUND',
      fromDateTime: bandwidthTimeFilter(q.since),
      limit: '100',
    });
    if (pageToken) params.set('pageToken', pageToken);
    const res = await listMessages(params, ctx, authorized, check401);
    const step = findBandwidthSent(res, q);
    if (step.found) return step.found;
    if (!step.nextPageToken) return undefined;
    pageToken = step.nextPageToken;
  }
  throw new Error(`more than 1000 Bandwidth messages from ${q.from} to ${q.to} since ${q.since.toISOString()}; the log was not searched to the end`);
}

/** Pages of List Media (1000 names each) read to find received media before giving up on them. */
const MEDIA_LIST_PAGES = 5;

/** The account's received media by message id, from List Media (followed by Continuation-Token). */
async function receivedMedia(ctx: ProviderCallContext, authorized: Authorize, check401: Check401): Promise<Map<string, InboundMedia[]>> {
  const all = new Map<string, Array<InboundMedia & { n: number }>>();
  let continuation: string | undefined;
  for (let page = 0; page < MEDIA_LIST_PAGES; page++) {
    const auth = await authorized(ctx);
    const res = await callClient(ctx).request({
      method: 'GET',
      url: `${ctx.baseUrl}${messagesPath(accountId(ctx)).replace(/\/messages$/, '/media')}`,
      headers: { ...auth, Accept: 'application/json', ...(continuation ? { 'Continuation-Token': continuation } : {}) },
    });
    check401(res, ctx);
    const step = parseBandwidthMediaPage(res);
    for (const [id, items] of step.byMessage) all.set(id, [...(all.get(id) ?? []), ...items]);
    if (!step.continuation) break;
    continuation = step.continuation;
  }
  // A message's media may be split across pages: ordered by their index once all are in.
  return new Map([...all].map(([id, items]) => [id, items.sort((a, b) => a.n - b.n).map(({ url, size }) => (size !== undefined ? { url, size } : { url }))]));
}

/**
 * Received messages from List Messages (INBOUND, to the number, in the window), 100 a page, by
 * page token. The log has no text: each message says so. Media URLs come from List Media (read
 * once, when a message has attachments); a message whose media are not listed (expired after
 * 48 hours) says its media are unavailable, with the count the log gives.
 */
async function* listBandwidthInbound(
  q: InboundLogQuery,
  ctx: ProviderCallContext,
  authorized: Authorize,
  check401: Check401,
): AsyncGenerator<LoggedInboundMessage> {
  let pageToken: string | undefined;
  let media: Map<string, InboundMedia[]> | undefined;
  let left = q.max;
  while (left > 0) {
    const params = new URLSearchParams({ destinationTn: q.to, messageDirection: 'INBOUND', fromDateTime: bandwidthTimeFilter(q.since), limit: '100' });
    if (q.until) params.set('toDateTime', new Date(q.until.getTime()).toISOString());
    if (pageToken) params.set('pageToken', pageToken);
    const res = await listMessages(params, ctx, authorized, check401);
    const page = parseBandwidthInboundPage(res, q);
    for (const m of page.messages) {
      if (left-- <= 0) return;
      if (m.attachmentCount > 0) media ??= await receivedMedia(ctx, authorized, check401);
      const items = m.attachmentCount > 0 ? (media?.get(m.id) ?? []) : [];
      const missingMedia = items.length < m.attachmentCount;
      yield {
        type: 'message',
        provider: 'bandwidth',
        id: m.id,
        from: m.from,
        to: m.to,
        body: '',
        media: missingMedia ? [] : items,
        receivedAt: new Date(m.at).toISOString(),
        unavailable: missingMedia ? ['body', 'media'] : ['body'],
        ...(missingMedia ? { mediaCount: m.attachmentCount } : {}),
      };
    }
    if (!page.nextPageToken) return;
    pageToken = page.nextPageToken;
  }
}

async function uploadBandwidthMedia(file: MediaFile, ctx: ProviderCallContext, authorized: Authorize, check401: Check401): Promise<string> {
  const mediaId = bandwidthMediaId(file.fileName, randomUUID());
  const bytes = await readFile(file.path);
  const auth = await authorized(ctx);
  const res = await callClient(ctx).request({
    method: 'PUT',
    url: `${ctx.baseUrl}${mediaPath(accountId(ctx), mediaId)}`,
    headers: { ...auth, 'Content-Type': file.contentType },
    body: bytes,
    timeoutMs: 120_000,
  });
  check401(res, ctx);
  if (res.status !== 204 && res.status !== 200) {
    const err = bandwidthError(res);
    throw new ProviderError(err.code, err.exitCode, `Uploading ${file.fileName} to Bandwidth failed: ${err.message}`, {
      provider: 'bandwidth',
      httpStatus: res.status,
      ...(err.providerCode !== undefined ? { providerCode: err.providerCode } : {}),
      ...(err.providerMessage !== undefined ? { providerMessage: err.providerMessage } : {}),
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      ...(err.suggestion !== undefined ? { suggestion: err.suggestion } : {}),
    });
  }
  return mediaId;
}

/** Creates a Bandwidth adapter around a token cache (tests inject one with a fake clock). */
export function createBandwidthAdapter(tokens: BandwidthTokenCache = new BandwidthTokenCache()): ProviderAdapter {
  async function authorized(ctx: ProviderCallContext): Promise<{ Authorization: string }> {
    return { Authorization: `Bearer ${await tokens.getToken(callClient(ctx), tokenRequest(ctx))}` };
  }

  /** A 401 means the cached token is no good (revoked or expired early): drop it for next time. */
  function check401(res: HttpResponse, ctx: ProviderCallContext): void {
    if (res.status === 401) tokens.invalidate(tokenRequest(ctx));
  }

  return {
    ...adapterFacts(bandwidthDescriptor),
    checkCredentials(creds: Credentials): string[] {
      return checkBandwidthCredentials(creds);
    },
    checkSender(from: string) {
      // `from` is a Bandwidth number in E.164, or an alphanumeric sender id (≤ 11 characters).
      if (/^\+[1-9]\d{1,14}$/.test(from) || /^\d{5,6}$/.test(from) || /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(from)) return undefined;
      return 'must be a Bandwidth number in E.164 (+15551234567), a short code or an alphanumeric sender id';
    },
    async verifyCredentials(ctx: ProviderCallContext): Promise<AccountInfo> {
      // The token grant proves the client id/secret; listing one message proves account access.
      const auth = await authorized(ctx);
      const res = await callClient(ctx).request({
        method: 'GET',
        url: `${ctx.baseUrl}${messagesPath(accountId(ctx))}?messageDirection=OUTBOUND&limit=1`,
        headers: { ...auth, Accept: 'application/json' },
        timeoutMs: 15_000,
      });
      check401(res, ctx);
      if (res.status === 401 || res.status === 403) {
        throw new AuthError(ErrorCode.AUTH_REJECTED, `Bandwidth refused access to account ${accountId(ctx)} (${bandwidthError(res).message})`, {
          suggestion: `Check ${envName(bandwidthDescriptor, 'accountId')} and that the OAuth client has the Messaging role`,
        });
      }
      if (res.status !== 200) throw bandwidthError(res);
      return { accountLabel: `account ${accountId(ctx)}` };
    },
    send(req, ctx) {
      return sendBandwidth(req, ctx, authorized, check401);
    },
    async getStatus(id, ctx) {
      const auth = await authorized(ctx);
      const res = await callClient(ctx).request({
        method: 'GET',
        url: `${ctx.baseUrl}${messagesPath(accountId(ctx))}?messageId=${encodeURIComponent(id)}`,
        headers: { ...auth, Accept: 'application/json' },
      });
      check401(res, ctx);
      return parseBandwidthStatus(res, id);
    },
    findSent(q, ctx) {
      return findBandwidthSentMessage(q, ctx, authorized, check401);
    },
    listInbound(q, ctx) {
      return listBandwidthInbound(q, ctx, authorized, check401);
    },
    uploadMedia(file, ctx) {
      return uploadBandwidthMedia(file, ctx, authorized, check401);
    },
    // Inbound media (…/media/{messageId}/…) needs the same Bearer token as the API (reference §2.6).
    mediaDownloadHeaders: (ctx) => authorized(ctx),
    webhookSecretProblem(creds, opts) {
      // With --number, configureInbound sets callback credentials on its temporary application.
      if (opts.configuresNumber || hasWebhookSecret(bandwidthDescriptor, creds)) return undefined;
      const env = envNames(bandwidthDescriptor, bandwidthDescriptor.webhookSecret?.keys ?? []);
      return {
        message: "Bandwidth callbacks carry the messaging application's callback credentials, and none are configured",
        suggestion: `Set ${env} to the application's InboundCallbackCreds, or pass --number so mms listen sets up its own`,
      };
    },
    verifyWebhook(req, creds) {
      return verifyBandwidthWebhook(req, {
        ...(creds.callbackUsername !== undefined ? { callbackUsername: creds.callbackUsername } : {}),
        ...(creds.callbackPassword !== undefined ? { callbackPassword: creds.callbackPassword } : {}),
      });
    },
    parseWebhook(req) {
      return parseBandwidthWebhook(req);
    },
    // A temporary application on a temporary location holding only this number (see inbound.ts).
    configureInbound: (number, url, ctx) => configureBandwidthInbound(number, url, ctx, authorized),
    restoreInbound: (state, ctx) => restoreBandwidthInbound(state, ctx, authorized),
  };
}

/** The Bandwidth adapter, with a process-wide token cache. */
export const bandwidthAdapter: ProviderAdapter = createBandwidthAdapter();
