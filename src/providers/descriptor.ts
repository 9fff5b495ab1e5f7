// The static facts every provider declares in `src/providers/<p>/descriptor.ts`, and the hints
// derived from them. Descriptors are loaded for `mms --help`, `mms login --help` and `mms providers`
// without the adapters, so this module and the descriptors import nothing heavier than types and
// the error-code constants.
import type { MessageStatus } from '../core/types.js';
import type { ErrorCodeValue } from '../errors/errors.js';

/** One credential or account setting a provider needs; drives `mms login` and env resolution. */
export interface CredentialField {
  /** Key in the stored profile and in Credentials, camelCase. */
  key: string;
  /** Human label for prompts and `whoami`. */
  label: string;
  /** Secrets are never taken from a flag value: only a masked prompt, `--<flag>-stdin` or env. */
  secret: boolean;
  /** Required unless satisfied by an alternative (see `ProviderDescriptor.credentialSets`). */
  required: boolean;
  /** Environment variables, first match wins; the first is the one hints name. */
  env: string[];
  /** Long flag name for `mms login` without dashes, e.g. 'account-sid' (secrets get '<flag>-stdin'). */
  flag: string;
  /** Optional validation pattern with a hint shown when it fails. */
  pattern?: RegExp;
  patternHint?: string;
}

/** What a provider can do: drives validation before sending, `mms providers` and the README table. */
export interface ProviderCapabilities {
  maxMedia: number;
  /** Total bytes of all media in one message. */
  maxTotalBytes: number;
  /** Bytes per media file. */
  maxFileBytes: number;
  /** Smaller per-file limit for types that are not images (Twilio: 500 KB), if any. */
  maxNonImageBytes?: number;
  /** Accepted MIME types; 'image/*' style wildcards allowed. */
  mediaTypes: string[];
  /** How local files reach the provider: a public URL, an upload API, or both. */
  mediaTransport: 'url' | 'upload' | 'url-or-upload';
  maxBodyChars: number;
  /** `mms status <id>` is possible. */
  statusLookup: boolean;
  /** Per-message status callbacks can be requested. */
  statusCallbacks: boolean;
  /** Webhook signature scheme, in words. */
  signature: string;
  /** Documented default account send rate, messages per second. */
  defaultRatePerSecond: number;
  /** Free-form notes shown in `mms providers`. */
  notes?: string;
}

/** What one of the provider's own error codes means to us. */
export interface ErrorRule {
  code: ErrorCodeValue;
  suggestion?: string;
  /** Decides even where a status-first provider's ladder would (401/403/429/5xx). */
  beatsStatus?: boolean;
}

/** The classes of the shared HTTP-status ladder (see ../provider-error.ts). */
export type StatusClass = 'AUTH_REJECTED' | 'AUTH_FORBIDDEN' | 'NOT_FOUND' | 'RATE_LIMITED' | 'PROVIDER_UNAVAILABLE' | 'PROVIDER_REJECTED';

/** How a provider's error answers map to our error codes. */
export interface ProviderErrorTable {
  /**
   * 'code': a meaning found in the provider's own code or body beats the HTTP status.
   * 'status': 401, 403, 429 and 5xx are settled by the status first (the provider's codes only
   * refine other 4xx answers, unless a rule says `beatsStatus`).
   */
  precedence: 'code' | 'status';
  /** Provider error code (as a string) → our meaning. */
  codes: Record<string, ErrorRule>;
  /** Suggestions for answers the status ladder classifies. */
  statusHints: Partial<Record<StatusClass, string>>;
}

/** Everything static about a provider. Behaviour lives in its adapter. */
export interface ProviderDescriptor<N extends string = string> {
  name: N;
  displayName: string;
  /** API base URL without trailing slash. */
  defaultBaseUrl: string;
  capabilities: ProviderCapabilities;
  credentialFields: CredentialField[];
  /**
   * Alternative sets of credential keys, each enough to send (default: the required fields), e.g.
   * Twilio's Account SID with an Auth Token, or with an API key and its secret.
   */
  credentialSets?: string[][];
  /** Provider status word → our status (the response parser decides the case rules). */
  statusMap: Record<string, MessageStatus>;
  /** Status words of callbacks, when they differ from the API's (Bandwidth's callback `type`). */
  callbackStatusMap?: Record<string, MessageStatus>;
  errors: ProviderErrorTable;
  /** The credential keys webhooks are verified with (all of them are needed), and where to find them. */
  webhookSecret?: { keys: string[]; where?: string };
  /** Headers that say when to retry after a 429: `retryAfter` always, `reset` (seconds) when given. */
  rateLimitHeaders: { retryAfter: string; reset?: string };
  /** How long a new message can take to appear in the provider's message log (see ProviderAdapter.findSent). */
  messageLogDelayMs?: number;
}

