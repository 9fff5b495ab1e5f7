// Sinch inbounds (reference §3.6): the mo_media messages the sandbox delivered, listed and by id,
// and their media, re-hosted at <base>/mms-media/<id> (unauthenticated; Sinch's is [UNCONFIRMED]).
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { currentOrigin, isRecord, keptFileAt } from '../kept.js';
import { sinchError, type SinchContext } from './context.js';

/** A kept inbound of this service plan, its media URLs on the sandbox's current origin (the port changes across restarts). */
function inboundOf(ctx: SinchContext, id: string): Record<string, unknown> | undefined {
  const i = ctx.svc.store.get(id)?.account === ctx.servicePlanId ? ctx.inbounds.get(id) : undefined;
  if (!i || !isRecord(i.body) || !Array.isArray(i.body.media)) return i;
  const origin = ctx.svc.origin();
  const media = i.body.media.map((x: unknown) => (isRecord(x) && typeof x.url === 'string' ? { ...x, url: currentOrigin(x.url, origin, 'sinch') } : x));
  return { ...i, body: { ...i.body, media } };
}

/** Routes below /xms/v1/{servicePlanId}. */
export function inboundRoutes(ctx: SinchContext): Route[] {
  return [
    // Paged like batches: page from 0, page_size 30 by default and at most 100, newest first.
    route('GET', `${ctx.base}/inbounds`, (req) => {
      const size = Math.max(1, Math.min(100, Number(req.query.get('page_size') ?? 30) || 30));
      const page = Math.max(0, Number(req.query.get('page') ?? 0) || 0);
      const all = ctx.svc.store
        .list({ provider: 'sinch' })
        .flatMap((m) => (m.direction === 'inbound' ? [inboundOf(ctx, m.id)].filter((i) => i !== undefined) : []))
        .reverse();
      return json(200, { count: all.length, page, page_size: size, inbounds: all.slice(page * size, (page + 1) * size) });
    }),
    route('GET', `${ctx.base}/inbounds/:id([0-9A-Z]{26})`, (_req, p) => {
      const i = inboundOf(ctx, p.id!);
      return i ? json(200, i) : sinchError(404, 'not_found', `Inbound ${p.id} not found`);
    }),
  ];
}

/** The re-hosted media route (outside the authenticated API). */
export function mediaRoutes(ctx: SinchContext): Route[] {
  return [
    route('GET', '/mms-media/:id([0-9a-z]{26})', async (_req, p) => {
      // After a restart the bytes are found again through the inbound message that carries the URL.
      const h = ctx.hosted.get(p.id!) ?? (await keptFileAt(ctx.svc.store, 'sinch', `/sinch/mms-media/${p.id!}`, 'inbound'));
      return h
        ? { status: 200, headers: { 'content-type': h.contentType, 'content-length': String(h.bytes.length) }, body: h.bytes }
        : sinchError(404, 'not_found', 'No such media');
    }),
  ];
}
