// Pointing a Plivo number's inbound messages at `mms listen`, and putting it back (reference §3.8).
// The message_url lives on the application, which other numbers may share (or be the default
// number app), so we do not edit it: we create a temporary application with the listener's URL
// and link only this number to it. Restore relinks the previous app_id and deletes the temporary one.
// Shapes from plivo/plivo-node lib/resources/applications.js and lib/resources/numbers.js (the
// `app_id` update) and its request-test.js fixtures (reference §6), and
// https://docs.plivo.com/docs/messaging/api/message/handling-incoming
import { ErrorCode, ProviderError, exitCodeForErrorCode } from '../../errors/errors.js';
import { callClient, type HttpResponse } from '../http-client.js';
import type { InboundRestoreState, ProviderCallContext } from '../types.js';
import { parseJson } from '../shared.js';
import { plivoAccountPath, plivoAuthHeader, toPlivoNumber } from './payload.js';
import { plivoError } from './response.js';

/** What restoreInbound needs, kept in InboundRestoreState.data. */
export interface PlivoRestoreData {
  /** The number as Plivo writes it (digits). */
  plivoNumber: string;
  /** The app_id linked before (null: none). */
  previousAppId: string | null;
  temporaryAppId: string;
}

async function call(ctx: ProviderCallContext, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<HttpResponse> {
  const headers: Record<string, string> = { Authorization: plivoAuthHeader(ctx.credentials), Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return callClient(ctx).request({
    method,
    url: `${ctx.baseUrl}${plivoAccountPath(ctx.credentials.authId ?? '')}${path}`,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    timeoutMs: 15_000,
  });
}

const ok = (res: HttpResponse) => res.status >= 200 && res.status < 300;

/** The app id from a number's `application` resource URI (`/v1/Account/MA…/Application/123/`). */
export function appIdFromUri(uri: unknown): string | null {
  if (typeof uri !== 'string' || uri === '') return null;
  const m = /\/Application\/([^/]+)\/?$/.exec(uri);
  return m ? decodeURIComponent(m[1]!) : null;
}

/** Links `number` to a temporary application whose message_url is `url`. */
export async function configurePlivoInbound(number: string, url: string, ctx: ProviderCallContext): Promise<InboundRestoreState> {
  const plivoNumber = toPlivoNumber(number);
  const numPath = `/Number/${encodeURIComponent(plivoNumber)}/`;
  const found = await call(ctx, 'GET', numPath);
  if (found.status === 404) {
    throw new ProviderError(ErrorCode.NOT_FOUND, exitCodeForErrorCode(ErrorCode.NOT_FOUND), `${number} is not a number on this Plivo account`, {
      provider: 'plivo',
      httpStatus: 404,
      suggestion: 'Pass one of your Plivo numbers to --number; the console lists them under Phone Numbers',
    });
  }
  if (!ok(found)) throw plivoError(found);
  const previousAppId = appIdFromUri((parseJson(found.text) as { application?: unknown } | undefined)?.application);
  const created = await call(ctx, 'POST', '/Application/', {
    // A random suffix: names of leftovers from an interrupted run must not collide.
    app_name: `mms-listen-${plivoNumber}-${Date.now().toString(36)}`,
    message_url: url,
    message_method: 'POST',
  });
  if (!ok(created)) throw plivoError(created);
  const appId = (parseJson(created.text) as { app_id?: unknown } | undefined)?.app_id;
  const temporaryAppId = typeof appId === 'string' || typeof appId === 'number' ? String(appId) : '';
  if (!temporaryAppId) {
    throw new ProviderError(
      ErrorCode.PROVIDER_UNAVAILABLE,
      exitCodeForErrorCode(ErrorCode.PROVIDER_UNAVAILABLE),
      'Plivo created an application but answered without its app_id',
      { provider: 'plivo', httpStatus: created.status },
    );
  }
  const linked = await call(ctx, 'POST', numPath, { app_id: temporaryAppId });
  if (!ok(linked)) {
    // Leave nothing behind: the contract is "no change when it throws".
    await call(ctx, 'DELETE', `/Application/${encodeURIComponent(temporaryAppId)}/`).catch(() => undefined);
    throw plivoError(linked);
  }
  const restore: PlivoRestoreData = { plivoNumber, previousAppId, temporaryAppId };
  return {
    provider: 'plivo',
    number,
    description: `linked ${number} to temporary application ${temporaryAppId} (message_url ${url}); it was on ${previousAppId ? `application ${previousAppId}` : 'no application'}`,
    data: { ...restore },
  };
}

/** Relinks the previous application and deletes the temporary one. Idempotent. */
export async function restorePlivoInbound(state: InboundRestoreState, ctx: ProviderCallContext): Promise<void> {
  const d = state.data as Partial<PlivoRestoreData>;
  if (typeof d.plivoNumber !== 'string' || typeof d.temporaryAppId !== 'string') {
    throw new ProviderError(
      ErrorCode.INPUT_INVALID,
      exitCodeForErrorCode(ErrorCode.INPUT_INVALID),
      `The saved Plivo restore state for ${state.number} is incomplete`,
      { provider: 'plivo' },
    );
  }
  // An empty app_id unlinks (what plivo-python users pass to numbers.update) [unconfirmed in Plivo's docs].
  const back = await call(ctx, 'POST', `/Number/${encodeURIComponent(d.plivoNumber)}/`, { app_id: d.previousAppId ?? '' });
  // 404: the number left the account meanwhile; nothing to relink.
  if (!ok(back) && back.status !== 404) throw plivoError(back);
  const del = await call(ctx, 'DELETE', `/Application/${encodeURIComponent(d.temporaryAppId)}/`);
  // 404: already deleted by an earlier restore.
  if (!ok(del) && del.status !== 404) throw plivoError(del);
}
