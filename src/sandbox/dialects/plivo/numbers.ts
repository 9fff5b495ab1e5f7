// Plivo Numbers (reference §3.8): list the account's numbers, fetch one, and POST {app_id} to link
// it to an application ("" unlinks it).
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route, type RouteParams } from '../../router.js';
import { apiId, digits, list, methodNotAllowed, plivoError, readBody, type PlivoContext } from './context.js';

function numberJson(ctx: PlivoContext, n: string): Record<string, unknown> {
  const app = ctx.links.get(n);
  return {
    added_on: ctx.started.slice(0, 10),
    alias: null,
    application: app ? `${ctx.accountPath}/Application/${app}/` : null,
    carrier: 'Plivo',
    city: 'SANDBOX',
    country: 'UNITED STATES',
    mms_enabled: true,
    mms_rate: '0.01800',
    monthly_rental_rate: '0.50000',
    number: n,
    number_type: 'local',
    region: 'United States',
    resource_uri: `${ctx.accountPath}/Number/${n}/`,
    sms_enabled: true,
    sms_rate: '0.00000',
    sub_account: null,
    voice_enabled: true,
    voice_rate: '0.00850',
  };
}

function linkNumber(ctx: PlivoContext, n: string, req: SandboxRequest): SandboxResponse {
  const r = readBody(req);
  if (!r.ok) return r.res;
  if ('app_id' in r.body) {
    const v = r.body.app_id;
    // An empty app_id unlinks the number.
    if (v === '' || v === null) ctx.links.set(n, null);
    else if (typeof v === 'string' && ctx.apps.has(v)) ctx.links.set(n, v);
    else return plivoError(400, `app_id ${String(v)} is not a valid application`);
  }
  return json(202, { api_id: apiId(), message: 'changed' });
}

/** Routes below the account path. */
export function numberRoutes(ctx: PlivoContext): Route[] {
  const base = `${ctx.accountPath}/Number/`;
  const one = `${base}:number/`;
  // An unknown number is a 404 whatever the method.
  const withNumber = (f: (n: string, req: SandboxRequest) => SandboxResponse) => (req: SandboxRequest, p: RouteParams) => {
    const n = digits(decodeURIComponent(p.number!));
    return ctx.links.has(n) ? f(n, req) : plivoError(404, 'not found');
  };
  return [
    route('GET', base, (req) =>
      json(
        200,
        list(
          ctx,
          [...ctx.links.keys()].map((n) => numberJson(ctx, n)),
          req,
        ),
      ),
    ),
    route('*', base, () => methodNotAllowed()),
    route(
      'GET',
      one,
      withNumber((n) => json(200, { api_id: apiId(), ...numberJson(ctx, n) })),
    ),
    route(
      'POST',
      one,
      withNumber((n, req) => linkNumber(ctx, n, req)),
    ),
    route(
      '*',
      one,
      withNumber(() => methodNotAllowed()),
    ),
  ];
}
