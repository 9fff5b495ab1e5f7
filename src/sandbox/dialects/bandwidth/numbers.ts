// Bandwidth telephone number lookups (reference §2.7, XML): /api/tns/{tn}/sites and /sippeers say
// where an account number lives (site and location).
import type { SandboxResponse } from '../../types.js';
import { route, type Route } from '../../router.js';
import { esc, xml, xmlError, type BandwidthContext } from './context.js';

function tnLookup(ctx: BandwidthContext, tn: string, what: string): SandboxResponse {
  const peerId = ctx.tns.get(tn.replace(/^\+?1(?=\d{10}$)/, ''));
  const peer = peerId ? ctx.peers.get(peerId) : undefined;
  if (!peer) return xmlError(404, 'TelephoneNumberResponse', 13598, `Telephone number ${tn} was not found`);
  if (what === 'sites') return xml(200, `<Site><Id>${peer.siteId}</Id><Name>mms sandbox site</Name></Site>`);
  return xml(200, `<SipPeer><Id>${peer.id}</Id><Name>${esc(peer.name)}</Name></SipPeer>`);
}

/** The lookup routes (outside the account's paths). */
export function numberRoutes(ctx: BandwidthContext): Route[] {
  return [route('GET', '/api/tns/:tn/:what(sites|sippeers)', (_req, p) => tnLookup(ctx, decodeURIComponent(p.tn!), p.what!))];
}
