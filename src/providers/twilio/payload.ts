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