/** The credential field with this key (a descriptor that names a missing key is a bug). */
export function credentialField(d: Pick<ProviderDescriptor, 'name' | 'credentialFields'>, key: string): CredentialField {
  const f = d.credentialFields.find((c) => c.key === key);
  if (!f) throw new Error(`${d.name} has no credential field "${key}"`);
  return f;
}

/** The environment variable hints name for a credential field (its first). */
export function envName(d: Pick<ProviderDescriptor, 'name' | 'credentialFields'>, key: string): string {
  return credentialField(d, key).env[0] ?? key;
}

/** The `mms login` flag for a field as typed: `--auth-token-stdin` for secrets, `--public-key <key>` otherwise. */
export function loginFlag(d: Pick<ProviderDescriptor, 'name' | 'credentialFields'>, key: string): string {
  const f = credentialField(d, key);
  return f.secret ? `--${f.flag}-stdin` : `--${f.flag} <${f.flag.split('-').pop() ?? 'value'}>`;
}

/** "A", "A and B", "A, B and C". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]!}`;
}

/** The credential key sets that each suffice to send. */
export function credentialSets(d: Pick<ProviderDescriptor, 'credentialFields' | 'credentialSets'>): string[][] {
  return d.credentialSets ?? [d.credentialFields.filter((f) => f.required).map((f) => f.key)];
}

/** The environment variables of one or more fields, e.g. "BW_CALLBACK_USERNAME and BW_CALLBACK_PASSWORD". */
export function envNames(d: Pick<ProviderDescriptor, 'name' | 'credentialFields'>, keys: readonly string[]): string {
  return joinWords(keys.map((k) => envName(d, k)));
}

/** `mms login --provider <p>` (with `--profile` when not the default) plus the given fields' flags. */
export function loginCommand(d: Pick<ProviderDescriptor, 'name' | 'credentialFields'>, opts: { profile?: string; keys?: readonly string[] } = {}): string {
  const profile = opts.profile && opts.profile !== 'default' ? ` --profile ${opts.profile}` : '';
  const flags = (opts.keys ?? []).map((k) => ` ${loginFlag(d, k)}`).join('');
  return `mms login --provider ${d.name}${profile}${flags}`;
}

/**
 * What to do when credentials are missing or incomplete: log in, or set the variables of one of
 * the sets that suffice (e.g. Twilio: "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or
 * TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET)").
 */
export function missingCredentialsHint(d: ProviderDescriptor, profile = 'default'): string {
  const [first, ...others] = credentialSets(d).map((set) => envNames(d, set));
  const alternatives = others.length ? ` (or ${others.join('; or ')})` : '';
  return `Run \`${loginCommand(d, { profile })}\`, or set ${first ?? ''}${alternatives}`;
}

/** True when the credentials hold every value webhooks are verified with (or none is needed). */
export function hasWebhookSecret(d: Pick<ProviderDescriptor, 'webhookSecret'>, creds: Record<string, string | undefined>): boolean {
  return (d.webhookSecret?.keys ?? []).every((k) => Boolean(creds[k]));
}

/** "Set X (where to find it) or run `mms login --provider p --x-stdin`": how to supply the webhook secret. */
export function webhookSecretHint(d: ProviderDescriptor): string {
  const keys = d.webhookSecret?.keys ?? [];
  const where = d.webhookSecret?.where ? ` (${d.webhookSecret.where})` : '';
  return `Set ${envNames(d, keys)}${where} or run \`${loginCommand(d, { keys })}\``;
}

/** The descriptor's facts as the adapter exposes them (`...adapterFacts(d)` opens every adapter). */
export function adapterFacts<N extends string>(
  d: ProviderDescriptor<N>,
): {
  descriptor: ProviderDescriptor<N>;
  name: N;
  displayName: string;
  defaultBaseUrl: string;
  capabilities: ProviderCapabilities;
  credentialFields: CredentialField[];
  messageLogDelayMs?: number;
} {
  return {
    descriptor: d,
    name: d.name,
    displayName: d.displayName,
    defaultBaseUrl: d.defaultBaseUrl,
    capabilities: d.capabilities,
    credentialFields: d.credentialFields,
    ...(d.messageLogDelayMs !== undefined ? { messageLogDelayMs: d.messageLogDelayMs } : {}),
  };
}

/** A table lookup that ignores inherited keys (a provider word such as "constructor" maps to nothing). */
export function lookup<V>(table: Record<string, V>, key: string | undefined): V | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}
