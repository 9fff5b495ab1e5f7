// What the dialects whose providers act on an XML answer to an inbound webhook share: reading the
// verbs of a `<Response>` document (Twilio's TwiML <Message>, Plivo's XML <Message>), and a bound
// on reply chains. Telnyx, Vonage, Bandwidth and Sinch have no such mechanism (their inbound
// webhooks' answers only acknowledge delivery; replies go through the API), so only the Twilio and
// Plivo dialects use this.

/** One element of a `<Response>` document: its attributes and its raw inner XML. */
export interface XmlVerb {
  attrs: Record<string, string>;
  inner: string;
}

/** XML text with its entities and CDATA sections resolved. */
export function unescapeXml(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, c: string) => c.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d{1,7});/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function attributes(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of raw.matchAll(/([A-Za-z]\w*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[m[1]!] = unescapeXml(m[2] ?? m[3] ?? '');
  return out;
}

/** The `name` elements of a `<Response>` document, in order (none when the document is not one). */
export function responseVerbs(doc: string, name: string): XmlVerb[] {
  const xml = doc.replace(/<!--[\s\S]*?-->/g, '');
  if (!/<Response(?:\s[^>]*)?>/.test(xml)) return [];
  return [...xml.matchAll(new RegExp(`<${name}(\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${name}\\s*>)`, 'g'))].map((m) => ({
    attrs: attributes(m[1] ?? ''),
    inner: m[2] ?? '',
  }));
}

/** The texts of every <name> element inside `xml`. */
export function elementTexts(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}\\s*>`, 'g'))].map((m) => unescapeXml(m[1]!).trim());
}

/** Replies chained from one message beyond this are dropped (two numbers answering each other forever). */
export const MAX_REPLY_DEPTH = 5;

/** How many XML replies led to each message (bounded: the oldest entries are forgotten). */
export class ReplyDepth {
  private readonly depths = new Map<string, number>();

  /** 0 for a message sent through the API. */
  of(id: string): number {
    return this.depths.get(id) ?? 0;
  }

  set(id: string, depth: number): void {
    if (depth <= 0) return;
    this.depths.set(id, depth);
    if (this.depths.size > 10_000) this.depths.delete(this.depths.keys().next().value!);
  }
}
