// The account a run uses: profile → provider → adapter → credentials, and the context adapter
// calls need. Shared by every command and service that talks to a provider.
import { CliError, ConfigError, ErrorCode } from '../errors/errors.js';
import { didYouMean } from '../errors/did-you-mean.js';
import { getAdapter, PROVIDER_NAMES } from '../providers/registry.js';
import type { ProviderAdapter, ProviderCallContext } from '../providers/types.js';
import {
  requireCredentials,
  resolveAccount,
  secretValues,
  selectProfile,
  selectProvider,
  type ResolvedAccount,
  type ResolveFlags,
} from '../config/credentials.js';
import { createHttpClient } from '../providers/http-client.js';
import type { Store } from '../config/store.js';

export interface LoadedAccount {
  adapter: ProviderAdapter;
  account: ResolvedAccount;
  /** Builds the context for adapter calls (throws AuthError when credentials are incomplete). */
  callContext(): ProviderCallContext;
  secrets(): string[];
}

/** What resolving an account needs from the run (an AppContext has all of it). */
export interface AccountEnvironment {
  store(): Store;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl+C: every adapter call listens to it. */
  signal: AbortSignal;
  /** The redacted HTTP log, under --debug. */
  debugLog?: (line: string) => void;
  /** Told the run's secrets as soon as they are known, so every output can mask them. */
  secretsFound?: (values: string[]) => void;
}

/** Flags that choose and override the account. */
export type AccountFlags = ResolveFlags & { profile?: string; provider?: string };

/** Resolves profile → provider → adapter → credentials for a run. */
export async function loadAccount(run: AccountEnvironment, flags: AccountFlags): Promise<LoadedAccount> {
  const store = run.store();
  const cfg = store.readConfig();
  const profile = withDidYouMean(() => selectProfile(cfg, flags.profile, run.env), ErrorCode.PROFILE_NOT_FOUND, flags.profile ?? run.env.MMS_PROFILE, [
    ...Object.keys(cfg.profiles),
  ]);
  const provider = withDidYouMean(() => selectProvider(flags.provider, profile), ErrorCode.PROVIDER_UNKNOWN, flags.provider, PROVIDER_NAMES);
  const adapter = await getAdapter(provider.value);
  const account = resolveAccount(adapter, profile, provider, store.readCredentials(), flags, run.env);
  const secrets = () => secretValues(adapter, account.credentials);
  run.secretsFound?.(secrets());
  return {
    adapter,
    account,
    secrets,
    callContext() {
      requireCredentials(adapter, account);
      const debug = run.debugLog;
      return {
        credentials: account.credentials,
        baseUrl: account.baseUrl.value,
        http: createHttpClient({ provider: adapter.name, secrets: secrets(), env: run.env, ...(debug ? { debug } : {}) }),
        signal: run.signal,
      };
    },
  };
}

/** Runs `select`; an error with `code` about `typed` gets "Did you mean …?" before its suggestion. */
function withDidYouMean<T>(select: () => T, code: string, typed: string | undefined, candidates: readonly string[]): T {
  try {
    return select();
  } catch (err) {
    const hint = typed !== undefined && err instanceof CliError && err.code === code ? didYouMean(typed, candidates) : '';
    // The config layer may already have suggested one (it knows the stored profiles): say it once.
    if (!hint || !(err instanceof CliError) || err.suggestion?.includes('Did you mean')) throw err;
    throw new ConfigError(err.code, err.message, { suggestion: `${hint}${err.suggestion ?? ''}`.trim(), cause: err });
  }
}
