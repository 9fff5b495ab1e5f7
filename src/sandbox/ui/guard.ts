// The checks in front of the sandbox's own surface (the web phone at /, /ui/… and /_sandbox/…):
// the Host header must name this loopback listener (a DNS-rebinding page would send its own name),
// and a write must not come from another origin (a page elsewhere can still send a "simple" POST).
// Provider routes (/<provider>/…) are not guarded here: they have the provider's own auth.
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from '../media-fetch.js';

/** Why a request was refused, or undefined when it may proceed. */
export function refuseRequest(method: string, headers: IncomingHttpHeaders, port: number): string | undefined {
  if (!isOwnAuthority(headers.host, port)) return 'the Host header does not name this sandbox (only localhost, 127.0.0.1 or [::1] with its port)';
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'cross-origin writes are refused';
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      return 'cross-origin writes are refused';
    }
    if (!isOwnAuthority(host, port)) return 'cross-origin writes are refused';
  } else if (origin === 'null') {
    return 'cross-origin writes are refused';
  }
  return undefined;
}

/** True for `localhost:<port>`, `127.x.y.z:<port>` or `[::1]:<port>`. */
function isOwnAuthority(value: string | undefined, port: number): boolean {
  if (!value) return false;
  let u: URL;
  try {
    u = new URL(`http://${value}`);
  } catch {
    return false;
  }
  const hostname = u.hostname.replace(/^\[|\]$/g, '');
  return isLoopbackHost(hostname) && u.port === String(port) && u.username === '' && u.pathname === '/';
}
