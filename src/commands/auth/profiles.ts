import { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { ConfigError, ErrorCode } from '../../errors/errors.js';
import { maskId } from '../../config/redact.js';
import { checkProfileName } from '../../config/credentials.js';
import { writeJson } from '../../output/json.js';

function requireProfile(ctx: AppContext, name: string) {
  checkProfileName(name, 'Profile');
  const store = ctx.store();
  const cfg = store.readConfig();
  if (!Object.hasOwn(cfg.profiles, name)) {
    throw new ConfigError(ErrorCode.PROFILE_NOT_FOUND, `Profile "${name}" does not exist`, {
      suggestion: Object.keys(cfg.profiles).length ? `Profiles: ${Object.keys(cfg.profiles).join(', ')}` : 'Run `mms login` to create one',
    });
  }
  return { store, cfg };
}

/** `mms profiles [list|use|remove]`. */
export function createProfilesCommand(ctx: AppContext): Command {
  const profiles = new Command('profiles').description('list stored profiles, pick the default, or remove one');
  const list = async () => {
    const cfg = ctx.store().readConfig();
    const rows = Object.entries(cfg.profiles).map(([name, p]) => {
      const id = Object.values(p.fields)[0];
      return {
        name,
        provider: p.provider,
        account: id ? maskId(id) : null,
        from: p.from ?? null,
        baseUrl: p.baseUrl ?? null,
        isDefault: cfg.defaultProfile === name,
      };
    });
    if (ctx.io.json) {
      writeJson(ctx.io, rows);
      return;
    }
    if (rows.length === 0) {
      ctx.io.info('No profiles yet: run `mms login` (or `mms sandbox --save-profile` to rehearse offline).');
      return;
    }
    const table = rows.map((r) => [r.isDefault ? '*' : ' ', r.name, r.provider, r.account ?? '-', r.from ?? '-', r.baseUrl ?? '']);
    // Piped: tab-separated rows without a header, as every table command prints them; on a
    // terminal: a header row and aligned columns.
    if (!ctx.io.stdoutIsTTY) {
      for (const cols of table) ctx.io.out(cols.join('\t'));
      return;
    }
    const head = [' ', 'PROFILE', 'PROVIDER', 'ACCOUNT', 'FROM', 'BASE URL'];
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((c) => c[i]!.length)));
    const line = (cols: readonly string[]) =>
      cols
        .map((v, i) => v.padEnd(widths[i]!))
        .join(' ')
        .trimEnd();
    ctx.io.out(line(head));
    for (const cols of table) ctx.io.out(line(cols));
  };
  profiles.action(list);
  profiles.command('list').description('list profiles (* marks the default)').action(list);
  profiles
    .command('use')
    .description('make a profile the default')
    .argument('<name>', 'profile name')
    .action(async (name: string) => {
      const { store, cfg } = requireProfile(ctx, name);
      cfg.defaultProfile = name;
      await store.writeConfig(cfg);
      if (ctx.io.json) writeJson(ctx.io, { defaultProfile: name });
      else ctx.io.info(`Default profile is now "${name}".`);
    });
  profiles
    .command('remove')
    .description('remove a profile and its credentials')
    .argument('<name>', 'profile name')
    .action(async (name: string) => {
      const { store, cfg } = requireProfile(ctx, name);
      const creds = store.readCredentials();
      delete creds.profiles[name];
      delete cfg.profiles[name];
      if (cfg.defaultProfile === name) delete cfg.defaultProfile;
      await store.writeCredentials(creds);
      await store.writeConfig(cfg);
      if (ctx.io.json) writeJson(ctx.io, { removed: name });
      else ctx.io.info(`Removed profile "${name}".`);
    });
  profiles.addHelpText('after', '\nExamples:\n  $ mms profiles\n  $ mms profiles use staging\n  $ mms profiles remove old');
  return profiles;
}
