// How each provider's webhooks are built, signed, and re-signed for another URL: the per-provider
// code lives in providers/<p>/sign.ts; this table gives the forwarder, `mms trigger` and `mms events
// replay` one shape to call. (The table is keyed by provider name because ProviderAdapter has no
// member for it yet; it belongs there as an optional `webhookKit` when adapters can change.)
import type { Credentials, ProviderName, WebhookRequest } from '../../providers/types.js';
import { bandwidthMediaAuth, bandwidthMessageId, buildBandwidthInbound, buildBandwidthStatus, signBandwidthWebhook } from '../../providers/bandwidth/sign.js';
import { buildPlivoInbound, buildPlivoStatus, plivoMessageId, resignPlivoWebhook, signPlivoWebhook } from '../../providers/plivo/sign.js';
import { buildSinchInbound, buildSinchStatus, signSinchWebhook, sinchMessageId } from '../../providers/sinch/sign.js';
import {
  buildTelnyxInbound,
  buildTelnyxStatus,
  newTelnyxSigningKey,
  signTelnyxWebhook,
  telnyxMessageId,
  telnyxPrivateKey,
} from '../../providers/telnyx/sign.js';
import { buildTwilioInbound, buildTwilioStatus, resignTwilioWebhook, signTwilioWebhook, twilioMessageId } from '../../providers/twilio/sign.js';
import { buildVonageInbound, buildVonageStatus, signVonageWebhook, vonageMessageId } from '../../providers/vonage/sign.js';

/** An inbound message to build a webhook for. */
export interface TriggerMessage {
  id: string;
  from: string;
  to: string;
  body: string;
  media: Array<{ url: string; contentType: string; size?: number }>;
  now: Date;
}

/** A final delivery status to build a webhook for. */
export interface TriggerStatus {
  id: string;
  from: string;
  to: string;
  status: 'delivered' | 'undelivered' | 'failed';
  errorCode?: string;
  now: Date;
}

/** A built (unsigned) webhook: always a POST. */
export interface BuiltWebhook {
  contentType: string;
  body: string;
}

/** A provider's webhook kit. */
export interface WebhookKit {
  /** The credential that signs webhooks (what --secret-stdin replaces). */
  secretField: string;
  /** What the app checks, in words (README table, --print). */
  scheme: string;
  /** A fresh id in the provider's format. */
  newId(hasMedia: boolean, now: Date): string;
  inbound(m: TriggerMessage, creds: Credentials, url: string): BuiltWebhook;
  status(s: TriggerStatus, creds: Credentials, url: string): BuiltWebhook;
  /** The signature (or auth) headers for `built` sent to `url`. */
  sign(built: BuiltWebhook, url: string, creds: Credentials, now: Date): Record<string, string>;
  /** Re-signs a verified webhook for another URL; absent when the scheme does not cover the URL (forwarded verbatim). */
  resign?(req: WebhookRequest, targetUrl: string, creds: Credentials): { url: string; headers: Record<string, string> };
  /**
   * How the provider guards the media URLs in its webhooks, where it does: `mms trigger` serves local
   * media with the same check, so an app that forgets the auth fails here as it would in production.
   */
  mediaAuth?(creds: Credentials): { check(authorization: string | undefined): boolean; challenge: string; note: string } | undefined;
  /** When the account holds no signing secret of its own (Telnyx signs with Telnyx's private key): a fresh one, and what to tell the app. */
  ephemeralSecret?(): { secret: string; note: string };
}

const telnyxKey = (creds: Credentials) => {
  const key = telnyxPrivateKey(creds.signingKey ?? '');
  if (!key) throw new Error('no Ed25519 private key to sign Telnyx webhooks with');
  return key;
};

// Media auth, from the providers' docs: only Bandwidth requires credentials on the media URLs of
// every inbound message. Twilio's MediaUrl is public unless the account enables "Enforce HTTP Auth on
// Media URLs" (then Basic with the Account SID and Auth Token or an API key; Twilio's newest Media
// subresource page says Basic is enforced for all media URLs, so apps should send it anyway, and a
// public URL ignores it). Plivo's media URLs, Telnyx's (pre-signed, time-limited) and Sinch's are
// public; Vonage's are public unless the application turns on "Secure inbound media" (a JWT).
const KITS: Record<ProviderName, WebhookKit> = {
  twilio: {
    secretField: 'authToken',
    scheme: 'X-Twilio-Signature (HMAC-SHA1 of the URL and form fields, Auth Token)',
    newId: (hasMedia) => twilioMessageId(hasMedia),
    inbound: (m, creds) => buildTwilioInbound(m, creds),
    status: (s, creds) => buildTwilioStatus(s, creds),
    sign: (built, url, creds) => signTwilioWebhook(built, url, creds),
    resign: (req, url, creds) => resignTwilioWebhook(req, url, creds),
  },
  plivo: {
    secretField: 'authToken',
    scheme: 'X-Plivo-Signature-V3 and -V2 (HMAC-SHA256 of the URL, fields and nonce, Auth Token)',
    newId: () => plivoMessageId(),
    inbound: (m) => buildPlivoInbound(m),
    status: (s) => buildPlivoStatus(s),
    sign: (built, url, creds) => signPlivoWebhook(built, url, creds),
    resign: (req, url, creds) => resignPlivoWebhook(req, url, creds),
  },
  telnyx: {
    secretField: 'signingKey',
    scheme: 'telnyx-signature-ed25519 over timestamp|body (Ed25519; the app holds the public key)',
    newId: () => telnyxMessageId(),
    inbound: (m, _creds, url) => buildTelnyxInbound(m, url),
    status: (s, _creds, url) => buildTelnyxStatus(s, url),
    sign: (built, _url, creds, now) => signTelnyxWebhook(built, telnyxKey(creds), now),
    ephemeralSecret: () => {
      const pair = newTelnyxSigningKey();
      const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      return { secret: pem, note: `signed with a fresh Ed25519 key: give the app TELNYX_PUBLIC_KEY=${pair.publicKey}` };
    },
  },
  vonage: {
    secretField: 'signatureSecret',
    scheme: 'Authorization: Bearer JWT (HS256, signature secret) with payload_hash of the body',
    newId: () => vonageMessageId(),
    inbound: (m) => buildVonageInbound(m),
    status: (s) => buildVonageStatus(s),
    sign: (built, _url, creds, now) => signVonageWebhook(built, creds, now),
  },
  bandwidth: {
    secretField: 'callbackPassword',
    scheme: 'HTTP Basic with the application callback user and password',
    newId: (_hasMedia, now) => bandwidthMessageId(now),
    inbound: (m, creds) => buildBandwidthInbound(m, creds),
    status: (s, creds) => buildBandwidthStatus(s, creds),
    sign: (_built, _url, creds) => signBandwidthWebhook(creds),
    mediaAuth: (creds) => bandwidthMediaAuth(creds),
  },
  sinch: {
    secretField: 'webhookSecret',
    scheme: 'x-sinch-webhook-signature (HMAC-SHA256 of body.nonce.timestamp, webhook secret)',
    newId: () => sinchMessageId(),
    inbound: (m) => buildSinchInbound(m),
    status: (s) => buildSinchStatus(s),
    sign: (built, _url, creds, now) => signSinchWebhook(built, creds, now),
  },
};

/** The webhook kit of a provider. */
export function webhookKit(provider: ProviderName): WebhookKit {
  return KITS[provider];
}
