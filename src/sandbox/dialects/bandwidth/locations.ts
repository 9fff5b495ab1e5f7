// Bandwidth Dashboard API locations (sip peers) of the sandbox site (reference §2.7, XML): list,
// create, fetch and delete; their numbers and movetns; the SMS/MMS features and the messaging
// application assigned to a location (applicationSettings).
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { route, type Route } from '../../router.js';
import { esc, tag, xml, xmlError, type BandwidthContext, type SipPeer } from './context.js';

function peerXml(p: SipPeer): string {
  return `<SipPeer><PeerId>${p.id}</PeerId><PeerName>${esc(p.name)}</PeerName><IsDefaultPeer>${p.isDefault}</IsDefaultPeer></SipPeer>`;
}

function createPeer(ctx: BandwidthContext, body: string): SandboxResponse {
  const name = tag(body, 'PeerName');
  if (!name) return xmlError(400, 'SipPeerResponse', 13501, 'PeerName is required');
  const isDefault = tag(body, 'IsDefaultPeer') === 'true';
  if (isDefault) for (const p of ctx.peers.values()) p.isDefault = false;
  const peer: SipPeer = { id: String(ctx.nextPeer++), siteId: ctx.siteId, name, isDefault, sms: false, mms: false };
  ctx.peers.set(peer.id, peer);
  const loc = `${ctx.svc.origin()}/bandwidth/api/accounts/${ctx.accountId}/sites/${ctx.siteId}/sippeers/${peer.id}`;
  return xml(201, `<SipPeerResponse>${peerXml(peer)}</SipPeerResponse>`, { location: loc });
}

function deletePeer(ctx: BandwidthContext, peer: SipPeer): SandboxResponse {
  if ([...ctx.tns.values()].includes(peer.id)) return xmlError(409, 'SipPeerResponse', 13503, `Location ${peer.id} still has telephone numbers`);
  if (peer.isDefault) return xmlError(409, 'SipPeerResponse', 13504, 'The default location cannot be deleted');
  ctx.peers.delete(peer.id);
  return { status: 200 };
}

function moveTns(ctx: BandwidthContext, peer: SipPeer, body: string): SandboxResponse {
  const numbers = [...body.matchAll(/<FullNumber>\s*(\d+)\s*<\/FullNumber>/g)].map((m) => m[1]!);
  if (numbers.length === 0) return xmlError(400, 'SipPeerTelephoneNumbersResponse', 13510, 'FullNumber is required');
  for (const n of numbers)
    if (!ctx.tns.has(n)) return xmlError(400, 'SipPeerTelephoneNumbersResponse', 13511, `Telephone number ${n} is not on account ${ctx.accountId}`);
  for (const n of numbers) ctx.tns.set(n, peer.id);
  return xml(
    200,
    `<SipPeerTelephoneNumbersResponse><SipPeerTelephoneNumbers>${numbers.map((n) => `<FullNumber>${n}</FullNumber>`).join('')}</SipPeerTelephoneNumbers></SipPeerTelephoneNumbersResponse>`,
  );
}

function appSettingsXml(appId: string | undefined): SandboxResponse {
  return xml(
    200,
    `<ApplicationsSettingsResponse><ApplicationsSettings>${appId ? `<HttpMessagingV2AppId>${appId}</HttpMessagingV2AppId>` : ''}</ApplicationsSettings></ApplicationsSettingsResponse>`,
  );
}

function putAppSettings(ctx: BandwidthContext, peer: SipPeer, body: string): SandboxResponse {
  const appId = tag(body, 'HttpMessagingV2AppId');
  if (appId && !ctx.apps.has(appId)) return xmlError(400, 'ApplicationsSettingsResponse', 12655, `Application ${appId} not found`);
  if (appId && !(peer.sms && peer.mms))
    return xmlError(400, 'ApplicationsSettingsResponse', 12656, 'Enable SMS and MMS on the location before assigning a messaging application');
  if (appId) peer.appId = appId;
  else delete peer.appId;
  return appSettingsXml(appId);
}

/** A request below one location (`sub` is '' for the location itself); undefined when unmatched. */
function onPeer(ctx: BandwidthContext, req: SandboxRequest, peer: SipPeer, sub: string): SandboxResponse | undefined {
  const body = req.rawBody.toString('utf8');
  const m = req.method;
  if (sub === '' && m === 'GET') return xml(200, `<SipPeerResponse>${peerXml(peer)}</SipPeerResponse>`);
  if (sub === '' && m === 'DELETE') return deletePeer(ctx, peer);
  if (sub === '/tns' && m === 'GET') {
    const list = [...ctx.tns.entries()]
      .filter(([, p]) => p === peer.id)
      .map(([n]) => `<SipPeerTelephoneNumber><FullNumber>${n}</FullNumber></SipPeerTelephoneNumber>`);
    return xml(200, `<SipPeerTelephoneNumbersResponse><SipPeerTelephoneNumbers>${list.join('')}</SipPeerTelephoneNumbers></SipPeerTelephoneNumbersResponse>`);
  }
  if (sub === '/movetns' && m === 'POST') return moveTns(ctx, peer, body);
  if (sub === '/products/messaging/features/sms' && m === 'POST') {
    peer.sms = true;
    return xml(201, `<SipPeerSmsFeatureResponse><SipPeerSmsFeature>${tag(body, 'SipPeerSmsFeature') ?? ''}</SipPeerSmsFeature></SipPeerSmsFeatureResponse>`);
  }
  if (sub === '/products/messaging/features/mms' && m === 'POST') {
    peer.mms = true;
    return xml(201, `<MmsFeatureResponse><MmsFeature>${tag(body, 'MmsFeature') ?? ''}</MmsFeature></MmsFeatureResponse>`);
  }
  if (sub === '/products/messaging/applicationSettings' && m === 'GET') return appSettingsXml(peer.appId);
  if (sub === '/products/messaging/applicationSettings' && m === 'PUT') return putAppSettings(ctx, peer, body);
  return undefined;
}

/** Routes below /api/accounts/{accountId}; `unmatched` is the Dashboard 404. */
export function locationRoutes(ctx: BandwidthContext, unmatched: (req: SandboxRequest) => SandboxResponse): Route[] {
  const base = `${ctx.dash}/sites/:site/sippeers`;
  // An unknown site, then an unknown location, is a 404 whatever the method.
  const unknownSite = (site: string) => xmlError(404, 'SipPeerResponse', 13500, `Site ${site} not found`);
  const peerRoute = (req: SandboxRequest, p: Record<string, string>) => {
    if (p.site !== ctx.siteId) return unknownSite(p.site!);
    const peer = ctx.peers.get(p.peer!);
    if (!peer) return xmlError(404, 'SipPeerResponse', 13502, `Location ${p.peer} not found`);
    return onPeer(ctx, req, peer, p.sub ?? '') ?? unmatched(req);
  };
  return [
    route('*', base, (req, p) => {
      if (p.site !== ctx.siteId) return unknownSite(p.site!);
      if (req.method === 'POST') return createPeer(ctx, req.rawBody.toString('utf8'));
      return xml(200, `<TNSipPeersResponse><SipPeers>${[...ctx.peers.values()].map(peerXml).join('')}</SipPeers></TNSipPeersResponse>`);
    }),
    route('*', `${base}/:peer`, peerRoute),
    route('*', `${base}/:peer:sub(/.*)`, peerRoute),
  ];
}
