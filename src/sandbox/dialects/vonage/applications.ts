// Vonage Applications API v2 (reference §1.7, Basic auth only): list, create, fetch, replace (PUT)
// and delete; `capabilities.messages.webhooks.{inbound,status}_url` route the webhooks.
import { randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { newKeyPair, parseBody, problem, str, unauthorized, type VonageApp, type VonageContext } from './context.js';
import { basicOk } from './credentials.js';

function appJson(a: VonageApp): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    capabilities: a.capabilities,
    keys: { public_key: a.publicKey },
    privacy: { improve_ai: false },
    _links: { self: { href: `/v2/applications/${a.id}` } },
  };
}

/** Reads messages.webhooks.{inbound,status}_url from a capabilities object. */
function applyCapabilities(a: VonageApp, caps: unknown): void {
  a.capabilities = caps && typeof caps === 'object' ? (caps as Record<string, unknown>) : {};
  const hooks = ((a.capabilities.messages as Record<string, unknown> | undefined)?.webhooks ?? {}) as Record<string, { address?: unknown } | undefined>;
  const inbound = str(hooks.inbound_url?.address);
  const status = str(hooks.status_url?.address);
  if (inbound) a.inboundUrl = inbound;
  else delete a.inboundUrl;
  if (status) a.statusUrl = status;
  else delete a.statusUrl;
}

function nameRequired(): SandboxResponse {
  return problem(400, 'https://developer.nexmo.com/api-errors#bad-request', 'Bad Request', 'The request failed due to validation errors', {
    invalid_parameters: [{ name: 'name', reason: 'Required' }],
  });
}

/**
 * A page of applications with the HAL `_links` Vonage sends (self, first, last, and next/prev when
 * there is such a page): the SDK's listAllApplications() follows `_links.next`.
 */
function listApps(ctx: VonageContext, req: SandboxRequest): SandboxResponse {
  const size = Math.max(1, Math.min(100, Number(req.query.get('page_size') ?? 10) || 10));
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const all = [...ctx.apps.values()];
  const pages = Math.max(1, Math.ceil(all.length / size));
  const link = (p: number) => ({ href: `/v2/applications?page_size=${size}&page=${p}` });
  return json(200, {
    page_size: size,
    page,
    total_items: all.length,
    total_pages: pages,
    _embedded: { applications: all.slice((page - 1) * size, page * size).map(appJson) },
    _links: {
      self: link(page),
      first: link(1),
      last: link(pages),
      ...(page < pages ? { next: link(page + 1) } : {}),
      ...(page > 1 ? { prev: link(page - 1) } : {}),
    },
  });
}

function createApp(ctx: VonageContext, req: SandboxRequest): SandboxResponse {
  const body = parseBody(req);
  if (!body || !str(body.name)) return nameRequired();
  const given = str((body.keys as Record<string, unknown> | undefined)?.public_key);
  const pair = given ? undefined : newKeyPair();
  const app: VonageApp = { id: randomUUID(), name: str(body.name), publicKey: given || pair!.publicKey, capabilities: {} };
  applyCapabilities(app, body.capabilities);
  ctx.apps.set(app.id, app);
  const out = appJson(app);
  // The private key is returned once, on creation only.
  if (pair) out.keys = { public_key: pair.publicKey, private_key: pair.privateKey };
  return json(201, out);
}

function replaceApp(app: VonageApp, req: SandboxRequest): SandboxResponse {
  const body = parseBody(req);
  if (!body || !str(body.name)) return nameRequired();
  // PUT replaces the whole object: capabilities left out are removed.
  app.name = str(body.name);
  applyCapabilities(app, body.capabilities);
  const pk = str((body.keys as Record<string, unknown> | undefined)?.public_key);
  if (pk) app.publicKey = pk;
  return json(200, appJson(app));
}

function deleteApp(ctx: VonageContext, app: VonageApp): SandboxResponse {
  if (app.id === ctx.defaultAppId)
    return problem(409, 'https://developer.nexmo.com/api-errors#conflict', 'Conflict', 'The sandbox application cannot be deleted');
  ctx.apps.delete(app.id);
  for (const [n, a] of ctx.links) if (a === app.id) ctx.links.set(n, undefined);
  return { status: 204 };
}

/** One application by id (everything after /v2/applications/, decoded). */
function oneApp(ctx: VonageContext, req: SandboxRequest, raw: string): SandboxResponse {
  const id = decodeURIComponent(raw);
  const app = ctx.apps.get(id);
  if (!app) return problem(404, 'https://developer.nexmo.com/api-errors#not-found', 'Not Found', `Application ${id} does not exist, or you do not have access`);
  if (req.method === 'GET') return json(200, appJson(app));
  if (req.method === 'PUT') return replaceApp(app, req);
  if (req.method === 'DELETE') return deleteApp(ctx, app);
  return problem(405, 'https://developer.nexmo.com/api-errors#method-not-allowed', 'Method Not Allowed', `${req.method} is not allowed here`);
}

/** The Applications API routes; every one needs Basic auth. */
export function applicationRoutes(ctx: VonageContext): Route[] {
  const basic = (f: (req: SandboxRequest, rest: string) => SandboxResponse) => (req: SandboxRequest, p: Record<string, string>) =>
    basicOk(ctx, req) ? f(req, p.rest ?? '') : unauthorized();
  return [
    route(
      'GET',
      '/v2/applications',
      basic((req) => listApps(ctx, req)),
    ),
    route(
      'POST',
      '/v2/applications',
      basic((req) => createApp(ctx, req)),
    ),
    // Other methods on the collection are read as the application with id "".
    route(
      '*',
      '/v2/applications',
      basic((req) => oneApp(ctx, req, '')),
    ),
    route(
      '*',
      '/v2/applications/:rest(.*)',
      basic((req, rest) => oneApp(ctx, req, rest)),
    ),
  ];
}
