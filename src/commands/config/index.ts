import { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { CONFIG_KEYS, type ConfigFile, type ConfigKey } from '../../config/schema.js';
import { activeProfileName } from '../../config/credentials.js';
import { applySetting, checkConfigKey, getSetting } from '../../config/settings.js';
import { CONFIG_FILE, CREDENTIALS_FILE } from '../../config/store.js';
import { writeJson } from '../../output/json.js';
import { join } from 'node:path';
import type { GlobalOptions } from '../index.js';

function activeProfile(cfg: ConfigFile, opts: GlobalOptions, env: NodeJS.ProcessEnv): string {
  return activeProfileName(cfg, opts.profile, env);
}

/** `mms config get|set|list|path`. */
export function createConfigCommand(ctx: AppContext): Command {
  const config = new Command('config').description('read and change settings (secrets are managed by `mms login`)');
  config
    .command('get')
    .description('print one setting')
    .argument('<key>', `one of: ${Object.keys(CONFIG_KEYS).join(', ')}`)
    .action((key: string, _o, c: Command) => {
      const k = checkConfigKey(key);
      const cfg = ctx.store().readConfig();
      const v = getSetting(cfg, k, activeProfile(cfg, c.optsWithGlobals<GlobalOptions>(), ctx.env));
      if (ctx.io.json) writeJson(ctx.io, { key: k, value: v ?? null });
      else if (v !== undefined) ctx.io.out(v);
    });
  config
    .command('set')
    .description('change one setting ("" clears it); the value is checked now, not at the next send')
    .argument('<key>', `one of: ${Object.keys(CONFIG_KEYS).join(', ')}`)
    .argument('<value>', 'the new value')
    .action(async (key: string, value: string, _o, c: Command) => {
      const k = checkConfigKey(key);
      const store = ctx.store();
      const cfg = store.readConfig();
      const profile = activeProfile(cfg, c.optsWithGlobals<GlobalOptions>(), ctx.env);
      await applySetting(cfg, k, value, profile);
      await store.writeConfig(cfg);
      if (ctx.io.json) writeJson(ctx.io, { key: k, value: getSetting(cfg, k, profile) ?? null });
      else ctx.io.info(`${k} = ${getSetting(cfg, k, profile) ?? '(unset)'}`);
    });
  config
    .command('list')
    .description('print every setting')
    .action((_o, c: Command) => {
      const cfg = ctx.store().readConfig();
      const profile = activeProfile(cfg, c.optsWithGlobals<GlobalOptions>(), ctx.env);
      const rows = (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((k) => ({ key: k, value: getSetting(cfg, k, profile) ?? null }));
      if (ctx.io.json) writeJson(ctx.io, { profile, settings: rows });
      else for (const r of rows) ctx.io.out(`${r.key}${ctx.io.stdoutIsTTY ? ' = ' : '\t'}${r.value ?? ''}`);
    });
  config
    .command('path')
    .description('print where the config and credentials files live')
    .action(() => {
      const dir = ctx.store().dir;
      if (ctx.io.json) writeJson(ctx.io, { dir, config: join(dir, CONFIG_FILE), credentials: join(dir, CREDENTIALS_FILE) });
      else ctx.io.out(dir);
    });
  config.addHelpText(
    'after',
    '\nExamples:\n  $ mms config set from +15551234567\n  $ mms config set default-country GB\n  $ mms config set fit auto\n  $ mms config list --json',
  );
  return config;
}
