// Bandwidth Messaging v2 media (reference §2.4): list, and PUT/GET/DELETE by name; also serves
// the inbound media the sandbox re-hosts (it needs API auth, as on Bandwidth).
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { bwError, springNotFound, validation, type BandwidthContext } from './context.js';
import { keptFileAt } from '../kept.js';

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
  // After a restart an upload or a re-hosted file is found again through a kept message that carries its URL.
  const s = ctx.media.get(id) ?? (req.method === 'GET' ? await keptFileAt(ctx.svc.store, 'bandwidth', `/bandwidth${ctx.mediaPrefix}${rawId}`) : undefined);
  if (!s) return springNotFound(`/api/v2/users/${ctx.accountId}/media/${rawId}`);
  if (req.method === 'GET') return { status: 200, headers: { 'content-type': s.contentType, 'content-length': String(s.bytes.length) }, body: s.bytes };
  if (req.method === 'DELETE') {
    ctx.media.delete(id);
    return { status: 204 };
  }
  return bwError(405, 'method-not-allowed', `${req.method} is not allowed on media`);
}

/** Routes below /api/v2/users/{accountId}. */
export function mediaRoutes(ctx: BandwidthContext): Route[] {
  return [
    route('GET', `${ctx.v2}/media`, () =>
      json(
        200,
        [...ctx.media.entries()].map(([mediaName, s]) => ({
          content: `${ctx.svc.origin()}/bandwidth${ctx.mediaPrefix}${mediaName}`,
          contentLength: s.bytes.length,
          mediaName,
        })),
      ),
    ),
    // Media names may contain slashes (inbound media: <messageId>/<n>/<file>).
    route('*', `${ctx.v2}/media/:name(.*)`, (req, p) => mediaEndpoint(ctx, req, p.name!)),
  ];
}
