// Plivo adapter (Messaging API v1).
// Send: https://docs.plivo.com/docs/messaging/api/message/send-a-message
// Status: https://www.plivo.com/docs/messaging/api/messages (GET …/Message/{message_uuid}/)
// Message log (findSent): https://www.plivo.com/docs/messaging/api/message/list-all-messages
//   (filters message_direction, message_time__gte; limit ≤ 20; reference §3.4)
// Received messages (listInbound): the same list with message_direction=inbound and to_number; an
//   MMS's media: GET …/Message/{uuid}/Media/ (https://www.plivo.com/docs/messaging/api/message/list-all-media)
// Media upload: https://www.plivo.com/docs/messaging/api/media/upload-media/
// Limits and rates: https://plivo.com/docs/faq/messaging/messaging-api , support.plivo.com 360042248611
// Wire facts: /work/shared/reference/providers-twilio-telnyx-plivo.md §3.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AuthError, ErrorCode, MediaError, UsageError } from '../../errors/errors.js';
import type { AccountInfo, Credentials, InboundLogQuery, LoggedInboundMessage, ProviderAdapter, ProviderCallContext } from '../types.js';
import { basicAuthHeader, isUuid, parseJson } from '../shared.js';
import { adapterFacts, loginCommand } from '../descriptor.js';
import { callClient, type HttpClient } from '../http-client.js';
import { AUTH_ID, PLIVO_MAX_UPLOAD_BYTES, plivoDescriptor } from './descriptor.js';
import { buildMultipartBody, buildPlivoPayload, plivoAccountPath, plivoAuthHeader, plivoMediaPath, plivoMessagePath } from './payload.js';
import {
  findPlivoSent,
  parsePlivoInboundPage,
  parsePlivoMediaList,
  parsePlivoSend,
  parsePlivoStatus,
  parsePlivoUpload,
  plivoError,
  plivoTimeFilter,
} from './response.js';
import { configurePlivoInbound, restorePlivoInbound } from './inbound.js';
import { parsePlivoWebhook, verifyPlivoWebhook } from './webhook.js';

/** Pages of 20 findSent reads before it gives up (rather than answer "not sent" unsure). */
const FIND_SENT_PAGES = 25;

/** Plivo's per-file limit for the Media upload API (declared with the capabilities). */
export { PLIVO_MAX_UPLOAD_BYTES };

/** The client for one call: the call's signal, Plivo's Basic auth, JSON answers. */
function api(ctx: ProviderCallContext): HttpClient {
  return callClient(ctx, { Authorization: plivoAuthHeader(ctx.credentials), Accept: 'application/json' });
}

/**
 * Received messages from the Message list (MDRs), 20 a page (Plivo's maximum), newest first; each
 * MMS's media from its Media list. MDRs keep no text, so every message says its body is unavailable.
 * Offset paging over a list that grows at the top can repeat a message on the next page, never skip one.
 */
async function* listPlivoInbound(q: InboundLogQuery, ctx: ProviderCallContext): AsyncGenerator<LoggedInboundMessage> {
  const path = plivoMessagePath(ctx.credentials.authId ?? '');
  let left = q.max;
  for (let offset = 0; left > 0; offset += 20) {
    const params = new URLSearchParams({
      message_direction: 'inbound',
      to_number: q.to,
      message_time__gte: plivoTimeFilter(q.since),
      limit: '20',
      offset: String(offset),
    });
    if (q.until) params.set('message_time__lte', plivoTimeFilter(new Date(q.until.getTime() + 999)));
    const page = parsePlivoInboundPage(await api(ctx).request({ method: 'GET', url: `${ctx.baseUrl}${path}?${params.toString()}` }), q);
    for (const m of page.messages) {
      if (left-- <= 0) return;
      const media = m.type === 'mms' ? parsePlivoMediaList(await api(ctx).request({ method: 'GET', url: `${ctx.baseUrl}${path}${m.id}/Media/` })) : [];
      yield {
        type: 'message',
        provider: 'plivo',
        id: m.id,
        from: m.from,
        to: m.to,
        body: '',
        media,
        receivedAt: new Date(m.at).toISOString(),
        unavailable: ['body'],
      };
    }
    if (!page.more) return;
  }
}

