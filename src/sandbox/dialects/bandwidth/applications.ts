// Bandwidth Dashboard API applications (reference §2.7, XML): list, create, fetch, PATCH/PUT and
// delete Messaging-V2 applications, and the locations an application is assigned to.
import { randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { route, type Route, type RouteParams } from '../../router.js';
import { esc, hasTag, tag, xml, xmlError, type BandwidthContext, type BwApp } from './context.js';

function credsXml(tagName: string, c: { user: string; pass: string } | undefined): string {
  // GET never returns the password (reference §2.7).
  return c ? `<${tagName}><UserId>${esc(c.user)}</UserId></${tagName}>` : '';
}

function appXml(a: BwApp): string {
  return (
    `<Application><ApplicationId>${a.id}</ApplicationId><ServiceType>Messaging-V2</ServiceType><AppName>${esc(a.name)}</AppName>` +
    (a.inboundUrl ? `<InboundCallbackUrl>${esc(a.inboundUrl)}</InboundCallbackUrl>` : '') +
    (a.outboundUrl ? `<OutboundCallbackUrl>${esc(a.outboundUrl)}</OutboundCallbackUrl>` : '') +
    credsXml('InboundCallbackCreds', a.inboundCreds) +
    credsXml('OutboundCallbackCreds', a.outboundCreds) +
    `<RequestedCallbackTypes>${a.callbackTypes.map((t) => `<CallbackType>${t}</CallbackType>`).join('')}</RequestedCallbackTypes></Application>`
  );
}

/** Applies the fields present in an <Application> body (PATCH semantics; PUT/POST start empty). */
function applyApp(a: BwApp, body: string): void {
  const name = tag(body, 'AppName');
  if (name !== undefined) a.name = name;
  for (const [el, key] of [
    ['InboundCallbackUrl', 'inboundUrl'],
    ['OutboundCallbackUrl', 'outboundUrl'],
  ] as const) {
    const v = tag(body, el);
    if (v !== undefined) {
      if (v) a[key] = v;
      else delete a[key];
    }
  }
  // The old single CallbackUrl sets both.
  const both = tag(body, 'CallbackUrl');
  if (both) a.inboundUrl = a.outboundUrl = both;
  for (const [el, key] of [
    ['InboundCallbackCreds', 'inboundCreds'],
    ['OutboundCallbackCreds', 'outboundCreds'],
  ] as const) {
    if (!hasTag(body, el)) continue;
    const inner = tag(body, el) ?? '';
    const user = tag(inner, 'UserId');
    const pass = tag(inner, 'Password');
    if (user && pass) a[key] = { user, pass };
    else delete a[key];
  }
  const types = tag(body, 'RequestedCallbackTypes');
  if (types !== undefined) a.callbackTypes = [...types.matchAll(/<CallbackType>([^<]*)<\/CallbackType>/g)].map((m) => m[1]!);
}

function createApp(ctx: BandwidthContext, body: string): SandboxResponse {
  const name = tag(body, 'AppName');
  if (!name) return xmlError(400, 'ApplicationProvisioningResponse', 12000, 'AppName is required');
  if (tag(body, 'ServiceType') && tag(body, 'ServiceType') !== 'Messaging-V2')
    return xmlError(400, 'ApplicationProvisioningResponse', 12001, 'The sandbox emulates Messaging-V2 applications only');
  const app: BwApp = { id: randomUUID(), name, callbackTypes: ['message-delivered', 'message-failed', 'message-sending'] };
  applyApp(app, body);
  ctx.apps.set(app.id, app);
  return xml(201, `<ApplicationProvisioningResponse>${appXml(app)}</ApplicationProvisioningResponse>`, {
    location: `${ctx.svc.origin()}/bandwidth/api/accounts/${ctx.accountId}/applications/${app.id}`,
  });
}

function updateApp(app: BwApp, req: SandboxRequest): SandboxResponse {
  if (req.method === 'PUT') {
    delete app.inboundUrl;
    delete app.outboundUrl;
    delete app.inboundCreds;
    delete app.outboundCreds;
  }
  applyApp(app, req.rawBody.toString('utf8'));
  return xml(200, `<ApplicationProvisioningResponse>${appXml(app)}</ApplicationProvisioningResponse>`);
}

function deleteApp(ctx: BandwidthContext, app: BwApp): SandboxResponse {
  if ([...ctx.peers.values()].some((p) => p.appId === app.id))
    return xmlError(409, 'ApplicationProvisioningResponse', 12653, `Application ${app.id} is still assigned to a location`);
  ctx.apps.delete(app.id);
  return { status: 200 };
}

function associatedPeers(ctx: BandwidthContext, app: BwApp): SandboxResponse {
  const list = [...ctx.peers.values()].filter((p) => p.appId === app.id);
  return xml(
    200,
    `<AssociatedSipPeersResponse><AssociatedSipPeers>${list.map((p) => `<AssociatedSipPeer><SiteId>${p.siteId}</SiteId><PeerId>${p.id}</PeerId><PeerName>${esc(p.name)}</PeerName></AssociatedSipPeer>`).join('')}</AssociatedSipPeers></AssociatedSipPeersResponse>`,
  );
}

/** Routes below /api/accounts/{accountId}; `unmatched` is the Dashboard 404. */
export function applicationRoutes(ctx: BandwidthContext, unmatched: (req: SandboxRequest) => SandboxResponse): Route[] {
  const base = `${ctx.dash}/applications`;
  // An unknown application is a 404 whatever the method.
  const withApp = (f: (app: BwApp, req: SandboxRequest) => SandboxResponse) => (req: SandboxRequest, p: RouteParams) => {
    const app = ctx.apps.get(decodeURIComponent(p.id!));
    return app ? f(app, req) : xmlError(404, 'ApplicationProvisioningResponse', 12655, `Application ${p.id} not found`);
  };
  return [
    route('GET', base, () =>
      xml(
        200,
        `<ApplicationProvisioningResponse><ApplicationList>${[...ctx.apps.values()].map(appXml).join('')}</ApplicationList></ApplicationProvisioningResponse>`,
      ),
    ),
    route('POST', base, (req) => createApp(ctx, req.rawBody.toString('utf8'))),
    route(
      '*',
      `${base}/:id/associatedsippeers`,
      withApp((app) => associatedPeers(ctx, app)),
    ),
    route(
      'GET',
      `${base}/:id`,
      withApp((app) => xml(200, `<ApplicationProvisioningResponse>${appXml(app)}</ApplicationProvisioningResponse>`)),
    ),
    route(
      ['PATCH', 'PUT'],
      `${base}/:id`,
      withApp((app, req) => updateApp(app, req)),
    ),
    route(
      'DELETE',
      `${base}/:id`,
      withApp((app) => deleteApp(ctx, app)),
    ),
    route(
      '*',
      `${base}/:id`,
      withApp((_app, req) => unmatched(req)),
    ),
  ];
}
