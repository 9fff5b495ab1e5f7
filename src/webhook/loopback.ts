// Loopback checks shared by the webhook server and the tunnel backends.
import { isIPv4, isIPv6 } from 'node:net';

/** True for a literal loopback address: 127.0.0.0/8 or ::1 (names such as "localhost" are not trusted). */
export function isLoopbackAddress(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) {
    const lower = h.toLowerCase();
    return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(lower);
  }
  return false;
}

/** True when the URL's host is a literal loopback address. */
export function isLoopbackUrl(url: string | URL): boolean {
  try {
    return isLoopbackAddress(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * True when the environment asks that nothing leave the machine (`MMS_TEST_OFFLINE=1`, set by our
 * tests and CI); tunnel backends then refuse any non-loopback host before connecting.
 */
export function isOfflineMode(env: NodeJS.ProcessEnv): boolean {
  const v = env.MMS_TEST_OFFLINE;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}
