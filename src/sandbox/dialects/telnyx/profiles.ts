// Telnyx messaging profiles (reference §2.8): list, create, fetch, update and delete; a profile's
// webhook_url receives status events and inbound messages for its numbers.
import { randomBytes, randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { err, methodNotAllowed, page, parseBody, type Profile, type TelnyxContext } from './context.js';

/** A profile's v1 secret: 24 random letters and digits, like Mission Control's. */
function v1Secret(): string {
  return randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
}

function profileJson(ctx: TelnyxContext, p: Profile): Record<string, unknown> {
  return {
    record_type: 'messaging_profile',
    ...p,
    organization_id: ctx.organizationId,
    number_pool_settings: null,
    url_shortener_settings: null,
    alpha_sender: null,
    daily_spend_limit_enabled: false,
    daily_spend_limit: '0.00',
  };
}

/** Copies the writable fields present in `body` onto `p`; a 422 for a bad value. */
function profileFields(body: Record<string, unknown>, p: Partial<Profile>): SandboxResponse | undefined {
  for (const f of ['webhook_url', 'webhook_failover_url'] as const) {
    if (!(f in body)) continue;
    const v = body[f];
    if (v === null || v === '') p[f] = null;
    else if (typeof v === 'string' && /^https?:\/\/[^\s/]+/i.test(v)) p[f] = v;
    else return err(422, '10015', 'Bad Request', `${f} must be an http(s) URL or null.`, `/${f}`);
  }
  if ('webhook_api_version' in body) {
    if (!['1', '2', '2010-04-01'].includes(String(body.webhook_api_version)))
      return err(422, '10015', 'Bad Request', "webhook_api_version must be '1', '2' or '2010-04-01'.", '/webhook_api_version');
    p.webhook_api_version = String(body.webhook_api_version);
  }
  if ('name' in body) {
    if (typeof body.name !== 'string' || !body.name) return err(422, '10015', 'Bad Request', 'name must be a non-empty string.', '/name');
    p.name = body.name;
  }
  if ('enabled' in body) p.enabled = body.enabled !== false;
  if ('whitelisted_destinations' in body) {
    const w = body.whitelisted_destinations;
    if (!Array.isArray(w) || w.some((c) => typeof c !== 'string'))
      return err(422, '10015', 'Bad Request', 'whitelisted_destinations must be an array of ISO country codes.', '/whitelisted_destinations');
    p.whitelisted_destinations = w as string[];
  }
  if ('mms_transcoding' in body) p.mms_transcoding = body.mms_transcoding === true;
  if ('mms_fall_back_to_sms' in body) p.mms_fall_back_to_sms = body.mms_fall_back_to_sms === true;
  return undefined;
}

/** The sandbox's default profile, holding its numbers. */
export function defaultProfile(at: string): Profile {
  return {
    id: randomUUID(),
    name: 'mms sandbox default',
    enabled: true,
    webhook_url: null,
    webhook_failover_url: null,
    webhook_api_version: '2',
    whitelisted_destinations: ['US', 'CA'],
    mms_transcoding: false,
    mms_fall_back_to_sms: false,
    v1_secret: v1Secret(),
    created_at: at,
    updated_at: at,
  };
}

function createProfile(ctx: TelnyxContext, req: SandboxRequest): SandboxResponse {
  const b = parseBody(req);
  if (!b.ok) return b.res;
  const body = b.body;
  if (typeof body.name !== 'string' || !body.name) return err(422, '10015', 'Bad Request', 'name is required.', '/name');
  // The SDK marks whitelisted_destinations as required on create (reference §2.8).
  if (!Array.isArray(body.whitelisted_destinations))
    return err(422, '10015', 'Bad Request', 'whitelisted_destinations is required.', '/whitelisted_destinations');
  const now = new Date().toISOString();
  const p: Profile = {
    id: randomUUID(),
    name: body.name,
    enabled: true,
    webhook_url: null,
    webhook_failover_url: null,
    webhook_api_version: '2',
    whitelisted_destinations: [],
    mms_transcoding: false,
    mms_fall_back_to_sms: false,
    v1_secret: v1Secret(),
    created_at: now,
    updated_at: now,
  };
  const bad = profileFields(body, p);
  if (bad) return bad;
  ctx.profiles.set(p.id, p);
  ctx.svc.log(`telnyx messaging profile ${p.id} created (webhook_url ${p.webhook_url ?? 'none'})`);
  return json(200, { data: profileJson(ctx, p) });
}

function updateProfile(ctx: TelnyxContext, p: Profile, req: SandboxRequest): SandboxResponse {
  const b = parseBody(req);
  if (!b.ok) return b.res;
  const next: Partial<Profile> = {};
  const bad = profileFields(b.body, next);
  if (bad) return bad;
  Object.assign(p, next, { updated_at: new Date().toISOString() });
  return json(200, { data: profileJson(ctx, p) });
}

function deleteProfile(ctx: TelnyxContext, p: Profile): SandboxResponse {
  // Whether Telnyx refuses to delete a profile that still has numbers is unconfirmed; the
  // sandbox refuses, so a restore that deletes before moving the number back shows up here.
  const inUse = [...ctx.numbers.values()].filter((n) => n.messaging_profile_id === p.id);
  if (inUse.length > 0)
    return err(
      422,
      '10015',
      'Bad Request',
      `Messaging profile ${p.id} still has ${inUse.length} phone number(s) assigned: ${inUse.map((n) => n.phone_number).join(', ')}.`,
    );
  ctx.profiles.delete(p.id);
  return json(200, { data: profileJson(ctx, p) });
}

/** Routes below /v2 (paths without a trailing slash). */
export function profileRoutes(ctx: TelnyxContext): Route[] {
  const one = '/v2/messaging_profiles/:id';
  // An unknown profile is a 404 whatever the method.
  const withProfile = (f: (p: Profile, req: SandboxRequest) => SandboxResponse) => (req: SandboxRequest, params: Record<string, string>) => {
    const p = ctx.profiles.get(params.id!);
    return p ? f(p, req) : err(404, '10005', 'Resource not found', `Messaging profile ${params.id} not found.`);
  };
  return [
    route('GET', '/v2/messaging_profiles', (req) =>
      json(
        200,
        page(
          [...ctx.profiles.values()].map((p) => profileJson(ctx, p)),
          req,
        ),
      ),
    ),
    route('POST', '/v2/messaging_profiles', (req) => createProfile(ctx, req)),
    route('*', '/v2/messaging_profiles', () => methodNotAllowed()),
    route(
      'GET',
      one,
      withProfile((p) => json(200, { data: profileJson(ctx, p) })),
    ),
    route(
      'PATCH',
      one,
      withProfile((p, req) => updateProfile(ctx, p, req)),
    ),
    route(
      'DELETE',
      one,
      withProfile((p) => deleteProfile(ctx, p)),
    ),
    route(
      '*',
      one,
      withProfile(() => methodNotAllowed()),
    ),
  ];
}
