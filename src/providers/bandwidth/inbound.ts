// Pointing one Bandwidth number's inbound messages at a URL, and putting it back (reference §2.8).
// Dashboard (Numbers) API, XML, on api.bandwidth.com (formerly dashboard.bandwidth.com):
//   GET  /api/tns/{tn}/sites, /api/tns/{tn}/sippeers                 where the number lives
//   POST /api/accounts/{a}/applications                                a Messaging-V2 application
//   POST /api/accounts/{a}/sites/{s}/sippeers                          a location (sip peer)
//   POST …/sippeers/{p}/products/messaging/features/{sms,mms}          enable messaging on it
//   PUT  …/sippeers/{p}/products/messaging/applicationSettings         assign the application
//   POST …/sippeers/{p}/movetns                                        move the number
// (Bandwidth/ap-docs messaging-2/getStartedAPI.md, whose feature bodies, incl. the lower-case MMS
// `protocol` and ProxyPeerId 539692, are copied as documented; dev.bandwidth.com/docs/account/applications.)
// An application serves every number on the locations it is assigned to, so editing the number's
// application would redirect its neighbours too. Least intrusive: a temporary application on a
// temporary location in the same site (sub-account), and move only this number there. Restore
// moves it back and deletes both. While moved, sends FROM this number must use the temporary
// applicationId (Bandwidth error 4452 otherwise); the state's description says so.
import { randomBytes } from 'node:crypto';
import { ConfigError, ErrorCode, ProviderError, exitCodeForErrorCode } from '../../errors/errors.js';
import { callClient, type HttpResponse } from '../http-client.js';
import type { InboundRestoreState, ProviderCallContext } from '../types.js';

/** Host of the Dashboard API (messages go to messaging.bandwidth.com). */
export const BANDWIDTH_DASHBOARD_BASE_URL = 'https://api.bandwidth.com';

/** The Dashboard API base for a messaging base URL: bandwidth.com hosts → api.bandwidth.com, others serve it themselves. */
export function bandwidthDashboardBaseUrl(baseUrl: string): string {
  let host = '';
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    host = '';
  }
  if (host === 'bandwidth.com' || host.endsWith('.bandwidth.com')) return BANDWIDTH_DASHBOARD_BASE_URL;
  return baseUrl.replace(/\/+$/, '');
}

/** Restore data saved by configureBandwidthInbound. */
export interface BandwidthInboundData {
  /** 10-digit telephone number as the Dashboard API writes it. */
  tn: string;
  siteId: string;
  previousPeerId: string;
  previousAppId: string | null;
  temporaryPeerId: string;
  temporaryAppId: string;
  /** The callback credentials Bandwidth will send; the listener verifies with them. */
  webhookCredentials: { callbackUsername: string; callbackPassword: string };
}

/** Returns `Authorization` for the call (the adapter's cached OAuth token). */
export type BandwidthAuth = (ctx: ProviderCallContext) => Promise<{ Authorization: string }>;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text of the first <name> element of a flat XML body. */
export function xmlTag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? m[1]!.trim().replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : undefined;
}

function dashboardError(res: HttpResponse, what: string): ProviderError {
  const description = xmlTag(res.text, 'Description') ?? (res.text.slice(0, 200) || 'no message');
  const providerCode = xmlTag(res.text, 'ErrorCode');
  const code =
    res.status === 401
      ? ErrorCode.AUTH_REJECTED
      : res.status === 403
        ? ErrorCode.AUTH_FORBIDDEN
        : res.status === 404
          ? ErrorCode.NOT_FOUND
          : res.status === 429
            ? ErrorCode.RATE_LIMITED
            : res.status >= 500
              ? ErrorCode.PROVIDER_UNAVAILABLE
              : ErrorCode.PROVIDER_REJECTED;
  return new ProviderError(code, exitCodeForErrorCode(code), `Bandwidth Dashboard API: ${what} failed (HTTP ${res.status}: ${description})`, {
    provider: 'bandwidth',
    httpStatus: res.status,
    ...(providerCode !== undefined ? { providerCode } : {}),
    ...(res.status === 403 ? { suggestion: 'The OAuth client needs the Configuration role to manage applications and locations' } : {}),
  });
}

/** The 10-digit form the Dashboard API uses for US/CA numbers. */
export function bandwidthTn(number: string): string {
  const d = number.replace(/[^\d]/g, '');
  return d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
}

function makeCaller(ctx: ProviderCallContext, auth: BandwidthAuth) {
  const base = bandwidthDashboardBaseUrl(ctx.baseUrl);
  const account = `/api/accounts/${encodeURIComponent(ctx.credentials.accountId ?? '')}`;
  return {
    account,
    async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: string): Promise<HttpResponse> {
      return callClient(ctx).request({
        method,
        url: `${base}${path}`,
        headers: {
          ...(await auth(ctx)),
          Accept: 'application/xml',
          ...(body !== undefined ? { 'Content-Type': 'application/xml; charset=utf-8' } : {}),
        },
        ...(body !== undefined ? { body } : {}),
      });
    },
  };
}

