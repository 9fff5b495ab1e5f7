import { Command } from 'commander';
import type { AppContext } from '../context.js';
import { writeJson } from '../output/json.js';
import { availableProviders, getAdapter } from '../providers/registry.js';
import { formatBytes } from '../media/size.js';

/** `mms providers`: the capability table. */
export function createProvidersCommand(ctx: AppContext): Command {
  return new Command('providers')
    .description('list supported providers and what each can do (media limits, upload, status, signatures)')
    .addHelpText('after', '\nExamples:\n  $ mms providers\n  $ mms providers --json | jq \'.[] | {name, maxMedia}\'')
    .action(async () => {
      const adapters = await Promise.all(availableProviders().map((n) => getAdapter(n)));
      if (ctx.io.json) {
        writeJson(
          ctx.io,
          adapters.map((a) => ({ name: a.name, displayName: a.displayName, ...a.capabilities, env: a.credentialFields.flatMap((f) => f.env) })),
        );
        return;
      }
      const head = ['provider', 'media', 'per file', 'total', 'local files', 'body', 'status', 'rate/s'];
      const rows = adapters.map((a) => {
        const c = a.capabilities;
        return [a.name, String(c.maxMedia), formatBytes(c.maxFileBytes), formatBytes(c.maxTotalBytes), c.mediaTransport === 'url' ? 'via tunnel URL' : c.mediaTransport === 'upload' ? 'upload' : 'upload or URL', `${c.maxBodyChars} ch`, c.statusLookup ? 'yes' : 'no', String(c.defaultRatePerSecond)];
      });
      if (!ctx.io.stdoutIsTTY) {
        for (const r of [head, ...rows]) ctx.io.out(r.join('\t'));
      } else {
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
        ctx.io.out(ctx.outTheme.bold(line(head)));
        for (const r of rows) ctx.io.out(line(r));
      }
      for (const a of adapters) {
        ctx.io.info(`${a.name}: signatures ${a.capabilities.signature}${a.capabilities.notes ? `. ${a.capabilities.notes}` : ''}`);
      }
    });
}
