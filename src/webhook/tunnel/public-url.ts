// `--public-url <url>`: the user already exposes the local port (their own ngrok, cloudflared,
// reverse proxy or VPS). Nothing is opened or closed here; we only validate the URL.
import { ErrorCode, UsageError } from '../../errors/errors.js';
import { isLoopbackUrl } from '../loopback.js';
import { CloseListeners, type Tunnel } from './types.js';

/**
 * Validates and normalises a user-supplied public base URL: https (http only for a loopback host,
 * for tests), no credentials, no query or fragment, no trailing slash. Throws UsageError.
 */
export function normalizePublicUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`--public-url is not a valid URL: ${input}`, {
      code: ErrorCode.INVALID_ARGUMENT,
      suggestion: 'Pass an absolute URL such as https://example.ngrok.app',
    });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(url))) {
    // Twilio does not send webhooks to plain http by default, and the traffic carries PII.
    throw new UsageError(`--public-url must use https: ${input}`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  if (url.username || url.password) {
    throw new UsageError('--public-url must not contain a user name or password', { code: ErrorCode.INVALID_ARGUMENT });
  }
  if (url.search || url.hash) {
    throw new UsageError(`--public-url must not contain a query or fragment: ${input}`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  return url.toString().replace(/\/+$/, '');
}

/** Creates the `public-url` backend: start() returns the validated URL; stop() does nothing. */
export function createPublicUrlTunnel(opts: { url: string }): Tunnel {
  const publicUrl = normalizePublicUrl(opts.url);
  const listeners = new CloseListeners();
  return {
    name: 'public-url',
    start: () => Promise.resolve({ publicUrl, warnings: [] }),
    stop: () => Promise.resolve(),
    onClose: (cb) => listeners.add(cb),
  };
}
