// Vonage Messages API responses and errors → our results and error codes (pure).
// Error body (RFC 7807-like): {type, title, detail, instance, invalid_parameters?[{name, reason}]}
// https://developer.vonage.com/en/api-errors/messages  (codes used as `#NNNN` in `type`)
import type { MessageStatus, ProviderAcceptance } from '../../core/types.js';
import { ErrorCode, ProviderError, exitCodeForErrorCode, type ErrorCodeValue } from '../../errors/errors.js';
import type { HttpResponse } from '../http-client.js';
import { parseRetryAfter } from '../shared.js';

/** Status words of Messages v1 status webhooks (Java SDK MessageStatus). */
const STATUS_MAP: Record<string, MessageStatus> = {
  submitted: 'sent',
  delivered: 'delivered',
  // `read` exists for OTT/RCS channels only; it implies delivery.
  read: 'delivered',
  rejected: 'failed',
  undeliverable: 'undelivered',
};

/** Normalises a Vonage status word. */
export function mapVonageStatus(s: string | undefined): MessageStatus {
  return (s && STATUS_MAP[s.toLowerCase()]) || 'unknown';
}

/** The Messages error body. */
export interface VonageErrorBody {
  type?: string;
  title?: string;
  detail?: string;
  instance?: string;
  invalid_parameters?: Array<{ name?: string; reason?: string }>;
}

/** Messages error codes (the `#NNNN` of `type`) with a more specific meaning than "rejected". */
const CODE_MAP: Record<string, { code: ErrorCodeValue; suggestion?: string }> = {
  '1000': { code: ErrorCode.RATE_LIMITED, suggestion: 'Vonage throttled the request: lower --rate or try again shortly' },
  '1050': { code: ErrorCode.RECIPIENT_REJECTED, suggestion: 'The destination number is barred' },
  '1060': { code: ErrorCode.AUTH_FORBIDDEN, suggestion: 'The Vonage account is barred: contact Vonage support' },
  '1070': { code: ErrorCode.PROVIDER_REJECTED, suggestion: 'Top up the Vonage account balance' },
  '1080': { code: ErrorCode.AUTH_FORBIDDEN, suggestion: 'The account is not enabled for the Messages REST API' },
  '1090': { code: ErrorCode.BODY_TOO_LONG, suggestion: 'Shorten the message text (2000 characters at most)' },
  '1100': { code: ErrorCode.PROVIDER_UNAVAILABLE, suggestion: 'Vonage could not reach the carrier; try again later' },
  '1120': { code: ErrorCode.SENDER_INVALID, suggestion: 'Use an MMS-capable US/CA number, 10DLC or toll-free number from your account as --from' },
};

/** Extracts the error code from a `type` URL (`…/messages#1120` → "1120", `…#unathorized` → "unathorized"). */
export function vonageErrorCodeFromType(type: string | undefined): string | undefined {
  if (!type) return undefined;
  const hash = type.lastIndexOf('#');
  if (hash < 0 || hash === type.length - 1) return undefined;
  return type.slice(hash + 1);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Which of our number fields an `invalid_parameters` entry (or error text) blames, if any. */
function blamedNumber(body: VonageErrorBody): ErrorCodeValue | undefined {
  for (const p of body.invalid_parameters ?? []) {
    if (p.name === 'to' || p.name?.endsWith('.to')) return ErrorCode.RECIPIENT_INVALID;
    if (p.name === 'from' || p.name?.endsWith('.from')) return ErrorCode.SENDER_INVALID;
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

  let code: ErrorCodeValue;
  let suggestion: string | undefined;
  const mapped = vCode !== undefined ? CODE_MAP[vCode] : undefined;
  const blamed = blamedNumber(body);
  if (res.status === 401) {
    code = ErrorCode.AUTH_REJECTED;
    suggestion = 'Check VONAGE_API_KEY/VONAGE_API_SECRET (or the application id and private key), then run `mms login vonage` again';
  } else if (res.status === 403) {
    code = ErrorCode.AUTH_FORBIDDEN;
    suggestion = 'These credentials may not send MMS: check the account and application settings in the Vonage dashboard';
  } else if (res.status === 429) {
    code = ErrorCode.RATE_LIMITED;
    suggestion = 'Vonage allows 30 API requests/s per key by default: lower --rate or try again shortly';
  } else if (res.status >= 500) {
    code = ErrorCode.PROVIDER_UNAVAILABLE;
    suggestion = 'Vonage had a server error; try again later';
  } else if (blamed) {
    code = blamed;
    suggestion = blamed === ErrorCode.RECIPIENT_INVALID
      ? 'Check the recipient is a valid US/CA mobile number'
      : 'Use an MMS-capable number from your Vonage account as --from';
  } else if (mapped) {
    code = mapped.code;
    suggestion = mapped.suggestion;
  } else if (res.status === 404) code = ErrorCode.NOT_FOUND;
  else code = ErrorCode.PROVIDER_REJECTED;

  const message = `Vonage ${vCode ?? `HTTP ${res.status}`}: ${providerMessage ?? (res.text.slice(0, 200) || 'no message')}`;
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  return new ProviderError(code, exitCodeForErrorCode(code), message, {
    provider: 'vonage',
    httpStatus: res.status,
    ...(vCode !== undefined ? { providerCode: vCode } : {}),
    ...(providerMessage !== undefined ? { providerMessage } : {}),
    ...(typeof body.type === 'string' ? { moreInfo: body.type } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(suggestion !== undefined ? { suggestion } : {}),
  });
}

/** Parses a 202 `{"message_uuid": …}` send response. */
export function parseVonageSend(res: HttpResponse): ProviderAcceptance {
  if (res.status < 200 || res.status >= 300) throw vonageError(res);
  const body = parseJson(res.text) as { message_uuid?: unknown } | undefined;
  if (!body || typeof body.message_uuid !== 'string') {
    throw new ProviderError(ErrorCode.OUTCOME_UNKNOWN, exitCodeForErrorCode(ErrorCode.OUTCOME_UNKNOWN), `Vonage answered HTTP ${res.status} without a message_uuid`, {
      provider: 'vonage',
      httpStatus: res.status,
      suggestion: 'The message may have been sent: check the Vonage dashboard before resending',
    });
  }
  // 202 only means "accepted for delivery"; `submitted` arrives later by status webhook.
  return { id: body.message_uuid, status: 'accepted', providerStatus: 'accepted' };
}
