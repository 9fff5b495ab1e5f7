// The capability table of `mms providers` and of the README's Providers section, from the
// descriptors alone (a test checks that the README's copy is what this generates).
import { formatBytes } from '../media/size.js';
import type { ProviderCapabilities, ProviderDescriptor } from './descriptor.js';

/** The columns `mms providers` prints. */
export const CAPABILITY_HEAD = ['provider', 'media', 'per file', 'total', 'local files', 'body', 'status', 'rate/s'] as const;

function transportWords(t: ProviderCapabilities['mediaTransport']): string {
  return t === 'url' ? 'via tunnel URL' : t === 'upload' ? 'upload' : 'upload or URL';
}

/** One provider's row of the table, in CAPABILITY_HEAD's order. */
export function capabilityRow(d: ProviderDescriptor): string[] {
  const c = d.capabilities;
  return [
    d.name,
    String(c.maxMedia),
    formatBytes(c.maxFileBytes),
    formatBytes(c.maxTotalBytes),
    transportWords(c.mediaTransport),
    `${c.maxBodyChars} ch`,
    c.statusLookup ? 'yes' : 'no',
    String(c.defaultRatePerSecond),
  ];
}

/**
 * What `mms providers --json` lists for a provider: its capabilities, every env var it reads, and
 * its message log (null when `mms send` cannot search one): `delayMs` is how long a new message may
 * take to appear there, so a "not found" younger than that leaves a recipient unknown, not resent.
 */
export function capabilitiesJson(d: ProviderDescriptor): Record<string, unknown> {
  const messageLog = d.messageLogDelayMs === undefined ? null : { delayMs: d.messageLogDelayMs };
  return { name: d.name, displayName: d.displayName, ...d.capabilities, env: d.credentialFields.flatMap((f) => f.env), messageLog };
}

/** Markdown for a signature scheme: the header it starts with in code style, table pipes escaped. */
function signatureMarkdown(signature: string): string {
  const escaped = signature.replace(/\|/g, '\\|');
  // Our own descriptor text, never outside input: the ambiguity here cannot be exploited.
  // eslint-disable-next-line regexp/no-super-linear-backtracking
  const m = /^([A-Za-z][\w-]*-[\w-]+|[A-Za-z][\w-]*(?=:))(.*)$/s.exec(escaped);
  return m ? `\`${m[1]!}\`${m[2]!}` : escaped;
}

/** The README's Providers table: the `mms providers` columns plus non-image limits and the webhook signature. */
export function readmeCapabilityTable(descriptors: readonly ProviderDescriptor[]): string {
  const head = [...CAPABILITY_HEAD, 'webhook signature'];
  const rows = descriptors.map((d) => {
    const row = capabilityRow(d);
    const nonImage = d.capabilities.maxNonImageBytes;
    if (nonImage !== undefined) row[2] = `${row[2]!} (${formatBytes(nonImage)} non-image)`;
    return [...row, signatureMarkdown(d.capabilities.signature)];
  });
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')).replace(/ /g, ''), ...rows.map(line)].join('\n');
}
