import { Command } from 'commander';
import type { AppContext } from '../context.js';
import { writeJson } from '../output/json.js';
import { allDescriptors } from '../providers/registry.js';
import { CAPABILITY_HEAD, capabilitiesJson, capabilityRow } from '../providers/capability-table.js';

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
      const head = [...CAPABILITY_HEAD];
      const rows = descriptors.map(capabilityRow);
      if (!ctx.io.stdoutIsTTY) {
        for (const r of [head, ...rows]) ctx.io.out(r.join('\t'));
      } else {
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        const line = (r: string[]) =>
          r
            .map((v, i) => v.padEnd(widths[i]!))
            .join('  ')
            .trimEnd();
        ctx.io.out(ctx.outTheme.bold(line(head)));
        for (const r of rows) ctx.io.out(line(r));
      }
      for (const d of descriptors) {
        ctx.io.info(`${d.name}: signatures ${d.capabilities.signature}${d.capabilities.notes ? `. ${d.capabilities.notes}` : ''}`);
      }
    });
}
