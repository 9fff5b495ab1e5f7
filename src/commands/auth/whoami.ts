import { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { maskId } from '../../config/redact.js';
import { CONFIG_FILE, CREDENTIALS_FILE } from '../../config/store.js';
import type { Sourced } from '../../config/credentials.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { missingCredentialsHint } from '../../providers/descriptor.js';
import { writeJson } from '../../output/json.js';
import { loadAccount } from '../shared.js';
import type { GlobalOptions } from '../index.js';

interface WhoamiOptions extends GlobalOptions {
  provider?: string;
  verify?: boolean;
}

/** A value's source as JSON and text both show it: the same words (flag, env, file, default) and origin. */
function sourceOf(s: Pick<Sourced, 'source' | 'origin'>, file: string): { source: string; origin?: string } {
  const origin = s.origin ?? (s.source === 'file' ? file : undefined);
  return { source: s.source, ...(origin ? { origin } : {}) };
}

/** `mms whoami`: the account in use, masked, and where each value came from; exit 4 when it cannot send. */
export function createWhoamiCommand(ctx: AppContext): Command {
  return new Command('whoami')
    .description('show the provider, account (masked), default sender, and where each value comes from')
    .option('--provider <name>', "provider (default: the profile's)")
    .option('--verify', 'also check the credentials with the provider', false)
    .addHelpText('after', '\nExamples:\n  $ mms whoami\n  $ mms whoami --profile staging --verify --json')
    .action(async (_o, c: Command) => {
      const opts = c.optsWithGlobals<WhoamiOptions>();
      const { adapter, account, callContext } = await loadAccount(ctx, opts);
      const fields = adapter.credentialFields
        .filter((f) => account.sources[f.key])
        .map((f) => {
          const s = account.sources[f.key]!;
          return { key: f.key, label: f.label, value: f.secret ? '********' : maskId(s.value), ...sourceOf(s, f.secret ? CREDENTIALS_FILE : CONFIG_FILE) };
        });
      const problems = adapter.checkCredentials(account.credentials);
      let verified: { ok: boolean; accountLabel?: string } | undefined;
      // Incomplete credentials cannot be verified: say what is known and exit 4 below.
      if (opts.verify && problems.length === 0) {
        const info = await adapter.verifyCredentials(callContext());
        verified = { ok: true, ...(info.accountLabel ? { accountLabel: info.accountLabel } : {}) };
      }
      const data = {
        profile: { name: account.profile.name, ...sourceOf(account.profile, CONFIG_FILE), stored: Boolean(account.profile.record) },
        provider: { name: adapter.name, ...sourceOf(account.provider, CONFIG_FILE) },
        credentials: fields,
        complete: problems.length === 0,
        problems,
        from: account.from ? { value: account.from.value, ...sourceOf(account.from, CONFIG_FILE) } : null,
        baseUrl: { value: account.baseUrl.value, ...sourceOf(account.baseUrl, CONFIG_FILE) },
        configDir: ctx.store().dir,
        ...(verified ? { verified } : {}),
      };
      if (problems.length) ctx.setExitCode(ExitCode.AUTH);
      if (ctx.io.json) {
        writeJson(ctx.io, data);
        return;
      }
      const src = (s: { source: string; origin?: string }) => ctx.outTheme.dim(`(${s.source}${s.origin ? `: ${s.origin}` : ''})`);
      const rows: Array<[string, string]> = [
        ['Profile', `${data.profile.name} ${src(data.profile)}${data.profile.stored ? '' : ' (not stored)'}`],
        ['Provider', `${data.provider.name} ${src(data.provider)}`],
        ...fields.map((f): [string, string] => [f.label, `${f.value} ${src(f)}`]),
        ['From', data.from ? `${data.from.value} ${src(data.from)}` : '(none)'],
        ['Base URL', `${data.baseUrl.value} ${src(data.baseUrl)}`],
        ['Config dir', data.configDir],
      ];
      if (verified) rows.push(['Verified', `${ctx.outTheme.success('yes')}${verified.accountLabel ? ` (${verified.accountLabel})` : ''}`]);
      const width = Math.max(...rows.map(([label]) => label.length)) + 2;
      for (const [label, value] of rows) ctx.io.out(`${label.padEnd(width)}${value}`);
      if (problems.length) {
        const hint = missingCredentialsHint(adapter.descriptor, account.profile.name);
        ctx.io.warn(ctx.errTheme.warn(`Not ready to send: ${problems.join('; ')}. ${hint}.`));
      }
    });
}
