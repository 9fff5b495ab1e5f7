// Bandwidth Messaging v2 media (reference §2.4): list, and PUT/GET/DELETE by name; also serves
// the inbound media the sandbox re-hosts (it needs API auth, as on Bandwidth).
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { bwError, springNotFound, validation, type BandwidthContext } from './context.js';
import { keptBytes, pathOf } from '../kept.js';

/** The detail under which a message keeps the names of its media files deleted through the media API. */
const DELETED = 'bandwidth.deletedMedia';

/** A file of the account's media API that a restart lost from memory but a kept message still refers to. */
interface Restored {
  sha256: string;
  size: number;
  /** The kept messages whose media URL names it. */
  messages: string[];
}

/**
 * The media files the kept messages of the account refer to under its media path (uploads sent in a
 * message, re-hosted inbound files), by name, less those deleted through the API: what a restart
 * would otherwise lose from GET /media. Uploads no kept message used are not kept.
 */
function restoredMedia(ctx: BandwidthContext): Map<string, Restored> {
  const out = new Map<string, Restored>();
  const prefix = `/bandwidth${ctx.mediaPrefix}`;
  for (const m of ctx.svc.store.list({ provider: 'bandwidth' })) {
    if (m.account !== ctx.accountId) continue;
    const deleted = ctx.svc.store.detail(m.id, DELETED);
    for (const x of m.media) {
      const path = x.sha256 ? pathOf(x.url) : undefined;
      if (!path?.startsWith(prefix)) continue;
      const name = decodeURIComponent(path.slice(prefix.length));
      if (Array.isArray(deleted) && deleted.includes(name)) continue;
      const r = out.get(name) ?? { sha256: x.sha256!, size: x.size ?? 0, messages: [] };
      r.messages.push(m.id);
      out.set(name, r);
    }
  }
  return out;
}

/** Marks `name` deleted on every kept message that refers to it (so a restart does not bring it back); true when one did. */
function forgetRestored(ctx: BandwidthContext, name: string): boolean {
  const r = restoredMedia(ctx).get(name);
  for (const id of r?.messages ?? []) {
    const deleted = ctx.svc.store.detail(id, DELETED);
    ctx.svc.store.setDetail(id, DELETED, [...(Array.isArray(deleted) ? deleted : []), name]);
  }
  return r !== undefined;
}

async function mediaEndpoint(ctx: BandwidthContext, req: SandboxRequest, rawId: string): Promise<SandboxResponse> {
  const id = decodeURIComponent(rawId);
  if (req.method === 'PUT') {
    if (!id) return validation('mediaId', 'mediaId is required');
    const ct = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    if (!ct) return bwError(415, 'unsupported-media-type', 'Content-Type is required for media uploads');
    ctx.media.set(id, { bytes: req.rawBody, contentType: ct });
    if (ctx.media.size > 2000) ctx.media.delete(ctx.media.keys().next().value!);
    return { status: 204 };
  }
  const notFound = () => springNotFound(`/api/v2/users/${ctx.accountId}/media/${rawId}`);
  if (req.method === 'DELETE') {
    const inMemory = ctx.media.delete(id);
    return forgetRestored(ctx, id) || inMemory ? { status: 204 } : notFound();
  }
  if (req.method !== 'GET') return bwError(405, 'method-not-allowed', `${req.method} is not allowed on media`);
  // After a restart an upload or a re-hosted file is found again through a kept message that carries its URL.
  const s = ctx.media.get(id) ?? (await keptBytes(ctx.svc.store, restoredMedia(ctx).get(id)?.sha256));
  if (!s) return notFound();
  return { status: 200, headers: { 'content-type': s.contentType, 'content-length': String(s.bytes.length) }, body: s.bytes };
}

/** Routes below /api/v2/users/{accountId}. */
export function mediaRoutes(ctx: BandwidthContext): Route[] {
  return [
    route('GET', `${ctx.v2}/media`, () =>
      json(200, [
        ...[...ctx.media.entries()].map(([mediaName, s]) => ({
          content: `${ctx.svc.origin()}/bandwidth${ctx.mediaPrefix}${mediaName}`,
          contentLength: s.bytes.length,
          mediaName,
        })),
        ...[...restoredMedia(ctx)]
          .filter(([mediaName]) => !ctx.media.has(mediaName))
          .map(([mediaName, r]) => ({ content: `${ctx.svc.origin()}/bandwidth${ctx.mediaPrefix}${mediaName}`, contentLength: r.size, mediaName })),
      ]),
    ),
    // Media names may contain slashes (inbound media: <messageId>/<n>/<file>).
    route('*', `${ctx.v2}/media/:name(.*)`, (req, p) => mediaEndpoint(ctx, req, p.name!)),
  ];
}
