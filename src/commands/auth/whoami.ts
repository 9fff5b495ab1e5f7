import { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { maskId } from '../../config/redact.js';
import { missingCredentialsHint } from '../../providers/descriptor.js';
import { writeJson } from '../../output/json.js';
import { loadAccount } from '../shared.js';
import type { GlobalOptions } from '../index.js';

interface WhoamiOptions extends GlobalOptions {
  provider?: string;
  verify?: boolean;
}

/** `mms whoami`: the account in use, masked, and where each value came from. */
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
          return { key: f.key, label: f.label, value: f.secret ? '********' : maskId(s.value), source: s.source, ...(s.origin ? { origin: s.origin } : {}) };
        });
      let verified: { ok: boolean; accountLabel?: string } | undefined;
      if (opts.verify) {
        const info = await adapter.verifyCredentials(callContext());
        verified = { ok: true, ...(info.accountLabel ? { accountLabel: info.accountLabel } : {}) };
      }
      const problems = adapter.checkCredentials(account.credentials);
      const data = {
        profile: { name: account.profile.name, source: account.profile.source, stored: Boolean(account.profile.record) },
        provider: { name: adapter.name, source: account.provider.source },
        credentials: fields,
        complete: problems.length === 0,
        problems,
        from: account.from ? { value: account.from.value, source: account.from.source } : null,
        baseUrl: { value: account.baseUrl.value, source: account.baseUrl.source },
        configDir: ctx.store().dir,
        ...(verified ? { verified } : {}),
      };
      if (ctx.io.json) {
        writeJson(ctx.io, data);
        return;
      }
      const src = (s: string, origin?: string) => ctx.outTheme.dim(`(${s === 'file' ? 'profile' : s}${origin ? `: ${origin}` : ''})`);
      ctx.io.out(`Profile   ${account.profile.name} ${src(account.profile.source)}${account.profile.record ? '' : ' (not stored)'}`);
      ctx.io.out(`Provider  ${adapter.name} ${src(account.provider.source)}`);
      for (const f of fields) ctx.io.out(`${f.label.padEnd(9)} ${f.value} ${src(f.source, f.origin)}`);
      ctx.io.out(`From      ${account.from ? `${account.from.value} ${src(account.from.source, account.from.origin)}` : '(none)'}`);
      ctx.io.out(`API       ${account.baseUrl.value} ${src(account.baseUrl.source, account.baseUrl.origin)}`);
      if (verified) ctx.io.out(`Verified  ${ctx.outTheme.success('yes')}${verified.accountLabel ? ` (${verified.accountLabel})` : ''}`);
      if (problems.length) {
        const hint = missingCredentialsHint(adapter.descriptor, account.profile.name);
        ctx.io.warn(ctx.errTheme.warn(`Not ready to send: ${problems.join('; ')}. ${hint}.`));
      }
    });
}
