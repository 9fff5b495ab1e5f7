// Inbound webhooks for Sinch XMS (reference §3.5, §3.8): MO messages go to the service plan's
// callback URL, which is account-wide (every number of the plan) and has no public API: it is set
// in the dashboard (SMS → Service APIs → <plan> → Callback URLs). Only delivery reports can be
// redirected per batch (`callback_url`, which `send` already does). So configureInbound changes
// nothing through the API; it returns an explicit, manual restore state that says what to set by
// hand and that restoring is also by hand. (The Numbers API can move a number to another service
// plan, asynchronously and with project OAuth keys we do not hold; not attempted.)
import type { InboundRestoreState, ProviderCallContext } from '../types.js';

/** Restore data of the manual Sinch procedure. */
export interface SinchInboundData {
  /** Always true: nothing was changed through the API, nothing can be restored through it. */
  manual: true;
  servicePlanId: string;
  /** The URL the user must set as the plan's callback URL. */
  callbackUrl: string;
  /** Every number of this plan shares the callback URL. */
  scope: 'service-plan';
}

/** Returns the manual procedure; makes no API call. */
export async function configureSinchInbound(number: string, url: string, ctx: ProviderCallContext): Promise<InboundRestoreState> {
  const servicePlanId = ctx.credentials.servicePlanId ?? '';
  const data: SinchInboundData = { manual: true, servicePlanId, callbackUrl: url, scope: 'service-plan' };
  return {
    provider: 'sinch',
    number,
    description:
      `Sinch has no API for the inbound callback URL. In the Sinch dashboard (SMS → Service APIs → ${servicePlanId} → Callback URLs) ` +
      `set the callback URL to ${url}; it applies to every number of service plan ${servicePlanId}, not only ${number}. ` +
      'Note the current URL first and put it back there when done: nothing was changed through the API, so nothing is restored automatically.',
    data: { ...data },
  };
}

/** Nothing to undo through the API (the change, if any, was made by hand in the dashboard). */
export async function restoreSinchInbound(_state: InboundRestoreState, _ctx: ProviderCallContext): Promise<void> {
  return undefined;
}
