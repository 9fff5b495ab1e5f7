// Twilio adapter: https://www.twilio.com/docs/messaging/api/message-resource
// Limits: https://www.twilio.com/docs/messaging/guides/accepted-mime-types (5 MB total, 10 items,
// 500 KB for types Twilio does not transcode). Wire facts: ../shared/reference §1.
// Inbound webhook configuration: https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource
import { AuthError, ErrorCode, ProviderError } from '../../errors/errors.js';
import { ExitCode } from '../../errors/exit-codes.js';
import type { AccountInfo, Credentials, InboundLogQuery, InboundRestoreState, LoggedInboundMessage, ProviderAdapter, ProviderCallContext } from '../types.js';
import { basicAuthHeader } from '../shared.js';
import { adapterFacts, envName, hasWebhookSecret, loginCommand } from '../descriptor.js';
import { callClient, type HttpClient } from '../http-client.js';
import { ACCOUNT_SID, twilioDescriptor } from './descriptor.js';
import {
  buildInboundRestore,
  buildInboundUpdate,
  buildTwilioPayload,
  incomingNumberPath,
  incomingNumbersLookupPath,
  messagesPath,
  twilioAuthHeader,
  MESSAGING_SERVICE_SID,
  type TwilioInboundSettings,
} from './payload.js';
import {
  findIncomingNumber,
  findRecentMessage,
  inboundSettingsOf,
  messagingServiceOf,
  parseIncomingNumbers,
  parseTwilioInboundPage,
  parseTwilioMediaList,
  parseTwilioSend,
  parseTwilioStatus,
  twilioError,
} from './response.js';
import { verifyTwilioWebhook, parseTwilioWebhook } from './webhook.js';

const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;

/** The client for one call: the call's signal, Twilio's Basic auth, JSON answers. */
function api(ctx: ProviderCallContext): HttpClient {
  return callClient(ctx, { Authorization: twilioAuthHeader(ctx.credentials), Accept: 'application/json' });
}

/** A message-log query; `body` (the text sent, when there was one) is passed by the send flow's log search. */
type LogQuery = Parameters<NonNullable<ProviderAdapter['findSent']>>[0] & { body?: string | undefined };

/** What Twilio puts before every body sent from a trial account. */
const TRIAL_PREFIX = 'Sent from your Twilio trial account - ';

/** Pages of the recipient's messages read before giving up (the search then says "not found", which stays unsure). */
const SERVICE_SEARCH_PAGES = 5;

interface ListedMessage {
  sid?: string;
  status?: string;
  body?: string;
  direction?: string;
  date_created?: string;
  messaging_service_sid?: string | null;
}

/**
 * A message sent through Messaging Service `q.from`: its records carry the pool number that sent
 * it, not the MG SID, so the list is filtered by recipient only (newest first) and each record is
 * matched by service and body (with Twilio's trial-account prefix, too).
 * https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
 */
async function findServiceMessage(q: LogQuery, ctx: ProviderCallContext): Promise<{ id: string; providerStatus: string } | undefined> {
  const floor = Math.floor(q.since.getTime() / 1000) * 1000;
  const sid = ctx.credentials.accountSid ?? '';
  let url: string | undefined =
    `${ctx.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json?${new URLSearchParams({ To: q.to, PageSize: '100' }).toString()}`;
  for (let page = 0; url !== undefined && page < SERVICE_SEARCH_PAGES; page++) {
    const res = await api(ctx).request({ method: 'GET', url });
    if (res.status !== 200) throw twilioError(res);
    const list = JSON.parse(res.text) as { messages?: ListedMessage[]; next_page_uri?: string | null };
    let isOlder = false;
    for (const m of list.messages ?? []) {
      const created = m.date_created ? Date.parse(m.date_created) : NaN;
      if (Number.isFinite(created) && created < floor) isOlder = true;
      if (!m.sid || !(created >= floor) || (m.direction && !m.direction.startsWith('outbound'))) continue;
      const sameBody = !q.body || m.body === q.body || m.body === `${TRIAL_PREFIX}${q.body}`;
      if (m.messaging_service_sid === q.from && sameBody) return { id: m.sid, providerStatus: m.status ?? 'unknown' };
    }
    // Newest first: once a page reaches messages older than the window, later pages cannot match.
    url = !isOlder && list.next_page_uri ? `${ctx.baseUrl}${list.next_page_uri}` : undefined;
  }
  return undefined;
}

/** Twilio's `DateSent>`/`DateSent<` value (twilio-node serialises these filters as ISO 8601 date-times). */
function dateSentFilter(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * Received messages from the account's Messages list: filtered by `To` and `DateSent>` (an inbound
 * message's date_sent is when Twilio called the webhook, never before date_created, so the filter
 * keeps every message created in the window), matched again here on direction and date_created,
 * 100 a page, newest first; each MMS's media from its Media list, as the webhook's MediaUrl{N}.
 * https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
 * https://www.twilio.com/docs/messaging/api/media-resource#read-multiple-media-resources
 */
