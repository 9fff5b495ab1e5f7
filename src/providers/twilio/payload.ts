// Twilio Programmable Messaging: Create a Message.
// https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
// Wire facts: ../shared/reference/providers-twilio-telnyx-plivo.md §1.1 (twilio-oai spec).
import type { MessageRequest } from '../../core/types.js';

/** Twilio Messaging Service SIDs may stand in for From. */
export const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

/** Builds the form-encoded body for POST /Accounts/{sid}/Messages.json. */
export function buildTwilioPayload(req: MessageRequest): URLSearchParams {
  const form = new URLSearchParams();
  form.set('To', req.to);
  if (MESSAGING_SERVICE_SID.test(req.from)) form.set('MessagingServiceSid', req.from);
  else form.set('From', req.from);
  if (req.body !== undefined && req.body !== '') form.set('Body', req.body);
  // Repeated MediaUrl fields, as twilio-node sends them (qs arrayFormat "repeat"); at most 10.
  for (const url of req.mediaUrls) form.append('MediaUrl', url);
  if (req.statusCallbackUrl) form.set('StatusCallback', req.statusCallbackUrl);
  return form;
}

/** The path of the Messages list resource for an account. */
export function messagesPath(accountSid: string): string {
  return `/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
}

/** Basic auth header: API key + secret when present, else Account SID + Auth Token. */
export function twilioAuthHeader(creds: Record<string, string>): string {
  const user = creds.apiKey ? creds.apiKey : (creds.accountSid ?? '');
  const pass = creds.apiKey ? (creds.apiSecret ?? '') : (creds.authToken ?? '');
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** The IncomingPhoneNumbers list resource, filtered to one number (reference §1.8). */
export function incomingNumbersLookupPath(accountSid: string, number: string): string {
  return `/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(number)}`;
}

/** One IncomingPhoneNumber instance resource. */
export function incomingNumberPath(accountSid: string, numberSid: string): string {
  return `/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/IncomingPhoneNumbers/${encodeURIComponent(numberSid)}.json`;
}

/** A number's inbound-message settings as saved in the restore file (the data of InboundRestoreState). */
export interface TwilioInboundSettings {
  /** PN… */
  sid: string;
  smsUrl: string;
  smsMethod: string;
  smsFallbackUrl: string;
  smsFallbackMethod: string;
  /** AP… (TwiML App) or '' when the number uses its own sms_url. */
  smsApplicationSid: string;
  /** The URL `mms listen` set (for the record; restore does not depend on it). */
  configuredUrl?: string;
}

/**
 * The update that points a number's inbound messages at `url`. A TwiML App (SmsApplicationSid)
 * overrides every sms_*_url, so it is cleared — and put back by the restore. The fallback URL is
 * left alone: if the listener goes away, the user's own fallback still answers.
 */
export function buildInboundUpdate(current: TwilioInboundSettings, url: string): URLSearchParams {
  const form = new URLSearchParams();
  form.set('SmsUrl', url);
  form.set('SmsMethod', 'POST');
  // Twilio documents no "null" value; an empty field is how twilio-node clears a SID. Only sent
  // when there is something to clear (reference §5.9: unconfirmed that an empty value clears it).
  if (current.smsApplicationSid !== '') form.set('SmsApplicationSid', '');
  return form;
}

/** The update that puts the saved settings back. Re-applying it is harmless (idempotent). */
export function buildInboundRestore(saved: TwilioInboundSettings): URLSearchParams {
  const form = new URLSearchParams();
  form.set('SmsUrl', saved.smsUrl);
  form.set('SmsMethod', saved.smsMethod || 'POST');
  form.set('SmsFallbackUrl', saved.smsFallbackUrl);
  form.set('SmsFallbackMethod', saved.smsFallbackMethod || 'POST');
  if (saved.smsApplicationSid !== '') form.set('SmsApplicationSid', saved.smsApplicationSid);
  return form;
}
