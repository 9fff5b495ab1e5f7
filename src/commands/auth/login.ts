// mms login: store a provider's credentials in a named profile, after a real API call accepts them.
// Secrets come only from a masked prompt or stdin (--<secret>-stdin), never from a flag value.
import { Command, Option } from 'commander';
import type { AppContext } from '../../context.js';
import { ConfigError, ErrorCode, ProviderError, UsageError } from '../../errors/errors.js';
import { emptyMap, type ProfileRecord } from '../../config/schema.js';
import { LOGIN_FLAGS, PROVIDER_NAMES, getAdapter, isProviderName } from '../../providers/registry.js';
import type { CredentialField, Credentials, ProviderAdapter } from '../../providers/types.js';
import { writeJson } from '../../output/json.js';
import { checkHttpUrl } from '../../core/urls.js';
import { maskId, rememberSecrets } from '../../config/redact.js';
import { checkProfileName, secretValues } from '../../config/credentials.js';
import type { GlobalOptions } from '../index.js';

export interface LoginOptions extends GlobalOptions {
  provider?: string;
  from?: string;
  baseUrl?: string;
  default?: boolean;
  /** Non-secret field values by flag-derived camelCase key, and `<key>Stdin` booleans. */
  [key: string]: unknown;
}

export interface LoginResult {
  profile: string;
  provider: string;
  account: string;
  accountLabel?: string;
  from?: string;
  baseUrl?: string;
  isDefault: boolean;
  envOverrides: string[];
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Far above any provider secret (a Vonage private key in PEM is under 4 KiB). */
const MAX_STDIN_SECRET_BYTES = 64 * 1024;

/**
 * Reads a secret from stdin, at most MAX_STDIN_SECRET_BYTES: a huge file or an endless stream
 * (`< /dev/zero`) is a clear error after that much, not memory growing until the process dies.
 */
async function readSecretFromStdin(ctx: AppContext, f: CredentialField): Promise<string> {
  const flag = `--${f.flag}-stdin`;
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early destroys the stream, which stops an endless one.
  for await (const chunk of ctx.io.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_STDIN_SECRET_BYTES) {
      throw new UsageError(`${flag}: stdin holds more than ${MAX_STDIN_SECRET_BYTES / 1024} KiB, too much to be the ${f.label}`, {
        code: ErrorCode.INVALID_ARGUMENT,
        suggestion: `Pipe in only the ${f.label}, e.g. printf %s "$SECRET" | mms login … ${flag}`,
      });
    }
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  // Control characters (NUL from /dev/zero, a binary file) cannot be part of a credential.
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text.trim())) {
    throw new UsageError(`${flag}: stdin holds binary data, which cannot be the ${f.label}`, {
      code: ErrorCode.INVALID_ARGUMENT,
      suggestion: `Pipe in only the ${f.label}, e.g. printf %s "$SECRET" | mms login … ${flag}`,
    });
  }
  return text;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * The one error for a credential check that failed: rejected credentials as they are; a network
 * failure says so, naming the host and what to do (nothing was saved), instead of blaming the credentials.
 */
function checkFailure(err: unknown, adapter: ProviderAdapter, baseUrl: string): unknown {
  if (!(err instanceof ProviderError) || (err.code !== ErrorCode.NETWORK_ERROR && err.code !== ErrorCode.TIMEOUT)) return err;
  return new ProviderError(
    err.code,
    err.exitCode,
    `Could not check the ${adapter.displayName} credentials: ${lowerFirst(err.message.replace(/^Network error: /, ''))}. Nothing was saved`,
    {
      provider: err.provider,
      cause: err,
      ...(err.details !== undefined ? { details: err.details } : {}),
      suggestion: `Check your network connection and the API URL (${baseUrl}; --base-url changes it), then run \`mms login\` again`,
    },
  );
}

