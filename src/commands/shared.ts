// Helpers shared by commands: resolving the account for a run and building provider call contexts.
import type { AppContext } from '../context.js';
import { getAdapter } from '../providers/registry.js';
import type { ProviderAdapter, ProviderCallContext } from '../providers/types.js';
import { requireCredentials, resolveAccount, secretValues, selectProfile, selectProvider, type ResolvedAccount, type ResolveFlags } from '../config/credentials.js';
import { createHttpClient } from '../providers/http-client.js';
import type { GlobalOptions } from './index.js';

export interface LoadedAccount {
  adapter: ProviderAdapter;
  account: ResolvedAccount;
  /** Builds the context for adapter calls (throws AuthError when credentials are incomplete). */
  callContext(): ProviderCallContext;
  secrets(): string[];
}

/** Resolves profile → provider → adapter → credentials for a command. */
export async function loadAccount(ctx: AppContext, opts: GlobalOptions & ResolveFlags & { provider?: string }): Promise<LoadedAccount> {
  const store = ctx.store();
  const cfg = store.readConfig();
  const profile = selectProfile(cfg, opts.profile, ctx.env);
  const provider = selectProvider(opts.provider, profile);
  const adapter = await getAdapter(provider.value);
  const account = resolveAccount(adapter, profile, provider, store.readCredentials(), opts, ctx.env);
  const secrets = () => secretValues(adapter, account.credentials);
  return {
    adapter,
    account,
    secrets,
    callContext() {
      requireCredentials(adapter, account);
      const debug = ctx.io.debug ? (line: string) => ctx.io.debugLog(line) : undefined;
      return {
        credentials: account.credentials,
        baseUrl: account.baseUrl.value,
        http: createHttpClient({ provider: adapter.name, secrets: secrets(), env: ctx.env, ...(debug ? { debug } : {}) }),
        signal: ctx.signal,
      };
    },
  };
}

/**
 * Wraps a command action that returns its exit code (or nothing, for success): the code is
 * handed to cli.ts, the only place that applies it to the process.
 */
export function withExitCode<A extends unknown[]>(ctx: AppContext, action: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = await action(...args);
    if (typeof code === 'number') ctx.setExitCode(code);
  };
}

/** Reads all of stdin as text. */
export async function readStdin(ctx: AppContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Splits repeatable, comma-separated flag values. */
export function splitList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** Commander collector for repeatable flags. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

