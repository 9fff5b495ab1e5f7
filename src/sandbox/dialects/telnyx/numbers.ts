// Telnyx phone numbers' messaging settings (reference §2.8): list with filters, fetch one, and
// PATCH messaging_profile_id to move a number between profiles ("" or null unassigns it).
import { randomBytes } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { err, methodNotAllowed, page, parseBody, type NumberSettings, type TelnyxContext } from './context.js';

function numberJson(n: NumberSettings): Record<string, unknown> {
  return {
    record_type: 'messaging_settings',
    ...n,
    country_code: 'US',
    type: 'long-code',
    traffic_type: 'P2P',
    messaging_product: 'P2P',
    features: {
      sms: { domestic_two_way: true, international_inbound: true, international_outbound: true },
      mms: { domestic_two_way: true, international_inbound: false, international_outbound: false },
    },
    eligible_messaging_products: ['A2P', 'P2P'],
    health: null,
  };
}

/** The sandbox's numbers on profile `profileId`, by Telnyx number id. */
export function createNumbers(phones: string[], profileId: string, at: string): Map<string, NumberSettings> {
  const numbers = new Map<string, NumberSettings>();
  for (const [i, n] of phones.entries()) {
    // Telnyx phone number ids are long decimal strings.
    const id = `${1_293_384_261_075_731_000n + BigInt(i)}${randomBytes(1)[0]! % 10}`;
    numbers.set(id, { id, phone_number: n, messaging_profile_id: profileId, created_at: at, updated_at: at });
  }
  return numbers;
}

function updateNumber(ctx: TelnyxContext, n: NumberSettings, req: SandboxRequest): SandboxResponse {
  const b = parseBody(req);
  if (!b.ok) return b.res;
  const body = b.body;
  if ('messaging_profile_id' in body) {
    const v = body.messaging_profile_id;
    // "" (or null) unassigns the number (reference §2.8).
    if (v === '' || v === null) n.messaging_profile_id = null;
    else if (typeof v === 'string' && ctx.profiles.has(v)) n.messaging_profile_id = v;
    else return err(422, '10015', 'Bad Request', `Messaging profile ${String(v)} does not exist.`, '/messaging_profile_id');
  }
  n.updated_at = new Date().toISOString();
  return json(200, { data: numberJson(n) });
}

/** Routes below /v2 (paths without a trailing slash). */
export function numberRoutes(ctx: TelnyxContext): Route[] {
  const one = '/v2/phone_numbers/:id/messaging';
  const withNumber = (f: (n: NumberSettings, req: SandboxRequest) => SandboxResponse) => (req: SandboxRequest, params: Record<string, string>) => {
    const id = decodeURIComponent(params.id!);
    const n = ctx.numbers.get(id);
    return n ? f(n, req) : err(404, '10005', 'Resource not found', `Phone number ${id} not found.`);
  };
  return [
    route('GET', '/v2/phone_numbers/messaging', (req) => {
      const phone = req.query.get('filter[phone_number]');
      const prof = req.query.get('filter[messaging_profile_id]');
      const list = [...ctx.numbers.values()].filter((n) => (!phone || n.phone_number === phone) && (!prof || n.messaging_profile_id === prof));
      return json(200, page(list.map(numberJson), req));
    }),
    route('*', '/v2/phone_numbers/messaging', () => methodNotAllowed()),
    route(
      'GET',
      one,
      withNumber((n) => json(200, { data: numberJson(n) })),
    ),
    route(
      'PATCH',
      one,
      withNumber((n, req) => updateNumber(ctx, n, req)),
    ),
    route(
      '*',
      one,
      withNumber(() => methodNotAllowed()),
    ),
  ];
}
