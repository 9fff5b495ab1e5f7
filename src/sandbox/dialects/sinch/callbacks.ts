// The service plan's callback URL. Sinch has no public API for it (it is set in the dashboard,
// reference §3.8), so the sandbox offers a stand-in for the dashboard form, which is NOT part of
// Sinch's API and which the adapter never calls:
//   GET|PUT <base>/dashboard/service-plans/{servicePlanId}/callback-url   {"url": "http://…"}
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { sinchError, type SinchContext } from './context.js';

/** Matches the stand-in's path; the service plan id, or undefined for other paths. */
export function callbackUrlPlan(path: string): string | undefined {
  return /^\/dashboard\/service-plans\/([^/]+)\/callback-url$/.exec(path)?.[1];
}

/** GET or PUT the plan's callback URL (after auth). */
export function callbackUrl(ctx: SinchContext, req: SandboxRequest): SandboxResponse {
  if (req.method === 'GET') return json(200, { url: ctx.planCallbackUrl ?? null });
  if (req.method !== 'PUT') return sinchError(405, 'method_not_allowed', 'Use GET or PUT');
  try {
    const v = JSON.parse(req.rawBody.toString('utf8')) as { url?: unknown };
    if (v.url === null || v.url === '') ctx.planCallbackUrl = undefined;
    else if (typeof v.url === 'string' && /^https?:\/\/\S+$/i.test(v.url)) ctx.planCallbackUrl = v.url;
    else return sinchError(400, 'syntax_invalid_parameter_format', 'url must be an http(s) URL or null');
    return json(200, { url: ctx.planCallbackUrl ?? null });
  } catch {
    return sinchError(400, 'syntax_invalid_json', 'The JSON structure of the request is invalid');
  }
}
