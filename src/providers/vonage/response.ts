// Vonage Messages API responses and errors → our results and error codes (pure).
// Error body (RFC 7807-like): {type, title, detail, instance, invalid_parameters?[{name, reason}]}
// https://developer.vonage.com/en/api-errors/messages  (codes used as `#NNNN` in `type`)
import type { MessageStatus, ProviderAcceptance } from '../../core/types.js';
import { ErrorCode, ProviderError, exitCodeForErrorCode } from '../../errors/errors.js';
import type { HttpResponse } from '../http-client.js';
import { parseJson } from '../shared.js';
import { lookup, type ErrorRule } from '../descriptor.js';
import { providerHttpError } from '../provider-error.js';
import { vonageDescriptor } from './descriptor.js';

/** Normalises a Vonage status word. */
export function mapVonageStatus(s: string | undefined): MessageStatus {
  return lookup(vonageDescriptor.statusMap, s?.toLowerCase()) ?? 'unknown';
}

/** The Messages error body. */
export interface VonageErrorBody {
  type?: string;
  title?: string;
  detail?: string;
  instance?: string;
  invalid_parameters?: Array<{ name?: string; reason?: string }>;
}

/** Extracts the error code from a `type` URL (`…/messages#1120` → "1120", `…#unathorized` → "unathorized"). */
export function vonageErrorCodeFromType(type: string | undefined): string | undefined {
  if (!type) return undefined;
  const hash = type.lastIndexOf('#');
  if (hash < 0 || hash === type.length - 1) return undefined;
  return type.slice(hash + 1);
}

/** Which of our number fields an `invalid_parameters` entry (or error text) blames, if any. */
function blamedNumber(body: VonageErrorBody): ErrorRule | undefined {
  for (const p of body.invalid_parameters ?? []) {
    if (p.name === 'to' || p.name?.endsWith('.to')) {
      return { code: ErrorCode.RECIPIENT_INVALID, suggestion: 'Check the recipient is a valid US/CA mobile number' };
    }
    if (p.name === 'from' || p.name?.endsWith('.from')) {
      return { code: ErrorCode.SENDER_INVALID, suggestion: 'Use an MMS-capable number from your Vonage account as --from' };
    }
  }
  return undefined;
}

/** Turns a non-2xx Vonage response into a ProviderError with our code, keeping Vonage's. */
export function vonageError(res: HttpResponse): ProviderError {
  const parsed = parseJson(res.text);
  const body: VonageErrorBody = parsed && typeof parsed === 'object' ? (parsed as VonageErrorBody) : {};
  const vCode = vonageErrorCodeFromType(body.type);
  const title = typeof body.title === 'string' ? body.title : undefined;
  const detail = typeof body.detail === 'string' ? body.detail : undefined;
  const params = (body.invalid_parameters ?? [])
    .filter((p) => p.name)
    .map((p) => `${p.name}: ${p.reason ?? 'invalid'}`)
    .join('; ');
  const providerMessage = [title, detail, params].filter(Boolean).join(' - ') || undefined;

  // A blamed number beats the code table; both only refine answers the status ladder leaves open.
  const blamed = blamedNumber(body);
  return providerHttpError(vonageDescriptor, res, {
    ...(vCode !== undefined ? { providerCode: vCode } : {}),
    ...(providerMessage !== undefined ? { providerMessage } : {}),
    ...(typeof body.type === 'string' ? { moreInfo: body.type } : {}),
    ...(blamed ? { rule: blamed } : {}),
  });
}

/** Parses a 202 `{"message_uuid": …}` send response. */
export function parseVonageSend(res: HttpResponse): ProviderAcceptance {
  if (res.status < 200 || res.status >= 300) throw vonageError(res);
  const body = parseJson(res.text) as { message_uuid?: unknown } | undefined;
  if (!body || typeof body.message_uuid !== 'string') {
    throw new ProviderError(
      ErrorCode.OUTCOME_UNKNOWN,
      exitCodeForErrorCode(ErrorCode.OUTCOME_UNKNOWN),
      `Vonage answered HTTP ${res.status} without a message_uuid`,
      {
        provider: 'vonage',
        httpStatus: res.status,
        suggestion: 'The message may have been sent: check the Vonage dashboard before resending',
      },
    );
  }
  // 202 only means "accepted for delivery"; `submitted` arrives later by status webhook.
  return { id: body.message_uuid, status: 'accepted', providerStatus: 'accepted' };
}
