// Media of inbound messages (reference §1.8): the bytes behind MediaUrl{N}, served under the
// account with Basic auth, as Twilio serves them.
import { route, type Route } from '../../router.js';
import { notFound, type KeptMedia, type TwilioContext } from './context.js';

/** Bytes of fetched media kept for inbound MediaUrl downloads (oldest dropped beyond this). */
const MEDIA_KEEP_BYTES = 64 * 1024 * 1024;

/** Keeps one media file under its ME… SID, dropping the oldest beyond the byte budget. */
export function keepMedia(ctx: TwilioContext, sid: string, entry: KeptMedia): void {
  ctx.media.set(sid, entry);
  ctx.mediaKeptBytes += entry.bytes.length;
  for (const [k, v] of ctx.media) {
    if (ctx.mediaKeptBytes <= MEDIA_KEEP_BYTES) break;
    ctx.media.delete(k);
    ctx.mediaKeptBytes -= v.bytes.length;
  }
}

/** Routes below the account path. */
export function mediaRoutes(ctx: TwilioContext): Route[] {
  return [
    route(['GET', 'HEAD'], `${ctx.accountPath}/Messages/:message((?:SM|MM)[0-9a-f]{32})/Media/:sid(ME[0-9a-f]{32})`, (req, p) => {
      const entry = ctx.media.get(p.sid!);
      if (!entry || entry.messageSid !== p.message) return notFound(req.path);
      return {
        status: 200,
        headers: { 'content-type': entry.contentType, 'cache-control': 'no-store' },
        body: req.method === 'HEAD' ? Buffer.alloc(0) : entry.bytes,
      };
    }),
  ];
}
