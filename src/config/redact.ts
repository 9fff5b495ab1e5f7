/** Header names whose values are never logged. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

/** Returns a copy of headers with credentials masked. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (SECRET_HEADERS.has(k.toLowerCase())) {
      const scheme = /^(\w+)\s/.exec(v)?.[1];
      out[k] = scheme ? `${scheme} [REDACTED]` : '[REDACTED]';
    } else out[k] = v;
  }
  return out;
}

/** Replaces every occurrence of the given secrets (and any URL userinfo) with [REDACTED]. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(\w+:\/\/)[^\s/@:]+:[^\s/@]+@/g, '$1[REDACTED]@');
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join('[REDACTED]');
  }
  return out;
}

/** Masks an identifier for display: the first 4 and last 4 characters survive (`AC12…cdef`). */
export function maskId(value: string): string {
  if (value.length <= 10) return `${value.slice(0, 2)}…`;
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}