async function collectFields(adapter: ProviderAdapter, opts: LoginOptions, ctx: AppContext): Promise<Credentials> {
  const values: Credentials = {};
  const stdinFields = adapter.credentialFields.filter((f) => f.secret && opts[`${camel(f.flag)}Stdin`]);
  if (stdinFields.length > 1) {
    throw new UsageError(`Only one secret can be read from stdin per run (got ${stdinFields.map((f) => `--${f.flag}-stdin`).join(' and ')})`, {
      code: ErrorCode.INVALID_ARGUMENT,
    });
  }
  for (const f of stdinFields) {
    const secret = (await readSecretFromStdin(ctx, f)).trim();
    if (!secret)
      throw new UsageError(`--${f.flag}-stdin: stdin was empty`, {
        code: ErrorCode.MISSING_ARGUMENT,
        suggestion: `Pipe the ${f.label} in, e.g. printf %s "$TOKEN" | mms login … --${f.flag}-stdin`,
      });
    values[f.key] = secret;
  }
  for (const f of adapter.credentialFields) {
    if (f.secret) continue;
    const v = opts[camel(f.flag)];
    if (typeof v === 'string' && v.trim() !== '') values[f.key] = v.trim();
  }
  // Ask for what is still missing, when we may.
  const missing = (): CredentialField[] => {
    const problems = adapter.checkCredentials(values);
    if (problems.length === 0) return [];
    return adapter.credentialFields
      .filter((f) => f.required && !values[f.key])
      .concat(
        adapter.credentialFields
          .filter((f) => !f.required && f.secret && !values[f.key] && !adapter.credentialFields.some((g) => g.secret && g !== f && values[g.key]))
          .slice(0, 1),
      );
  };
  for (const f of missing()) {
    if (!ctx.io.canPrompt) {
      throw new UsageError(`${f.secret ? `--${f.flag}-stdin` : `--${f.flag}`} is required when not running interactively`, {
        code: ErrorCode.MISSING_ARGUMENT,
        suggestion: `Example: printf %s "$SECRET" | mms login --provider ${adapter.name} ${adapter.credentialFields
          .filter((g) => g.required && !g.secret)
          .map((g) => `--${g.flag} <${g.label.toLowerCase().replace(/\s+/g, '-')}>`)
          .join(' ')} --${(adapter.credentialFields.find((g) => g.secret) ?? f).flag}-stdin`,
      });
    }
    const prompt = await import('../../output/prompt.js');
    values[f.key] = f.secret
      ? (await prompt.askSecret(ctx.io, `--${f.flag}-stdin`, `${adapter.displayName} ${f.label}:`)).trim()
      : (
          await prompt.askText(ctx.io, `--${f.flag}`, `${adapter.displayName} ${f.label}:`, {
            validate: (v) =>
              f.pattern && !f.pattern.test(v.trim()) ? `Expected ${f.patternHint ?? 'a valid value'}` : v.trim() ? true : 'A value is required',
          })
        ).trim();
  }
  for (const f of adapter.credentialFields) {
    const v = values[f.key];
    if (v && f.pattern && !f.pattern.test(v)) {
      throw new UsageError(
        `${f.secret ? `--${f.flag}-stdin` : `--${f.flag}`}: ${f.secret ? 'the value' : `"${v}"`} is not a valid ${f.label} (expected ${f.patternHint ?? 'a different format'})`,
        { code: ErrorCode.INVALID_ARGUMENT },
      );
    }
  }
  const problems = adapter.checkCredentials(values);
  if (problems.length) throw new UsageError(`Incomplete ${adapter.displayName} credentials: ${problems.join('; ')}`, { code: ErrorCode.MISSING_ARGUMENT });
  return values;
}

/** The --base-url value without trailing slashes, checked with the rules every URL flag follows. */
function checkBaseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const baseUrl = value.replace(/\/+$/, '');
  const { problem } = checkHttpUrl(baseUrl);
  if (problem !== undefined) throw new UsageError(`--base-url "${baseUrl}" is not an http(s) URL: ${problem}`, { code: ErrorCode.INVALID_ARGUMENT });
  return baseUrl;
}