async function* listTwilioInbound(q: InboundLogQuery, ctx: ProviderCallContext): AsyncGenerator<LoggedInboundMessage> {
  const sid = encodeURIComponent(ctx.credentials.accountSid ?? '');
  const params = new URLSearchParams({ To: q.to, 'DateSent>': dateSentFilter(q.since), PageSize: '100' });
  if (q.until) params.set('DateSent<', dateSentFilter(new Date(q.until.getTime() + 1000)));
  let url: string | undefined = `${ctx.baseUrl}/2010-04-01/Accounts/${sid}/Messages.json?${params.toString()}`;
  let left = q.max;
  while (url !== undefined && left > 0) {
    const page = parseTwilioInboundPage(await api(ctx).request({ method: 'GET', url }), q);
    for (const m of page.messages) {
      if (left-- <= 0) return;
      const media =
        m.numMedia > 0
          ? parseTwilioMediaList(
              await api(ctx).request({ method: 'GET', url: `${ctx.baseUrl}/2010-04-01/Accounts/${sid}/Messages/${encodeURIComponent(m.id)}/Media.json` }),
              ctx.baseUrl,
            )
          : [];
      yield { type: 'message', provider: 'twilio', id: m.id, from: m.from, to: m.to, body: m.body, media, receivedAt: new Date(m.at).toISOString() };
    }
    url = page.next !== undefined ? `${ctx.baseUrl}${page.next}` : undefined;
  }
}

