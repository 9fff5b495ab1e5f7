// X-Twilio-Signature, written from Twilio's "Webhooks security" page (reference §1.7): take the
// full URL Twilio requested, append each POST parameter's name and value with the names sorted
// (case-sensitive, byte order), HMAC-SHA1 that string with the Auth Token, and base64 the digest.
// The sandbox has its own implementation so that a bug in the adapter's verifier cannot be
// mirrored here and go unnoticed.
import { createHmac } from 'node:crypto';

/** The X-Twilio-Signature value for a request to `url` with form `params`. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const names = Object.keys(params).sort();
  const signed = names.reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', authToken).update(signed, 'utf8').digest('base64');
}
