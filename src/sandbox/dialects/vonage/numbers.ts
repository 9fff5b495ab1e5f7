// Vonage Numbers API (reference §1.8; rest.nexmo.com in real life, the same base URL here):
// GET /account/numbers and POST /number/update (app_id links a number to an application), with
// api_key/api_secret as parameters and Vonage's `error-code` bodies.
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import type { VonageContext } from './context.js';
import { paramsOk } from './credentials.js';

function listNumbers(ctx: VonageContext, req: SandboxRequest): SandboxResponse {
  const pattern = req.query.get('pattern') ?? '';
  const mode = req.query.get('search_pattern') ?? '1';
  const appFilter = req.query.get('application_id');
  const list = [...ctx.links.entries()]
    .filter(([n]) => !pattern || (mode === '0' ? n.startsWith(pattern) : mode === '2' ? n.endsWith(pattern) : n.includes(pattern)))
    .filter(([, a]) => !appFilter || a === appFilter)
    .map(([msisdn, appId]) => ({ country: 'US', msisdn, type: 'mobile-lvn', features: ['SMS', 'MMS', 'VOICE'], ...(appId ? { app_id: appId } : {}) }));
  // `size` (default 10, at most 100) numbers from page `index` (1-based); `count` is the total.
  const size = Math.max(1, Math.min(100, Number(req.query.get('size') ?? 10) || 10));
  const index = Math.max(1, Number(req.query.get('index') ?? 1) || 1);
  return json(200, { count: list.length, numbers: list.slice((index - 1) * size, index * size) });
}

function updateNumber(ctx: VonageContext, form: URLSearchParams): SandboxResponse {
  const msisdn = form.get('msisdn') ?? '';
  const country = form.get('country') ?? '';
  if (!msisdn || !country) return json(400, { 'error-code': '400', 'error-code-label': 'missing parameter: country and msisdn are required' });
  if (!ctx.links.has(msisdn) || country.toUpperCase() !== 'US')
    return json(420, { 'error-code': '420', 'error-code-label': `number ${msisdn} (${country}) not found in this account` });
  const appId = form.get('app_id') ?? '';
  if (appId && !ctx.apps.has(appId)) return json(420, { 'error-code': '420', 'error-code-label': `application ${appId} not found` });
  ctx.links.set(msisdn, appId || undefined);
  return json(200, { 'error-code': '200', 'error-code-label': 'success' });
}

/** Both paths answer any method: credentials are checked first, then the endpoint. */
function numbers(ctx: VonageContext, req: SandboxRequest): SandboxResponse {
  const form = req.method === 'POST' ? new URLSearchParams(req.rawBody.toString('utf8')) : new URLSearchParams();
  if (!paramsOk(ctx, req, form)) return json(401, { 'error-code': '401', 'error-code-label': 'authentication failed' });
  if (req.path === '/account/numbers' && req.method === 'GET') return listNumbers(ctx, req);
  if (req.path === '/number/update' && req.method === 'POST') return updateNumber(ctx, form);
  return json(404, { 'error-code': '404', 'error-code-label': `no such endpoint ${req.path}` });
}

/** The Numbers API routes. */
export function numberRoutes(ctx: VonageContext): Route[] {
  return [route('*', '/account/numbers', (req) => numbers(ctx, req)), route('*', '/number/update', (req) => numbers(ctx, req))];
}