/** The Twilio adapter. */
export const twilioAdapter: ProviderAdapter = {
  ...adapterFacts(twilioDescriptor),
  checkCredentials(creds: Credentials): string[] {
    const problems: string[] = [];
    if (!creds.accountSid) problems.push('Account SID is missing');
    else if (!ACCOUNT_SID.test(creds.accountSid)) problems.push('Account SID must be AC followed by 32 hex characters');
    const hasKey = Boolean(creds.apiKey && creds.apiSecret);
    if (creds.apiKey && !creds.apiSecret) problems.push('API Key SID is set but its secret is missing');
    if (!creds.authToken && !hasKey) problems.push('Auth Token (or an API Key SID and secret) is missing');
    return problems;
  },
  checkSender(from: string) {
    if (MESSAGING_SERVICE_SID.test(from) || /^\+[1-9]\d{1,14}$/.test(from) || /^\d{3,8}$/.test(from) || /^[A-Za-z0-9 ]{1,11}$/.test(from)) return undefined;
    return 'must be an E.164 number (+15551234567), a short code, an alphanumeric sender id or a Messaging Service SID (MG…)';
  },
  async verifyCredentials(ctx: ProviderCallContext): Promise<AccountInfo> {
    const sid = ctx.credentials.accountSid ?? '';
    const res = await api(ctx).request({
      method: 'GET',
      url: `${ctx.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(sid)}.json`,
      timeoutMs: 15_000,
    });
    if (res.status !== 200) {
      const err = twilioError(res);
      if (err.code === ErrorCode.AUTH_REJECTED || err.code === ErrorCode.AUTH_FORBIDDEN || err.code === ErrorCode.NOT_FOUND) {
        throw new AuthError(ErrorCode.AUTH_REJECTED, `Twilio rejected these credentials (${err.message})`, {
          suggestion: 'Copy the Account SID and Auth Token from the Twilio Console and run `mms login` again',
        });
      }
      throw err;
    }
    const body = JSON.parse(res.text) as { friendly_name?: string; status?: string };
    return {
      ...(body.friendly_name ? { accountLabel: body.friendly_name } : {}),
      ...(body.status ? { status: body.status } : {}),
    };
  },
  async send(req, ctx) {
    const res = await api(ctx).request({
      method: 'POST',
      url: `${ctx.baseUrl}${messagesPath(ctx.credentials.accountSid ?? '')}`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: buildTwilioPayload(req).toString(),
    });
    return parseTwilioSend(res);
  },
  async getStatus(id, ctx) {
    if (!MESSAGE_SID.test(id)) {
      const { UsageError } = await import('../../errors/errors.js');
      throw new UsageError(`Message id "${id}" is not a Twilio message SID (SM… or MM… followed by 32 hex characters)`, {
        code: ErrorCode.INVALID_ARGUMENT,
      });
    }
    const sid = ctx.credentials.accountSid ?? '';
    const res = await api(ctx).request({
      method: 'GET',
      url: `${ctx.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages/${id}.json`,
    });
    return parseTwilioStatus(res);
  },
  async findSent(q, ctx) {
    // Newest first; DateSent cannot be used as a filter because queued messages have no date_sent.
    const sid = ctx.credentials.accountSid ?? '';
    if (MESSAGING_SERVICE_SID.test(q.from)) return findServiceMessage(q, ctx);
    const params = new URLSearchParams({ To: q.to, From: q.from, PageSize: '50' });
    const res = await api(ctx).request({
      method: 'GET',
      url: `${ctx.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json?${params.toString()}`,
    });
    if (res.status !== 200) throw twilioError(res);
    return findRecentMessage(res.text, q.since);
  },
  listInbound(q, ctx) {
    return listTwilioInbound(q, ctx);
  },
  webhookSecretProblem(creds) {
    if (hasWebhookSecret(twilioDescriptor, creds)) return undefined;
    const keys = twilioDescriptor.webhookSecret?.keys ?? [];
    return {
      message: 'Twilio signs webhooks with the account Auth Token, and none is configured',
      suggestion: `Set ${envName(twilioDescriptor, 'authToken')} (or \`${loginCommand(twilioDescriptor, { keys })}\`) so signatures can be checked`,
    };
  },
  mediaAuthHeaders(creds) {
    // Twilio media URLs take Basic auth with the Account SID + Auth Token, or an API key (reference §1.5).
    if (creds.apiKey && creds.apiSecret) return basicAuthHeader(creds.apiKey, creds.apiSecret);
    return creds.accountSid && creds.authToken ? basicAuthHeader(creds.accountSid, creds.authToken) : undefined;
  },
  webhookReply(kind) {
    // An empty TwiML document: Twilio sends no auto-reply. Status callbacks take any 200.
    return kind === 'inbound' ? { status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response></Response>' } : { status: 200 };
  },
  verifyWebhook(req, creds) {
    return verifyTwilioWebhook(req, creds.authToken ?? '');
  },
  parseWebhook(req) {
    return parseTwilioWebhook(req);
  },
  async configureInbound(number, url, ctx, hooks) {
    const accountSid = ctx.credentials.accountSid ?? '';
    const res = await api(ctx).request({
      method: 'GET',
      url: `${ctx.baseUrl}${incomingNumbersLookupPath(accountSid, number)}`,
      timeoutMs: 15_000,
    });
    const found = findIncomingNumber(parseIncomingNumbers(res), number);
    if (!found) {
      throw new ProviderError(ErrorCode.NOT_FOUND, ExitCode.PROVIDER_REJECTED, `${number} is not a phone number of this Twilio account`, {
        provider: 'twilio',
        suggestion: 'Pass one of your Twilio numbers to --number (Console → Phone Numbers → Active numbers), or leave --number out and set the webhook by hand',
      });
    }
    const service = messagingServiceOf(found);
    if (service) {
      // Clearing SmsApplicationSid here could take the number out of the service, and changing the
      // service's Inbound Request URL would redirect every number in it: leave both to the user.
      throw new ProviderError(
        ErrorCode.NOT_SUPPORTED,
        ExitCode.USAGE,
        `${number} belongs to Messaging Service ${service}: its inbound messages go to the service's webhook, not the number's, so --number cannot redirect them`,
        {
          provider: 'twilio',
          suggestion: [
            'Either:',
            `  • in the Console, set the service's Integration to "Defer to sender's webhook" (UseInboundWebhookOnNumber), then run this again; or`,
            "  • run `mms listen` without --number and set the service's Incoming Message webhook to the URL it prints",
          ].join('\n'),
        },
      );
    }
    const current = inboundSettingsOf(found);
    const data: TwilioInboundSettings = { ...current, configuredUrl: url };
    const state: InboundRestoreState = {
      provider: 'twilio',
      number,
      description: `SmsUrl of ${found.sid} (was ${current.smsApplicationSid ? `TwiML App ${current.smsApplicationSid}` : current.smsUrl || 'empty'})`,
      data: { ...data },
    };
    await hooks?.beforeChange?.(state);
    const upd = await api(ctx).request({
      method: 'POST',
      url: `${ctx.baseUrl}${incomingNumberPath(accountSid, found.sid)}`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: buildInboundUpdate(current, url).toString(),
      timeoutMs: 15_000,
    });
    if (upd.status !== 200) throw twilioError(upd);
    return state;
  },
  async restoreInbound(state, ctx) {
    const saved = state.data as unknown as TwilioInboundSettings;
    if (typeof saved.sid !== 'string' || !/^PN[0-9a-fA-F]{32}$/.test(saved.sid)) {
      throw new ProviderError(ErrorCode.CONFIG_INVALID, ExitCode.USAGE, `The restore data for ${state.number} has no valid number SID`, { provider: 'twilio' });
    }
    const res = await api(ctx).request({
      method: 'POST',
      url: `${ctx.baseUrl}${incomingNumberPath(ctx.credentials.accountSid ?? '', saved.sid)}`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: buildInboundRestore({
        sid: saved.sid,
        smsUrl: String(saved.smsUrl ?? ''),
        smsMethod: String(saved.smsMethod ?? 'POST'),
        smsFallbackUrl: String(saved.smsFallbackUrl ?? ''),
        smsFallbackMethod: String(saved.smsFallbackMethod ?? 'POST'),
        smsApplicationSid: String(saved.smsApplicationSid ?? ''),
      }).toString(),
      timeoutMs: 15_000,
    });
    // The number was released meanwhile: there is nothing left to restore.
    if (res.status === 404) return;
    if (res.status !== 200) throw twilioError(res);
  },
};
