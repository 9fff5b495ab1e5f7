// Fetches media URLs the way a provider does (HEAD, then GET), enforcing type and size limits.
// By default only loopback URLs are fetched: the sandbox is for offline rehearsal and tests, and
// must never send traffic elsewhere unless the user asks (--fetch-remote-media).
import { createHash } from 'node:crypto';
import { isLoopbackAddress } from '../webhook/loopback.js';
import type { MediaStore } from './persist-media.js';

export interface FetchLimits {
  /** Byte budget left for this message. */
  maxBytes: number;
  timeoutMs?: number;
  /** Keep the fetched bytes in the result (for the inbound round trip; bounded by maxBytes). */
  keepBytes?: boolean;
}

export type FetchResult =
  | { ok: true; contentType: string; size: number; sha256: string; bytes?: Buffer }
  | { ok: false; reason: 'unreachable' | 'bad-status' | 'no-content-type' | 'too-large' | 'refused'; detail: string; contentType?: string };

export interface MediaFetcher {
  fetch(url: string, limits: FetchLimits): Promise<FetchResult>;
}

/** True for a loopback host: 127.0.0.0/8, ::1, or the name localhost (the sandbox's own --host choice). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname.toLowerCase() === 'localhost' || isLoopbackAddress(hostname);
}

/**
 * Creates the fetcher (undici's fetch built into Node). With `media`, every file fetched whole is
 * also kept there (the web phone shows it after the sender's URL is gone); `signal` stops fetches
 * in flight when the sandbox closes.
 */
export function createMediaFetcher(opts: { allowRemote: boolean; media?: MediaStore; signal?: AbortSignal }): MediaFetcher {
  const init = (method: string, timeout: number): RequestInit => ({
    method,
    signal: AbortSignal.any([AbortSignal.timeout(timeout), ...(opts.signal ? [opts.signal] : [])]),
    redirect: 'follow',
  });
  return {
    async fetch(url, limits) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return { ok: false, reason: 'unreachable', detail: 'invalid URL' };
      }
      if (!opts.allowRemote && !isLoopbackHost(u.hostname)) {
        return {
          ok: false,
          reason: 'refused',
          detail: `the sandbox only fetches loopback URLs (got ${u.host}); start it with --fetch-remote-media to allow others`,
        };
      }
      const timeout = limits.timeoutMs ?? 10_000;
      try {
        const head = await fetch(u, init('HEAD', timeout));
        if (head.status >= 400 && head.status !== 405) return { ok: false, reason: 'bad-status', detail: `HEAD ${url} answered ${head.status}` };
        const res = await fetch(u, init('GET', timeout));
        if (res.status !== 200) {
          await res.body?.cancel().catch(() => undefined);
          return { ok: false, reason: 'bad-status', detail: `GET ${url} answered ${res.status}` };
        }
        const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (!contentType) {
          await res.body?.cancel().catch(() => undefined);
          return { ok: false, reason: 'no-content-type', detail: `GET ${url} sent no Content-Type` };
        }
        const hash = createHash('sha256');
        const kept: Uint8Array[] = [];
        let size = 0;
        if (res.body) {
          for await (const chunk of res.body) {
            size += chunk.byteLength;
            if (size > limits.maxBytes) {
              await res.body.cancel().catch(() => undefined);
              return { ok: false, reason: 'too-large', detail: `${url} is larger than the ${limits.maxBytes} bytes left in the budget`, contentType };
            }
            hash.update(chunk);
            if (limits.keepBytes || opts.media) kept.push(chunk);
          }
        }
        const sha256 = hash.digest('hex');
        if (opts.media) await opts.media.put(Buffer.concat(kept), contentType);
        return limits.keepBytes ? { ok: true, contentType, size, sha256, bytes: Buffer.concat(kept) } : { ok: true, contentType, size, sha256 };
      } catch (err) {
        return { ok: false, reason: 'unreachable', detail: `${url}: ${(err as Error).message}` };
      }
    },
  };
}
