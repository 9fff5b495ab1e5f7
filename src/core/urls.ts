// One rule for every URL a user gives mms (--media, --status-callback, --base-url, --public-url):
// http or https, a real host, no embedded credentials. WHATWG URL parsing is forgiving in ways that
// send messages to the wrong place (`http:///a.png` parses as host "a.png"), so the text is checked
// before it is parsed.

/** Why a URL is refused, or undefined when it is usable. */
export type UrlProblem = string | undefined;

/** Checks a user-supplied http(s) URL; returns the parsed URL or a problem in words. */
export function checkHttpUrl(
  input: string,
  opts: { allowCredentials?: boolean } = {},
): { url: URL; problem?: undefined } | { url?: undefined; problem: string } {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(input)?.[1]?.toLowerCase();
  if (scheme === undefined) return { problem: 'not a URL (expected http:// or https://)' };
  if (scheme !== 'http' && scheme !== 'https') return { problem: `only http(s) URLs are accepted (got ${scheme})` };
  // The authority must be there, spelled with two slashes: `http:/x`, `http:///x`, `http:\\x` are
  // all "fixed" by URL parsing into something else.
  if (!/^[a-z]+:\/\/[^/\\?#\s]/i.test(input)) return { problem: 'has no host after "//"' };
  if (/\s/.test(input)) return { problem: 'contains white space' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { problem: 'not a valid URL' };
  }
  if (url.hostname === '') return { problem: 'has no host' };
  if (!opts.allowCredentials && (url.username || url.password)) return { problem: 'URLs with embedded credentials are refused (they would be sent on)' };
  return { url };
}
