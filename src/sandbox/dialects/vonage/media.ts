// Inbound media re-hosted by the sandbox at /v3/media/<uuid> (unauthenticated, like Vonage's
// "standard" mode).
import { route, type Route } from '../../router.js';
import { problem, type VonageContext } from './context.js';
import { keptFileAt } from '../kept.js';

/** The media route. */
export function mediaRoutes(ctx: VonageContext): Route[] {
  return [
    route('GET', '/v3/media/:id([0-9a-f-]{36})', async (_req, p) => {
      // After a restart the bytes are found again through the inbound message that carries the URL.
      const m = ctx.hosted.get(p.id!) ?? (await keptFileAt(ctx.svc.store, 'vonage', `/vonage/v3/media/${p.id!}`, 'inbound'));
      return m
        ? { status: 200, headers: { 'content-type': m.contentType }, body: m.bytes }
        : problem(404, 'https://developer.nexmo.com/api-errors#not-found', 'Not Found', 'No such media');
    }),
  ];
}