/** The Plivo adapter. */
export const plivoAdapter: ProviderAdapter = {
  ...adapterFacts(plivoDescriptor),
  checkCredentials(creds: Credentials): string[] {
    const problems: string[] = [];
    if (!creds.authId) problems.push('Auth ID is missing');
    else if (!AUTH_ID.test(creds.authId)) problems.push('Auth ID must be MA or SA followed by 18 upper-case letters or digits');
    if (!creds.authToken) problems.push('Auth Token is missing');
    return problems;
  },
  checkSender(from: string) {
    if (/^\+?[1-9]\d{7,14}$/.test(from) || /^\d{3,8}$/.test(from) || /^[A-Za-z0-9 ]{1,11}$/.test(from) || isUuid(from)) return undefined;
    return 'must be a phone number with country code (+15551234567), a short code, an alphanumeric sender id or a Powerpack UUID';
  },
  async verifyCredentials(ctx: ProviderCallContext): Promise<AccountInfo> {
    // GET the account itself: cheap, and it names the account.
    const res = await api(ctx).request({
      method: 'GET',
      url: `${ctx.baseUrl}${plivoAccountPath(ctx.credentials.authId ?? '')}/`,
      timeoutMs: 15_000,
    });
    if (res.status !== 200) {
      const err = plivoError(res);
      // A wrong Auth ID can also surface as 404 for an account that is not ours.
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        throw new AuthError(ErrorCode.AUTH_REJECTED, `Plivo rejected these credentials (${err.message})`, {
          suggestion: `Copy the Auth ID and Auth Token from the Plivo console overview page and run \`${loginCommand(plivoDescriptor)}\` again`,
        });
      }
      throw err;
    }
    const body = parseJson(res.text) as { name?: string; account_type?: string } | undefined;
    return {
      ...(body?.name ? { accountLabel: body.name } : {}),
      ...(body?.account_type ? { status: body.account_type } : {}),
    };
  },
  async send(req, ctx) {
    const payload = buildPlivoPayload(req);
    const res = await api(ctx).request({
      method: 'POST',
      url: `${ctx.baseUrl}${plivoMessagePath(ctx.credentials.authId ?? '')}`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    });
    return parsePlivoSend(res, { dst: payload.dst, ...(payload.src !== undefined ? { src: payload.src } : {}) });
  },
  async getStatus(id, ctx) {
    if (!isUuid(id)) {
      throw new UsageError(`Message id "${id}" is not a Plivo message UUID`, { code: ErrorCode.INVALID_ARGUMENT });
    }
    const res = await api(ctx).request({
      method: 'GET',
      url: `${ctx.baseUrl}${plivoMessagePath(ctx.credentials.authId ?? '')}${id}/`,
    });
    return parsePlivoStatus(res);
  },
  async findSent(q, ctx) {
    // The list has no to/from filter, so outbound messages since `since` are read newest first
    // and matched here, 20 per page (Plivo's maximum), for at most FIND_SENT_PAGES pages.
    for (let page = 0; page < FIND_SENT_PAGES; page++) {
      const params = new URLSearchParams({
        message_direction: 'outbound',
        message_time__gte: plivoTimeFilter(q.since),
        limit: '20',
        offset: String(page * 20),
      });
      const res = await api(ctx).request({
        method: 'GET',
        url: `${ctx.baseUrl}${plivoMessagePath(ctx.credentials.authId ?? '')}?${params.toString()}`,
      });
      const step = findPlivoSent(res, q);
      if (step.found) return step.found;
      if (!step.more) return undefined;
    }
    // "Not there" would be a guess: the caller then leaves the outcome unknown.
    throw new Error(`more than ${FIND_SENT_PAGES * 20} outbound Plivo messages since ${q.since.toISOString()}; the log was not searched to the end`);
  },
  listInbound(q, ctx) {
    return listPlivoInbound(q, ctx);
  },
  async uploadMedia(file, ctx) {
    const tooBig = (size: number) =>
      new MediaError(
        ErrorCode.MEDIA_TOO_LARGE,
        `${file.fileName} is ${size} bytes; Plivo uploads take at most ${PLIVO_MAX_UPLOAD_BYTES} bytes (2 MB) per file`,
        {
          suggestion: 'Shrink the file, or pass it as a public URL (up to 5 MB in total per message)',
        },
      );
    if (file.size > PLIVO_MAX_UPLOAD_BYTES) throw tooBig(file.size);
    const data = await readFile(file.path);
    if (data.length > PLIVO_MAX_UPLOAD_BYTES) throw tooBig(data.length);
    let multipart: { body: Buffer; contentType: string } | undefined;
    // A random boundary almost never occurs in the data; try a few before giving up.
    for (let i = 0; i < 3 && !multipart; i++) {
      try {
        multipart = buildMultipartBody(
          [{ field: 'file', fileName: file.fileName, contentType: file.contentType, data }],
          `mms-${randomBytes(16).toString('hex')}`,
        );
      } catch {
        multipart = undefined;
      }
    }
    if (!multipart) throw new Error(`Could not build a multipart body for ${file.fileName}`);
    const res = await api(ctx).request({
      method: 'POST',
      url: `${ctx.baseUrl}${plivoMediaPath(ctx.credentials.authId ?? '')}`,
      headers: { 'Content-Type': multipart.contentType },
      body: multipart.body,
      timeoutMs: 120_000,
    });
    return parsePlivoUpload(res, file.fileName);
  },
  mediaAuthHeaders(creds) {
    return creds.authId && creds.authToken ? basicAuthHeader(creds.authId, creds.authToken) : undefined;
  },
  verifyWebhook(req, creds) {
    return verifyPlivoWebhook(req, creds.authToken ?? '');
  },
  parseWebhook(req) {
    return parsePlivoWebhook(req);
  },
  configureInbound(number, url, ctx) {
    return configurePlivoInbound(number, url, ctx);
  },
  restoreInbound(state, ctx) {
    return restorePlivoInbound(state, ctx);
  },
};
