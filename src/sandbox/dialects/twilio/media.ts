// Media resources of messages (reference §1.8): every fetched media file of an outbound message and
// every MediaUrl{N} of an inbound one has an ME… SID under its message, as on Twilio: list
// (Messages/{sid}/Media.json, paged), fetch (…/Media/{ME}.json), delete, and the bytes themselves
// (…/Media/{ME}, no extension), all under the account with Basic auth.
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { keptBytes } from '../kept.js';
import { API, notFound, twilioPage, type KeptMedia, type TwilioContext } from './context.js';

/** Bytes of media kept (oldest dropped beyond this). */
const MEDIA_KEEP_BYTES = 64 * 1024 * 1024;

const MESSAGE = ':message((?:SM|MM)[0-9a-f]{32})';
const MEDIA = ':sid(ME[0-9a-f]{32})';

/** Keeps one media file under its ME… SID, dropping the oldest bytes beyond the budget (the kept file still serves them). */
export function keepMedia(ctx: TwilioContext, sid: string, entry: KeptMedia): void {
  ctx.media.set(sid, entry);
  ctx.mediaKeptBytes += entry.bytes?.length ?? 0;
  const list = ctx.mediaMeta.get(entry.messageSid) ?? [];
  list.push({ sid, contentType: entry.contentType, sha256: entry.sha256, dateCreated: entry.dateCreated });
  ctx.mediaMeta.set(entry.messageSid, list);
  const files = ctx.svc.store.mediaFiles;
  if (files && entry.bytes) void files.put(entry.bytes, entry.contentType).catch(() => undefined);
  for (const [k, v] of ctx.media) {
    if (ctx.mediaKeptBytes <= MEDIA_KEEP_BYTES) break;
    ctx.media.delete(k);
    ctx.mediaKeptBytes -= v.bytes?.length ?? 0;
  }
}

/** Puts back the Media resources of the kept messages (a restart loses the in-memory ones); their bytes load on demand. */
export function restoreMedia(ctx: TwilioContext): void {
  for (const m of ctx.svc.store.list({ provider: 'twilio' })) {
    const list = m.account === ctx.accountSid ? ctx.mediaMeta.get(m.id) : undefined;
    for (const x of list ?? []) ctx.media.set(x.sid, { messageSid: m.id, contentType: x.contentType, sha256: x.sha256, dateCreated: x.dateCreated });
  }
}

/** The Media resource as Twilio renders it. */
function mediaJson(ctx: TwilioContext, sid: string, e: KeptMedia): Record<string, unknown> & { sid: string } {
  return {
    sid,
    account_sid: ctx.accountSid,
    parent_sid: e.messageSid,
    content_type: e.contentType,
    date_created: e.dateCreated,
    date_updated: e.dateCreated,
    uri: `${API}/Accounts/${ctx.accountSid}/Messages/${e.messageSid}/Media/${sid}.json`,
  };
}

/** The message's own media entry, or undefined. */
function entryOf(ctx: TwilioContext, p: Record<string, string>): KeptMedia | undefined {
  const e = ctx.media.get(p.sid!);
  return e && e.messageSid === p.message ? e : undefined;
}

function listMedia(ctx: TwilioContext, req: SandboxRequest, messageSid: string): SandboxResponse {
  const m = ctx.svc.store.get(messageSid);
  if (!m || m.account !== ctx.accountSid) return notFound(req.path);
  const items = [...ctx.media].filter(([, e]) => e.messageSid === messageSid).map(([sid, e]) => mediaJson(ctx, sid, e));
  return twilioPage(req, `${ctx.accountPath}/Messages/${messageSid}/Media.json`, 'media_list', items, ['DateCreated', 'DateCreated<', 'DateCreated>']);
}

function deleteMedia(ctx: TwilioContext, req: SandboxRequest, p: Record<string, string>): SandboxResponse {
  const e = entryOf(ctx, p);
  if (!e) return notFound(req.path);
  ctx.media.delete(p.sid!);
  ctx.mediaKeptBytes -= e.bytes?.length ?? 0;
  const list = ctx.mediaMeta.get(e.messageSid);
  if (list)
    ctx.mediaMeta.set(
      e.messageSid,
      list.filter((x) => x.sid !== p.sid),
    );
  return { status: 204 };
}

/** Routes below the account path. */
export function mediaRoutes(ctx: TwilioContext): Route[] {
  const base = `${ctx.accountPath}/Messages/${MESSAGE}/Media`;
  return [
    route('GET', `${base}.json`, (req, p) => listMedia(ctx, req, p.message!)),
    route('GET', `${base}/${MEDIA}.json`, (req, p) => {
      const e = entryOf(ctx, p);
      return e ? json(200, mediaJson(ctx, p.sid!, e)) : notFound(req.path);
    }),
    route('DELETE', `${base}/${MEDIA}.json`, (req, p) => deleteMedia(ctx, req, p)),
    route('DELETE', `${base}/${MEDIA}`, (req, p) => deleteMedia(ctx, req, p)),
    route(['GET', 'HEAD'], `${base}/${MEDIA}`, async (req, p) => {
      const e = entryOf(ctx, p);
      const bytes = e?.bytes ?? (await keptBytes(ctx.svc.store, e?.sha256))?.bytes;
      if (!e || !bytes) return notFound(req.path);
      return {
        status: 200,
        headers: { 'content-type': e.contentType, 'cache-control': 'no-store' },
        body: req.method === 'HEAD' ? Buffer.alloc(0) : bytes,
      };
    }),
  ];
}