/** Validates and stores credentials; returns what was saved (never the secrets). */
export async function runLogin(opts: LoginOptions, ctx: AppContext): Promise<LoginResult> {
  const profileName = opts.profile !== undefined ? checkProfileName(opts.profile, '--profile') : 'default';
  let providerName = opts.provider;
  if (!providerName) {
    if (!ctx.io.canPrompt)
      throw new UsageError('--provider is required when not running interactively', {
        code: ErrorCode.MISSING_ARGUMENT,
        suggestion: `Use one of: ${PROVIDER_NAMES.join(', ')}`,
      });
    const { askChoice } = await import('../../output/prompt.js');
    const { availableProviders } = await import('../../providers/registry.js');
    providerName = await askChoice(
      ctx.io,
      '--provider',
      'Provider:',
      availableProviders().map((n) => ({ value: n, name: n })),
    );
  }
  if (!isProviderName(providerName)) {
    throw new ConfigError(ErrorCode.PROVIDER_UNKNOWN, `Unknown provider "${providerName}" (--provider)`, {
      suggestion: `Use one of: ${PROVIDER_NAMES.join(', ')}`,
    });
  }
  const adapter = await getAdapter(providerName);
  // Flags that belong to another provider are a mistake worth catching.
  const own = new Set(adapter.credentialFields.map((f) => `${f.flag}|${f.secret}`));
  for (const flag of LOGIN_FLAGS) {
    const k = camel(flag.name);
    const given = flag.secret ? opts[`${k}Stdin`] : opts[k];
    if (given !== undefined && given !== false && !own.has(`${flag.name}|${flag.secret}`)) {
      throw new UsageError(`--${flag.name}${flag.secret ? '-stdin' : ''} does not apply to ${adapter.displayName}`, {
        code: ErrorCode.INVALID_ARGUMENT,
        suggestion: `${adapter.displayName} takes: ${adapter.credentialFields.map((f) => `--${f.flag}${f.secret ? '-stdin' : ''}`).join(', ')}`,
      });
    }
  }
  // Before any prompt or stdin read: a bad URL fails at once.
  const baseUrl = checkBaseUrl(opts.baseUrl);
  const credentials = await collectFields(adapter, opts, ctx);
  const secrets = secretValues(adapter, credentials);
  // From here on nothing printed may contain them, even when the provider echoes them back.
  ctx.io.addSecrets(secrets);
  rememberSecrets(secrets);
  let from = typeof opts.from === 'string' ? opts.from.trim() : undefined;
  if (from === undefined && ctx.io.canPrompt) {
    const { askText } = await import('../../output/prompt.js');
    from = (await askText(ctx.io, '--from', 'Default sender (E.164, optional):', { default: '' })).trim() || undefined;
  }
  if (from && adapter.checkSender) {
    const bad = adapter.checkSender(from);
    if (bad) throw new UsageError(`--from "${from}": ${bad}`, { code: ErrorCode.SENDER_INVALID });
  }

  // A real API call: never store credentials the provider rejects.
  const { createHttpClient } = await import('../../providers/http-client.js');
  const { startSpinner } = await import('../../output/spinner.js');
  const spinner = await startSpinner(ctx.io, `Checking ${adapter.displayName} credentials…`);
  let info;
  try {
    info = await adapter.verifyCredentials({
      credentials,
      baseUrl: baseUrl ?? adapter.defaultBaseUrl,
      http: createHttpClient({ provider: adapter.name, secrets, env: ctx.env, ...(ctx.io.debug ? { debug: (l: string) => ctx.io.debugLog(l) } : {}) }),
      signal: ctx.signal,
    });
  } catch (err) {
    // The error says what happened (rejected, unreachable): one message, not a spinner line too.
    spinner.stop();
    throw checkFailure(err, adapter, baseUrl ?? adapter.defaultBaseUrl);
  }
  spinner.stop();

  const store = ctx.store();
  const cfg = store.readConfig();
  const creds = store.readCredentials();
  const record: ProfileRecord = { provider: adapter.name, fields: emptyMap() };
  const secretPart = emptyMap<string>();
  for (const f of adapter.credentialFields) {
    const v = credentials[f.key];
    if (!v) continue;
    if (f.secret) secretPart[f.key] = v;
    else record.fields[f.key] = v;
  }
  if (from) record.from = from;
  if (baseUrl) record.baseUrl = baseUrl;
  cfg.profiles[profileName] = record;
  const isDefault = Boolean(opts.default) || !cfg.defaultProfile || !Object.hasOwn(cfg.profiles, cfg.defaultProfile) || cfg.defaultProfile === profileName;
  if (isDefault) cfg.defaultProfile = profileName;
  creds.profiles[profileName] = secretPart;
  await store.writeCredentials(creds);
  await store.writeConfig(cfg);

  const accountField = adapter.credentialFields.find((f) => !f.secret && f.required) ?? adapter.credentialFields[0]!;
  const envOverrides = adapter.credentialFields.flatMap((f) => f.env).filter((e) => ctx.env[e]);
  return {
    profile: profileName,
    provider: adapter.name,
    account: maskId(credentials[accountField.key] ?? ''),
    ...(info.accountLabel ? { accountLabel: info.accountLabel } : {}),
    ...(from ? { from } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    isDefault,
    envOverrides,
  };
}

/** `mms login`. */
export function createLoginCommand(ctx: AppContext): Command {
  const cmd = new Command('login')
    .description('store provider credentials in a profile (checked with a real API call first)')
    .addOption(new Option('--provider <name>', 'provider').choices([...PROVIDER_NAMES]))
    .option('--from <sender>', 'default sender for this profile (E.164)')
    .option('--base-url <url>', 'API base URL (regional edge, proxy, or `mms sandbox`)')
    .option('--default', 'make this the default profile', false);
  for (const f of LOGIN_FLAGS) {
    if (f.secret) cmd.option(`--${f.name}-stdin`, `read the ${f.label} from stdin (${f.providers.join(', ')})`);
    else cmd.option(`--${f.name} <value>`, `${f.label} (${f.providers.join(', ')})`);
  }
  return cmd
    .addHelpText(
      'after',
      `
Secrets are never accepted as flag values (they would land in shell history): use the masked
prompt, or pipe them in with --<secret>-stdin.

Examples:
  $ mms login
  $ printf %s "$TWILIO_AUTH_TOKEN" | mms login --provider twilio --account-sid AC0123… --auth-token-stdin --from +15551234567
  $ mms login --profile staging --provider twilio`,
    )
    .action(async (_o, c: Command) => {
      const r = await runLogin(c.optsWithGlobals<LoginOptions>(), ctx);
      if (ctx.io.json) {
        writeJson(ctx.io, r);
      } else {
        ctx.io.info(
          ctx.errTheme.success(
            `Logged in to ${r.provider}${r.accountLabel ? ` as "${r.accountLabel}"` : ''} (${r.account}); saved as profile "${r.profile}"${r.isDefault ? ' (default)' : ''}.`,
          ),
        );
        if (!r.from) ctx.io.info('No default sender: pass --from when sending, or run `mms config set from +15551234567`.');
      }
      for (const e of r.envOverrides) ctx.io.warn(ctx.errTheme.warn(`Warning: ${e} is set in your environment and takes precedence over the stored profile.`));
    });
}
