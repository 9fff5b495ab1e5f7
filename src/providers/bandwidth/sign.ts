// Building and authenticating Bandwidth Messaging v2 callbacks, for `mms trigger`.
// https://dev.bandwidth.com/docs/messaging/webhooks (message-received, message-delivered, message-failed)
// Bandwidth authenticates callbacks with HTTP Basic (the application's callback user and password),
// not a signature: a forwarded callback stays valid as is.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Credentials } from '../types.js';

/** The Basic Authorization header Bandwidth sends (the application's callback credentials). */
export function signBandwidthWebhook(creds: Credentials): Record<string, string> {
  const pair = `${creds.callbackUsername ?? ''}:${creds.callbackPassword ?? ''}`;
  return { authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` };
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * How `mms trigger` guards local media it serves in a Bandwidth webhook. Bandwidth's media URLs
 * (https://messaging.bandwidth.com/api/v2/users/<account>/media/…) are not public: "files … can only be
 * accessed by you when you supply your API user's username and password" (dev.bandwidth.com/docs/messaging/media),
 * so an app must fetch them with HTTP Basic. The profile holds the account's API client id and secret:
 * those are the Basic user and password the served file expects. Undefined when the profile has none.
 */
export function bandwidthMediaAuth(creds: Credentials): { check(authorization: string | undefined): boolean; challenge: string; note: string } | undefined {
  const user = creds.clientId ?? '';
  const pass = creds.clientSecret ?? '';
  if (!user || !pass) return undefined;
  const expected = digest(`Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`);
  return {
    // Hashes compared in constant time: neither length nor content leaks through timing.
    check: (authorization) => authorization !== undefined && timingSafeEqual(digest(authorization.trim().replace(/^basic\s+/i, 'Basic ')), expected),
    challenge: 'Basic realm="Bandwidth media", charset="UTF-8"',
    note: "local media is served like Bandwidth's: the app must fetch it with HTTP Basic (the account's API client id and secret)",
  };
}

/** A Bandwidth-style message id (`<13 digits>` + `x` + 15 hex). */
export function bandwidthMessageId(now: Date): string {
  return `${now.getTime()}x${randomBytes(8).toString('hex').slice(0, 15)}`;
}

/** The `message-received` callback (a JSON array of one event). */
export function buildBandwidthInbound(
  m: { id: string; from: string; to: string; body: string; media: Array<{ url: string }>; now: Date },
  creds: Credentials,
): { contentType: string; body: string } {
  const at = m.now.toISOString();
  const message = {
    id: m.id,
    owner: m.to,
    applicationId: creds.applicationId ?? '',
    time: at,
    segmentCount: 1,
    direction: 'in',
    to: [m.to],
    from: m.from,
    text: m.body,
    ...(m.media.length > 0 ? { media: m.media.map((x) => x.url) } : {}),
  };
  return {
    contentType: 'application/json',
    body: JSON.stringify([{ type: 'message-received', time: at, description: 'Incoming message received', to: m.to, message }]),
  };
}

/** A `message-delivered` or `message-failed` callback (a JSON array of one event). */
export function buildBandwidthStatus(
  s: { id: string; from: string; to: string; status: 'delivered' | 'undelivered' | 'failed'; errorCode?: string; now: Date },
  creds: Credentials,
): { contentType: string; body: string } {
  const at = s.now.toISOString();
  const delivered = s.status === 'delivered';
  const message = {
    id: s.id,
    owner: s.from,
    applicationId: creds.applicationId ?? '',
    time: at,
    segmentCount: 1,
    direction: 'out',
    to: [s.to],
    from: s.from,
    text: '',
  };
  const event = {
    type: delivered ? 'message-delivered' : 'message-failed',
    time: at,
    description: delivered ? 'Message delivered to carrier.' : 'Message failed to be delivered.',
    to: s.to,
    ...(delivered ? {} : { errorCode: s.errorCode !== undefined && /^\d+$/.test(s.errorCode) ? Number(s.errorCode) : 4720 }),
    message,
  };
  return { contentType: 'application/json', body: JSON.stringify([event]) };
}
