import { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { ConfigError, ErrorCode } from '../../errors/errors.js';
import { writeJson } from '../../output/json.js';
import { activeProfileName } from '../../config/credentials.js';
import { getDescriptor, isProviderName } from '../../providers/registry.js';
import type { GlobalOptions } from '../index.js';

/** Removes a profile and its stored secrets. */
export async function runLogout(opts: GlobalOptions, ctx: AppContext): Promise<{ profile: string; provider: string; wasDefault: boolean }> {
  const store = ctx.store();
  const cfg = store.readConfig();
  const name = activeProfileName(cfg, opts.profile, ctx.env);
  if (!Object.hasOwn(cfg.profiles, name)) {
    throw new ConfigError(ErrorCode.PROFILE_NOT_FOUND, `Profile "${name}" does not exist; nothing to log out of`, {
      suggestion: Object.keys(cfg.profiles).length ? `Profiles: ${Object.keys(cfg.profiles).join(', ')}` : 'There are no stored profiles',
    });
  }
  const provider = cfg.profiles[name]!.provider;
  const creds = store.readCredentials();
  delete creds.profiles[name];
  delete cfg.profiles[name];
  const wasDefault = cfg.defaultProfile === name;
  if (wasDefault) delete cfg.defaultProfile;
  // Secrets first: if the second write fails, no secret is left behind.
  await store.writeCredentials(creds);
  await store.writeConfig(cfg);
  return { profile: name, provider, wasDefault };
}

/** `mms logout`. */
export function createLogoutCommand(ctx: AppContext): Command {
  return new Command('logout')
    .description('remove a stored profile and its credentials')
    .addHelpText('after', '\nExamples:\n  $ mms logout\n  $ mms logout --profile staging')
    .action(async (_o, c: Command) => {
      const r = await runLogout(c.optsWithGlobals<GlobalOptions>(), ctx);
      if (ctx.io.json) writeJson(ctx.io, { loggedOut: r.profile, wasDefault: r.wasDefault });
      else
        ctx.io.info(
          `Removed profile "${r.profile}" and its credentials.${r.wasDefault ? ' It was the default: pick another with `mms profiles use <name>`.' : ''}`,
        );
      // The removed profile's provider's variables would still supply credentials.
      const fields = isProviderName(r.provider) ? getDescriptor(r.provider).credentialFields : [];
      const envs = fields.flatMap((f) => f.env).filter((e) => ctx.env[e]);
      if (envs.length) ctx.io.warn(`Note: ${envs.join(', ')} ${envs.length === 1 ? 'is' : 'are'} still set in your environment.`);
    });
}
