import { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { ConfigError, ErrorCode, UsageError } from '../../errors/errors.js';
import { CONFIG_KEYS, isConfigKey, type ConfigFile, type ConfigKey } from '../../config/schema.js';
import { CONFIG_FILE, CREDENTIALS_FILE } from '../../config/store.js';
import { writeJson } from '../../output/json.js';
import { join } from 'node:path';
import type { GlobalOptions } from '../index.js';

function checkKey(key: string): ConfigKey {
  if (!isConfigKey(key)) {
    throw new ConfigError(ErrorCode.CONFIG_KEY_UNKNOWN, `Unknown config key "${key}"`, { suggestion: `Keys: ${Object.keys(CONFIG_KEYS).join(', ')}` });
  }
  return key;
}

function activeProfile(cfg: ConfigFile, opts: GlobalOptions, env: NodeJS.ProcessEnv): string {
  return opts.profile ?? env.MMS_PROFILE ?? cfg.defaultProfile ?? 'default';
}

function getValue(cfg: ConfigFile, key: ConfigKey, profile: string): string | undefined {
  switch (key) {
    case 'default-profile':
      return cfg.defaultProfile;
    case 'default-country':
      return cfg.settings.defaultCountry;
    case 'from':
      return cfg.profiles[profile]?.from;
    case 'base-url':
      return cfg.profiles[profile]?.baseUrl;
  }
}

/** `mms config get|set|list|path`. */
export function createConfigCommand(ctx: AppContext): Command {
  const config = new Command('config').description('read and change settings (secrets are managed by `mms login`)');
  config
    .command('get')
    .description('print one setting')
    .argument('<key>', `one of: ${Object.keys(CONFIG_KEYS).join(', ')}`)
    .action((key: string, _o, c: Command) => {
      const k = checkKey(key);
      const cfg = ctx.store().readConfig();
      const v = getValue(cfg, k, activeProfile(cfg, c.optsWithGlobals<GlobalOptions>(), ctx.env));
      if (ctx.io.json) writeJson(ctx.io, { key: k, value: v ?? null });
      else if (v !== undefined) ctx.io.out(v);
    });
  config
    .command('set')
    .description('change one setting ("" clears it)')
    .argument('<key>', `one of: ${Object.keys(CONFIG_KEYS).join(', ')}`)
    .argument('<value>', 'the new value')
    .action(async (key: string, value: string, _o, c: Command) => {
      const k = checkKey(key);
      const store = ctx.store();
      const cfg = store.readConfig();
      const profile = activeProfile(cfg, c.optsWithGlobals<GlobalOptions>(), ctx.env);
      const v = value.trim();
      const needProfile = () => {
        const p = cfg.profiles[profile];
        if (!p)
          throw new ConfigError(ErrorCode.PROFILE_NOT_FOUND, `Profile "${profile}" does not exist, so "${k}" cannot be set on it`, {
            suggestion: 'Run `mms login` first',
          });
        return p;
      };
      switch (k) {
        case 'default-profile':
          if (v && !cfg.profiles[v])
            throw new ConfigError(ErrorCode.PROFILE_NOT_FOUND, `Profile "${v}" does not exist`, { suggestion: 'Run `mms profiles` to list them' });
          if (v) cfg.defaultProfile = v;
          else delete cfg.defaultProfile;
          break;
        case 'default-country': {
          if (v && !/^[A-Za-z]{2}$/.test(v))
            throw new UsageError(`"${v}" is not a two-letter country code`, {
              code: ErrorCode.INVALID_ARGUMENT,
              suggestion: 'Use an ISO 3166 code such as US, GB or DE',
            });
          if (v) cfg.settings.defaultCountry = v.toUpperCase();
          else delete cfg.settings.defaultCountry;
          break;
        }
        case 'from': {
          const p = needProfile();
          if (v && !/^(\+[1-9]\d{1,14}|\d{3,8}|[A-Za-z0-9 ]{1,11}|MG[0-9a-fA-F]{32})$/.test(v)) {
            throw new UsageError(`"${v}" is not a valid sender`, { code: ErrorCode.SENDER_INVALID, suggestion: 'Use an E.164 number such as +15551234567' });
          }
          if (v) p.from = v;
          else delete p.from;
          break;
        }
        case 'base-url': {
          const p = needProfile();
          if (v) {
            let ok = false;
            try {
              ok = ['http:', 'https:'].includes(new URL(v).protocol);
            } catch {
              ok = false;
            }
            if (!ok) throw new UsageError(`"${v}" is not an http(s) URL`, { code: ErrorCode.INVALID_ARGUMENT });
            p.baseUrl = v.replace(/\/+$/, '');
          } else delete p.baseUrl;
          break;
        }
      }
      await store.writeConfig(cfg);
      if (ctx.io.json) writeJson(ctx.io, { key: k, value: getValue(cfg, k, profile) ?? null });
      else ctx.io.info(`${k} = ${getValue(cfg, k, profile) ?? '(unset)'}`);
    });
  config
    .command('list')
    .description('print every setting')
    .action((_o, c: Command) => {
      const cfg = ctx.store().readConfig();
      const profile = activeProfile(cfg, c.optsWithGlobals<GlobalOptions>(), ctx.env);
      const rows = (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((k) => ({ key: k, value: getValue(cfg, k, profile) ?? null }));
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
  config.addHelpText('after', '\nExamples:\n  $ mms config set from +15551234567\n  $ mms config set default-country GB\n  $ mms config list --json');
  return config;
}
