import { Command } from 'commander';
import type { AppContext } from '../context.js';
import { writeJson } from '../output/json.js';
import { allDescriptors } from '../providers/registry.js';
import { CAPABILITY_HEAD, capabilitiesJson, capabilityRow } from '../providers/capability-table.js';
import type { ProviderDescriptor } from '../providers/descriptor.js';
import { formatBytes } from '../media/size.js';
import { lineWidth } from '../output/status-line.js';
import { wrapText } from '../output/wrap.js';

/** The columns of `mms providers`: the capability table plus the non-image limit and the webhook signature, as in the README. */
export const PROVIDERS_HEAD = [...CAPABILITY_HEAD.slice(0, 3), 'non-image', ...CAPABILITY_HEAD.slice(3), 'signature'];

/** The name of a signature scheme: the header it arrives in (`X-Twilio-Signature`), else its first words. */
export function signatureName(signature: string): string {
  const header = /^([A-Za-z][\w-]*-[\w-]+|[A-Za-z][\w-]*(?=:))/.exec(signature);
  return header ? header[1]! : signature.split(' ').slice(0, 3).join(' ');
}

/** One provider's row, in PROVIDERS_HEAD's order. */
export function providerRow(d: ProviderDescriptor): string[] {
  const row = capabilityRow(d);
  const nonImage = d.capabilities.maxNonImageBytes;
  return [...row.slice(0, 3), nonImage !== undefined ? formatBytes(nonImage) : '-', ...row.slice(3), signatureName(d.capabilities.signature)];
}

function printTable(ctx: AppContext, rows: string[][]): void {
  // Piped: tab-separated rows without a header, as every table command prints them.
  if (!ctx.io.stdoutIsTTY) {
    for (const r of rows) ctx.io.out(r.join('\t'));
    return;
  }
  const head = PROVIDERS_HEAD;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  ctx.io.out(ctx.outTheme.bold(line(head)));
  for (const r of rows) ctx.io.out(line(r));
}

/** `mms providers`: the capability table, from the providers' descriptors (no adapter is loaded). */
export function createProvidersCommand(ctx: AppContext): Command {
  return new Command('providers')
    .description('list supported providers and what each can do (media limits, upload, status, signatures)')
    .addHelpText('after', "\nExamples:\n  $ mms providers\n  $ mms providers --json | jq '.[] | {name, maxMedia}'")
    .action(() => {
      const descriptors = allDescriptors();
      if (ctx.io.json) {
        writeJson(ctx.io, descriptors.map(capabilitiesJson));
        return;
      }
      printTable(ctx, descriptors.map(providerRow));
      // Notes are paragraphs: wrapped to a terminal's width, one line per provider when piped (grep-able).
      const width = ctx.io.stderrIsTTY ? lineWidth(ctx.io.stderr as { columns?: number }) : Number.POSITIVE_INFINITY;
      if (ctx.io.stderrIsTTY) ctx.io.info('');
      for (const d of descriptors) {
        const text = `${d.name}: signatures ${d.capabilities.signature}${d.capabilities.notes ? `. ${d.capabilities.notes}` : ''}`;
        for (const l of wrapText(text, width, '  ')) ctx.io.info(l);
      }
    });
}
