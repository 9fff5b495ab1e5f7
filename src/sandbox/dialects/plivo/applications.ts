// Plivo Applications (reference §3.8): list, create, fetch, update and delete; an application's
// message_url receives the inbound messages of the numbers linked to it.
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route, type RouteParams } from '../../router.js';
import { apiId, appId, list, methodNotAllowed, plivoError, readBody, type Application, type PlivoContext } from './context.js';

function appJson(ctx: PlivoContext, a: Application): Record<string, unknown> {
  return {
    ...a,
    application_type: 'XML',
    enabled: true,
    fallback_answer_url: '',
    fallback_method: 'POST',
    hangup_method: 'POST',
    hangup_url: a.answer_url,
    log_incoming_messages: true,
    public_uri: false,
    default_endpoint_app: false,
    resource_uri: `${ctx.accountPath}/Application/${a.app_id}/`,
    sip_uri: `sip:${a.app_id}@app.plivo.com`,
    sub_account: null,
  };
}

function applyAppFields(a: Application, b: Record<string, unknown>): SandboxResponse | undefined {
  for (const f of ['message_url', 'answer_url'] as const) {
    if (!(f in b)) continue;
    const v = b[f] ?? '';
    if (typeof v !== 'string' || (v !== '' && !/^https?:\/\/[^\s/]+/i.test(v))) return plivoError(400, `${f} must be a valid URL`);
    a[f] = v;
  }
  for (const f of ['message_method', 'answer_method'] as const) {
    if (!(f in b)) continue;
    const v = String(b[f]).toUpperCase();
    if (v !== 'GET' && v !== 'POST') return plivoError(400, `${f} must be GET or POST`);
    a[f] = v;
  }
  if (typeof b.app_name === 'string' && b.app_name) a.app_name = b.app_name;
  return undefined;
}

/** The sandbox's default application, linked to its numbers. */
export function defaultApplication(): Application {
  return {
    app_id: appId(),
    app_name: 'mms sandbox default',
    answer_url: '',
    answer_method: 'POST',
    message_url: '',
    message_method: 'POST',
    default_app: true,
  };
}

function createApp(ctx: PlivoContext, req: SandboxRequest): SandboxResponse {
  const r = readBody(req);
  if (!r.ok) return r.res;
  const b = r.body;
  if (typeof b.app_name !== 'string' || !b.app_name) return plivoError(400, 'app_name parameter is required');
  const a: Application = {
    app_id: appId(),
    app_name: b.app_name,
    answer_url: '',
    answer_method: 'POST',
    message_url: '',
    message_method: 'POST',
    default_app: false,
  };
  const bad = applyAppFields(a, b);
  if (bad) return bad;
  ctx.apps.set(a.app_id, a);
  ctx.svc.log(`plivo application ${a.app_id} created (message_url ${a.message_url || 'none'})`);
  return json(201, { api_id: apiId(), app_id: a.app_id, message: 'created' });
}

function updateApp(a: Application, req: SandboxRequest): SandboxResponse {
  const r = readBody(req);
  if (!r.ok) return r.res;
  const copy = { ...a };
  const bad = applyAppFields(copy, r.body);
  if (bad) return bad;
  Object.assign(a, copy);
  return json(202, { api_id: apiId(), message: 'changed' });
}

function deleteApp(ctx: PlivoContext, a: Application): SandboxResponse {
  // Numbers linked to a deleted application are left without one.
  for (const [n, app] of ctx.links) if (app === a.app_id) ctx.links.set(n, null);
  ctx.apps.delete(a.app_id);
  return { status: 204 };
}

/** Routes below the account path. */
export function applicationRoutes(ctx: PlivoContext): Route[] {
  const base = `${ctx.accountPath}/Application/`;
  const one = `${base}:id/`;
  // An unknown application is a 404 whatever the method.
  const withApp = (f: (a: Application, req: SandboxRequest) => SandboxResponse) => (req: SandboxRequest, p: RouteParams) => {
    const a = ctx.apps.get(p.id!);
    return a ? f(a, req) : plivoError(404, 'not found');
  };
  return [
    route('GET', base, (req) =>
      json(
        200,
        list(
          ctx,
          [...ctx.apps.values()].map((a) => appJson(ctx, a)),
          req,
        ),
      ),
    ),
    route('POST', base, (req) => createApp(ctx, req)),
    route('*', base, () => methodNotAllowed()),
    route(
      'GET',
      one,
      withApp((a) => json(200, { api_id: apiId(), ...appJson(ctx, a) })),
    ),
    route(
      'POST',
      one,
      withApp((a, req) => updateApp(a, req)),
    ),
    route(
      'DELETE',
      one,
      withApp((a) => deleteApp(ctx, a)),
    ),
    route(
      '*',
      one,
      withApp(() => methodNotAllowed()),
    ),
  ];
}
