// Serves the web phone: / (the page), /ui/app.css and /ui/app.js, each with a strict
// Content-Security-Policy (same-origin scripts, styles, media and connections only; no inline code,
// no framing, no form posts elsewhere) and nosniff.
import type { SandboxResponse } from '../types.js';
import { INDEX_HTML } from './page-html.js';
import { APP_CSS } from './page-css.js';
import { APP_JS } from './page-js.js';

/** The page's policy: nothing but its own files and the sandbox's own API. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; connect-src 'self'; " +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const ASSETS: Record<string, { type: string; body: string }> = {
  '/': { type: 'text/html; charset=utf-8', body: INDEX_HTML },
  '/index.html': { type: 'text/html; charset=utf-8', body: INDEX_HTML },
  '/ui/app.css': { type: 'text/css; charset=utf-8', body: APP_CSS },
  '/ui/app.js': { type: 'text/javascript; charset=utf-8', body: APP_JS },
};

/** The asset at `path` (GET or HEAD), or undefined. */
export function uiAsset(method: string, path: string): SandboxResponse | undefined {
  // Browsers ask for it on their own; no icon, and no 404 in the console.
  if (path === '/favicon.ico') return { status: 204, headers: { 'cache-control': 'max-age=86400' } };
  const asset = ASSETS[path];
  if (!asset || (method !== 'GET' && method !== 'HEAD')) return undefined;
  return {
    status: 200,
    headers: {
      'content-type': asset.type,
      'content-security-policy': PAGE_CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    },
    body: method === 'HEAD' ? '' : asset.body,
  };
}
