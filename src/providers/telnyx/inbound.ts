// Pointing a Telnyx number's inbound webhook at `mms listen`, and putting it back (reference §2.8).
// The webhook URL lives on the messaging profile, which other numbers may share, so we do not edit
// it: we create a temporary profile with the listener's URL and move just this number onto it.
// Restore moves the number back, then deletes the temporary profile.
// Shapes from team-telnyx/telnyx-node src/resources/messaging-profiles/messaging-profiles.ts and
// src/resources/phone-numbers/messaging.ts (reference §6), and
// https://developers.telnyx.com/docs/messaging/messages/receive-message
import { ErrorCode, ProviderError, exitCodeForErrorCode } from '../../errors/errors.js';
import { callClient, type HttpResponse } from '../http-client.js';
import type { InboundRestoreState, ProviderCallContext } from '../types.js';
import { parseJson } from '../shared.js';
import { telnyxHeaders } from './payload.js';
import { telnyxError } from './response.js';

/** What restoreInbound needs, kept in InboundRestoreState.data. */
export interface TelnyxRestoreData {
  phoneNumberId: string;
  /** The number's profile before we moved it (null: it had none). */
  previousProfileId: string | null;
  temporaryProfileId: string;
}

async function call(ctx: ProviderCallContext, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<HttpResponse> {
  return callClient(ctx).request({
    method,
    url: `${ctx.baseUrl}${path}`,
    headers: telnyxHeaders(ctx.credentials.apiKey ?? '', body !== undefined),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    timeoutMs: 15_000,
  });
}

function data<T>(res: HttpResponse): T | undefined {
  return (parseJson(res.text) as { data?: T } | undefined)?.data;
}

const ok = (res: HttpResponse) => res.status >= 200 && res.status < 300;

/** Moves `number` onto a temporary messaging profile whose webhook_url is `url`. */
export async function configureTelnyxInbound(number: string, url: string, ctx: ProviderCallContext): Promise<InboundRestoreState> {
  const query = new URLSearchParams({ 'filter[phone_number]': number }).toString();
  const found = await call(ctx, 'GET', `/v2/phone_numbers/messaging?${query}`);
  if (!ok(found)) throw telnyxError(found);
  const entry = (data<Array<{ id?: string; phone_number?: string; messaging_profile_id?: string | null }>>(found) ?? []).find((n) => n.phone_number === number);
  if (!entry?.id) {
    throw new ProviderError(
      ErrorCode.NOT_FOUND,
      exitCodeForErrorCode(ErrorCode.NOT_FOUND),
      `${number} is not a messaging-enabled number on this Telnyx account`,
      {
        provider: 'telnyx',
        httpStatus: found.status,
        suggestion: 'Pass one of your Telnyx numbers (E.164) to --number; Mission Control → Numbers lists them',
      },
    );
  }
  const previousProfileId = entry.messaging_profile_id ? entry.messaging_profile_id : null;
  // Outbound sends from the number now go through the temporary profile, so it copies the old
  // profile's destination allow-list (required on create).
  let whitelist = ['US'];
  if (previousProfileId) {
    const prev = await call(ctx, 'GET', `/v2/messaging_profiles/${encodeURIComponent(previousProfileId)}`);
    if (!ok(prev)) throw telnyxError(prev);
    const w = data<{ whitelisted_destinations?: unknown }>(prev)?.whitelisted_destinations;
    if (Array.isArray(w) && w.length > 0 && w.every((c) => typeof c === 'string')) whitelist = w as string[];
  }
  const created = await call(ctx, 'POST', '/v2/messaging_profiles', {
    name: `mms listen ${number} (temporary)`,
    webhook_url: url,
    webhook_failover_url: null,
    webhook_api_version: '2',
    whitelisted_destinations: whitelist,
  });
  if (!ok(created)) throw telnyxError(created);
  const temporaryProfileId = data<{ id?: string }>(created)?.id;
  if (!temporaryProfileId) {
    throw new ProviderError(
      ErrorCode.PROVIDER_UNAVAILABLE,
      exitCodeForErrorCode(ErrorCode.PROVIDER_UNAVAILABLE),
      'Telnyx created a messaging profile but answered without its id',
      { provider: 'telnyx', httpStatus: created.status },
    );
  }
  const moved = await call(ctx, 'PATCH', `/v2/phone_numbers/${encodeURIComponent(entry.id)}/messaging`, { messaging_profile_id: temporaryProfileId });
  if (!ok(moved)) {
    // Leave nothing behind: the contract is "no change when it throws".
    await call(ctx, 'DELETE', `/v2/messaging_profiles/${encodeURIComponent(temporaryProfileId)}`).catch(() => undefined);
    throw telnyxError(moved);
  }
  const restore: TelnyxRestoreData = { phoneNumberId: entry.id, previousProfileId, temporaryProfileId };
  return {
    provider: 'telnyx',
    number,
    description: `moved ${number} from messaging profile ${previousProfileId ?? '(none)'} to temporary profile ${temporaryProfileId} (webhook_url ${url})`,
    data: { ...restore },
  };
}

/** Moves the number back to its previous profile and deletes the temporary one. Idempotent. */
export async function restoreTelnyxInbound(state: InboundRestoreState, ctx: ProviderCallContext): Promise<void> {
  const d = state.data as Partial<TelnyxRestoreData>;
  if (typeof d.phoneNumberId !== 'string' || typeof d.temporaryProfileId !== 'string') {
    throw new ProviderError(
      ErrorCode.INPUT_INVALID,
      exitCodeForErrorCode(ErrorCode.INPUT_INVALID),
      `The saved Telnyx restore state for ${state.number} is incomplete`,
      { provider: 'telnyx' },
    );
  }
  // Move the number first: deleting a profile that still holds numbers may be refused.
  // "" unassigns, for a number that had no profile before.
  const back = await call(ctx, 'PATCH', `/v2/phone_numbers/${encodeURIComponent(d.phoneNumberId)}/messaging`, {
    messaging_profile_id: d.previousProfileId ?? '',
  });
  // 404: the number left the account meanwhile; nothing to move back.
  if (!ok(back) && back.status !== 404) throw telnyxError(back);
  const del = await call(ctx, 'DELETE', `/v2/messaging_profiles/${encodeURIComponent(d.temporaryProfileId)}`);
  // 404: already deleted by an earlier restore.
  if (!ok(del) && del.status !== 404) throw telnyxError(del);
}
