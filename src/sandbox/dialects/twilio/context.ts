// The Twilio dialect's state and wire helpers, shared by its resource modules.
import { randomBytes } from 'node:crypto';
import type { SandboxRequest, SandboxResponse, SandboxServices } from '../../types.js';
import { json } from '../../types.js';

export const API = '/2010-04-01';
export const MAGIC_FROM_OK = '+15005550006';
/** A sandbox number that belongs to a Messaging Service (its sms_application_sid is an MG… SID). */
export const TWILIO_SANDBOX_SERVICE_NUMBER = '+15557770009';

/** IncomingPhoneNumber resource of one of the sandbox's numbers. */
export interface NumberConfig {
  sid: string;
  phoneNumber: string;
  smsUrl: string;
  smsMethod: string;
  smsFallbackUrl: string;
  smsFallbackMethod: string;
  smsApplicationSid: string;
  dateCreated: string;
  dateUpdated: string;
}

/** Media bytes behind an inbound MediaUrl{N}. */
export interface KeptMedia {
  messageSid: string;
  contentType: string;
  bytes: Buffer;
}

export interface TwilioContext {
  svc: SandboxServices;
  accountSid: string;
  authToken: string;
  /** `/2010-04-01/Accounts/<AccountSid>`. */
  accountPath: string;
  /** Numbers messages may be sent from (and that answer the round trip). */
  ownNumbers: string[];
  /** IncomingPhoneNumbers by phone number. */
  numbers: Map<string, NumberConfig>;
  /** Inbound media bytes by ME… SID (bounded, oldest first out). */
  media: Map<string, KeptMedia>;
  mediaKeptBytes: number;
}

/** A Twilio error body (`code`, `message`, `more_info`, `status`). */
export function twilioError(status: number, code: number, message: string): SandboxResponse {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/** Twilio's 404 for a path it does not know. */
export function notFound(path: string): SandboxResponse {
  return twilioError(404, 20404, `The requested resource ${path} was not found`);
}

/** The answer when no route matches below the account: 404 for GET and POST, else 405. */
export function unmatched(req: SandboxRequest): SandboxResponse {
  const known = req.method === 'GET' || req.method === 'POST';
  return known ? notFound(req.path) : twilioError(405, 20004, 'Method not allowed');
}

/** Twilio's dates: RFC 2822 with a numeric zone. */
export function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

/** `n` random bytes as hex (SID bodies, tokens). */
export function hex(n: number): string {
  return randomBytes(n).toString('hex');
}
