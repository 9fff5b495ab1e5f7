// The Bandwidth account's settings kept across restarts (persist-settings.ts): its Messaging-V2
// applications (callback URLs and credentials, callback types), its site and locations (SMS/MMS
// features, assigned application) and which location each number is on; and the OAuth tokens that
// have not expired, so a client holding one (an SDK caches it for an hour) keeps working.
import type { DialectSettings } from '../../types.js';
import { booleanAt, listAt, objectAt, optionalStringAt, stringAt, stringsAt, SettingsShapeError } from '../../settings-shape.js';
import type { BandwidthContext, BwApp, SipPeer } from './context.js';

function readCreds(o: Record<string, unknown>, key: string, what: string): { user: string; pass: string } | undefined {
  if (o[key] === undefined) return undefined;
  const c = objectAt(o[key], `${what}.${key}`);
  return { user: stringAt(c, 'user', `${what}.${key}`), pass: stringAt(c, 'pass', `${what}.${key}`) };
}

function readApp(v: unknown, i: number): BwApp {
  const what = `apps[${i}]`;
  const o = objectAt(v, what);
  const app: BwApp = { id: stringAt(o, 'id', what), name: stringAt(o, 'name', what), callbackTypes: stringsAt(o, 'callbackTypes', what) };
  const inboundUrl = optionalStringAt(o, 'inboundUrl', what);
  const outboundUrl = optionalStringAt(o, 'outboundUrl', what);
  const inboundCreds = readCreds(o, 'inboundCreds', what);
  const outboundCreds = readCreds(o, 'outboundCreds', what);
  return {
    ...app,
    ...(inboundUrl ? { inboundUrl } : {}),
    ...(outboundUrl ? { outboundUrl } : {}),
    ...(inboundCreds ? { inboundCreds } : {}),
    ...(outboundCreds ? { outboundCreds } : {}),
  };
}

function readPeer(v: unknown, i: number): SipPeer {
  const what = `peers[${i}]`;
  const o = objectAt(v, what);
  const appId = optionalStringAt(o, 'appId', what);
  return {
    id: stringAt(o, 'id', what),
    siteId: stringAt(o, 'siteId', what),
    name: stringAt(o, 'name', what),
    isDefault: booleanAt(o, 'isDefault', what),
    sms: booleanAt(o, 'sms', what),
    mms: booleanAt(o, 'mms', what),
    ...(appId ? { appId } : {}),
  };
}

/** The applications, locations and number placement of `ctx`'s account. */
export function bandwidthSettings(ctx: BandwidthContext): DialectSettings {
  return {
    account: () => ctx.accountId,
    save: () => ({
      siteId: ctx.siteId,
      nextPeer: ctx.nextPeer,
      apps: [...ctx.apps.values()],
      peers: [...ctx.peers.values()],
      tns: Object.fromEntries(ctx.tns),
      tokens: Object.fromEntries([...ctx.tokens].filter(([, exp]) => exp > Date.now())),
    }),
    load(saved) {
      const o = objectAt(saved, 'settings');
      const siteId = stringAt(o, 'siteId', 'settings');
      const nextPeer = o.nextPeer;
      if (typeof nextPeer !== 'number' || !Number.isSafeInteger(nextPeer)) throw new SettingsShapeError('settings.nextPeer is not a whole number');
      const apps = listAt(o.apps, 'apps').map((v, i) => readApp(v, i));
      const peers = new Map(
        listAt(o.peers, 'peers')
          .map((v, i) => readPeer(v, i))
          .map((p) => [p.id, p]),
      );
      const tns = objectAt(o.tns, 'tns');
      // Tokens are optional (a file from before they were kept has none); a malformed one is skipped.
      const tokens = Object.entries(o.tokens === undefined ? {} : objectAt(o.tokens, 'tokens')).filter(
        (e): e is [string, number] => typeof e[1] === 'number' && e[1] > Date.now(),
      );
      // Every number must stay on a location: a file that would leave one nowhere is refused.
      for (const n of ctx.tns.keys()) if (typeof tns[n] !== 'string' || !peers.has(tns[n])) throw new SettingsShapeError(`tns.${n} names no saved location`);
      ctx.siteId = siteId;
      ctx.nextPeer = nextPeer;
      ctx.apps.clear();
      for (const a of apps) ctx.apps.set(a.id, a);
      ctx.peers.clear();
      for (const [id, p] of peers) {
        if (p.appId && !ctx.apps.has(p.appId)) delete p.appId;
        ctx.peers.set(id, p);
      }
      for (const n of ctx.tns.keys()) ctx.tns.set(n, tns[n] as string);
      for (const [t, exp] of tokens.slice(-10_000)) ctx.tokens.set(t, exp);
    },
  };
}