const ok = (r: HttpResponse): boolean => r.status >= 200 && r.status < 300;

/** Moves `number` to a temporary location whose temporary application calls `url`. */
export async function configureBandwidthInbound(number: string, url: string, ctx: ProviderCallContext, auth: BandwidthAuth): Promise<InboundRestoreState> {
  const { account, call } = makeCaller(ctx, auth);
  const tn = bandwidthTn(number);
  const site = await call('GET', `/api/tns/${tn}/sites`);
  if (site.status === 404) {
    throw new ConfigError(ErrorCode.CONFIG_INVALID, `${number} is not a number of Bandwidth account ${ctx.credentials.accountId ?? ''}`, {
      suggestion: 'Pass one of your Bandwidth numbers to --number',
    });
  }
  if (!ok(site)) throw dashboardError(site, `looking up ${number}`);
  const peer = await call('GET', `/api/tns/${tn}/sippeers`);
  if (!ok(peer)) throw dashboardError(peer, `looking up the location of ${number}`);
  const siteId = xmlTag(site.text, 'Id') ?? '';
  const previousPeerId = xmlTag(peer.text, 'Id') ?? '';
  if (!siteId || !previousPeerId) {
    throw new ProviderError(
      ErrorCode.PROVIDER_REJECTED,
      exitCodeForErrorCode(ErrorCode.PROVIDER_REJECTED),
      `Bandwidth did not say which site/location ${number} is on`,
      { provider: 'bandwidth' },
    );
  }
  const peerPath = (p: string) => `${account}/sites/${encodeURIComponent(siteId)}/sippeers/${encodeURIComponent(p)}`;
  const settings = await call('GET', `${peerPath(previousPeerId)}/products/messaging/applicationSettings`);
  const previousAppId = ok(settings) ? (xmlTag(settings.text, 'HttpMessagingV2AppId') ?? null) : null;

  // Bandwidth sends these back as Basic auth on every callback; GET never returns the password,
  // so we keep it (or use the profile's) for the listener to check.
  const user = ctx.credentials.callbackUsername || 'mms-listen';
  const pass = ctx.credentials.callbackPassword || randomBytes(18).toString('base64url');
  const creds = `<UserId>${esc(user)}</UserId><Password>${esc(pass)}</Password>`;
  const stamp = new Date().toISOString();
  const created = await call(
    'POST',
    `${account}/applications`,
    `<Application><ServiceType>Messaging-V2</ServiceType><AppName>${esc(`mms listen ${tn} ${stamp}`)}</AppName>` +
      `<InboundCallbackUrl>${esc(url)}</InboundCallbackUrl><OutboundCallbackUrl>${esc(url)}</OutboundCallbackUrl>` +
      `<InboundCallbackCreds>${creds}</InboundCallbackCreds><OutboundCallbackCreds>${creds}</OutboundCallbackCreds>` +
      '<RequestedCallbackTypes><CallbackType>message-delivered</CallbackType><CallbackType>message-failed</CallbackType><CallbackType>message-sending</CallbackType></RequestedCallbackTypes></Application>',
  );
  if (!ok(created)) throw dashboardError(created, 'creating a temporary messaging application');
  const temporaryAppId = xmlTag(created.text, 'ApplicationId') ?? '';
  let temporaryPeerId = '';
  let moved = false;
  const undo = async (): Promise<void> => {
    if (moved)
      await call('POST', `${peerPath(previousPeerId)}/movetns`, `<SipPeerTelephoneNumbers><FullNumber>${tn}</FullNumber></SipPeerTelephoneNumbers>`).catch(
        () => undefined,
      );
    if (temporaryPeerId) await call('DELETE', peerPath(temporaryPeerId)).catch(() => undefined);
    await call('DELETE', `${account}/applications/${encodeURIComponent(temporaryAppId)}`).catch(() => undefined);
  };
  try {
    const peerRes = await call(
      'POST',
      `${account}/sites/${encodeURIComponent(siteId)}/sippeers`,
      `<SipPeer><PeerName>${esc(`mms listen ${tn}`)}</PeerName><IsDefaultPeer>false</IsDefaultPeer></SipPeer>`,
    );
    if (!ok(peerRes)) throw dashboardError(peerRes, 'creating a temporary location');
    // The id is in the Location header (…/sippeers/{id}); newer responses also carry <PeerId>.
    temporaryPeerId = xmlTag(peerRes.text, 'PeerId') ?? /\/sippeers\/([^/?#]+)\/?$/.exec(peerRes.headers.location ?? '')?.[1] ?? '';
    if (!temporaryPeerId)
      throw new ProviderError(
        ErrorCode.PROVIDER_REJECTED,
        exitCodeForErrorCode(ErrorCode.PROVIDER_REJECTED),
        'Bandwidth created a location but returned no id',
        { provider: 'bandwidth', httpStatus: peerRes.status },
      );
    const sms = await call(
      'POST',
      `${peerPath(temporaryPeerId)}/products/messaging/features/sms`,
      '<SipPeerSmsFeature><SipPeerSmsFeatureSettings><TollFree>true</TollFree><ShortCode>true</ShortCode><Protocol>HTTP</Protocol><Zone1>true</Zone1><Zone2>false</Zone2><Zone3>false</Zone3><Zone4>false</Zone4><Zone5>false</Zone5></SipPeerSmsFeatureSettings><HttpSettings><ProxyPeerId>539692</ProxyPeerId></HttpSettings></SipPeerSmsFeature>',
    );
    if (!ok(sms)) throw dashboardError(sms, 'enabling SMS on the temporary location');
    const mms = await call(
      'POST',
      `${peerPath(temporaryPeerId)}/products/messaging/features/mms`,
      '<MmsFeature><MmsSettings><protocol>HTTP</protocol></MmsSettings><Protocols><HTTP><HttpSettings><ProxyPeerId>539692</ProxyPeerId></HttpSettings></HTTP></Protocols></MmsFeature>',
    );
    if (!ok(mms)) throw dashboardError(mms, 'enabling MMS on the temporary location');
    const assign = await call(
      'PUT',
      `${peerPath(temporaryPeerId)}/products/messaging/applicationSettings`,
      `<ApplicationsSettings><HttpMessagingV2AppId>${temporaryAppId}</HttpMessagingV2AppId></ApplicationsSettings>`,
    );
    if (!ok(assign)) throw dashboardError(assign, 'assigning the temporary application');
    const move = await call(
      'POST',
      `${peerPath(temporaryPeerId)}/movetns`,
      `<SipPeerTelephoneNumbers><FullNumber>${tn}</FullNumber></SipPeerTelephoneNumbers>`,
    );
    moved = ok(move);
    if (!moved) throw dashboardError(move, `moving ${number} to the temporary location`);
  } catch (err) {
    // Must not leave anything changed when throwing.
    await undo();
    throw err;
  }
  const data: BandwidthInboundData = {
    tn,
    siteId,
    previousPeerId,
    previousAppId,
    temporaryPeerId,
    temporaryAppId,
    webhookCredentials: { callbackUsername: user, callbackPassword: pass },
  };
  return {
    provider: 'bandwidth',
    number,
    description:
      `${number} moved from location ${previousPeerId} (application ${previousAppId ?? 'none'}) to temporary location ${temporaryPeerId} ` +
      `with temporary application ${temporaryAppId} calling ${url}; until restored, sends from ${number} need applicationId ${temporaryAppId}`,
    data: { ...data },
  };
}

/** Moves the number back and deletes the temporary location and application. Safe to repeat. */
export async function restoreBandwidthInbound(state: InboundRestoreState, ctx: ProviderCallContext, auth: BandwidthAuth): Promise<void> {
  const d = state.data as Partial<BandwidthInboundData>;
  if (!d.tn || !d.siteId || !d.previousPeerId || !d.temporaryPeerId || !d.temporaryAppId) {
    throw new ConfigError(ErrorCode.CONFIG_INVALID, 'The Bandwidth restore state is missing tn, siteId or location/application ids');
  }
  const { account, call } = makeCaller(ctx, auth);
  const peerPath = (p: string) => `${account}/sites/${encodeURIComponent(d.siteId!)}/sippeers/${encodeURIComponent(p)}`;
  const where = await call('GET', `/api/tns/${d.tn}/sippeers`);
  if (!ok(where)) throw dashboardError(where, `looking up the location of ${state.number}`);
  if (xmlTag(where.text, 'Id') !== d.previousPeerId) {
    const move = await call(
      'POST',
      `${peerPath(d.previousPeerId)}/movetns`,
      `<SipPeerTelephoneNumbers><FullNumber>${d.tn}</FullNumber></SipPeerTelephoneNumbers>`,
    );
    if (!ok(move)) throw dashboardError(move, `moving ${state.number} back to location ${d.previousPeerId}`);
  }
  const delPeer = await call('DELETE', peerPath(d.temporaryPeerId));
  if (!ok(delPeer) && delPeer.status !== 404) throw dashboardError(delPeer, `deleting temporary location ${d.temporaryPeerId}`);
  const delApp = await call('DELETE', `${account}/applications/${encodeURIComponent(d.temporaryAppId)}`);
  if (!ok(delApp) && delApp.status !== 404) throw dashboardError(delApp, `deleting temporary application ${d.temporaryAppId}`);
}
