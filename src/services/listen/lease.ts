// The inbound lease: `mms listen --number` points the number's inbound webhook at the listener for
// the length of the run. The restore file is written before anything changes (a kill -9 leaves a
// way back: `mms listen --restore`), and release() puts the number back on every way out.
import { CliError, ErrorCode } from '../../errors/errors.js';
import { ExitCode } from '../../errors/exit-codes.js';
import type { InboundRestoreState, ProviderAdapter, ProviderCallContext } from '../../providers/types.js';
import {
  createRestoreFile,
  isProcessAlive,
  listRestoreFiles,
  readRestoreFile,
  removeRestoreFile,
  replaceRestoreFile,
  restoreConflictError,
  restoreFilePath,
  type RestoreRecord,
} from '../../webhook/restore-file.js';
import type { ListenNotice, RestoreOutcome, RestorePorts } from './types.js';

/** String values of a restore state's `webhookCredentials` (see InboundRestoreState.data). */
export function webhookCredentialsOf(state: InboundRestoreState): Record<string, string> {
  const raw = state.data.webhookCredentials;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

/** Refuses (before any tunnel starts) when another run, live or killed, still holds the number. */
export async function assertNumberFree(env: NodeJS.ProcessEnv, provider: string, number: string): Promise<void> {
  const path = restoreFilePath(env, provider, number);
  const existing = await readRestoreFile(path);
  if (existing.record || (existing.error !== undefined && !existing.error.startsWith('cannot read (ENOENT'))) {
    throw await restoreConflictError(path, number);
  }
}

/** Options of {@link createInboundLease}. */
export interface LeaseOptions {
  adapter: ProviderAdapter;
  number: string;
  callContext: ProviderCallContext;
  cleanupContext(): ProviderCallContext;
  /** The stored profile used, recorded for --restore. */
  profile?: string;
  env: NodeJS.ProcessEnv;
  notice(n: ListenNotice): void;
}

/** A number pointed at the listener, and the way back. */
export interface InboundLease {
  /** Points the number at `url`; the restore file exists before the provider changes anything. */
  point(url: string): Promise<{ configured: boolean; webhookCredentials: Record<string, string> }>;
  /**
   * Points the number at a new URL (the tunnel came back elsewhere): the number is put back first
   * (temporary resources removed), then pointed again; the restore file is replaced, never removed,
   * so every moment in between has a way back. Rejects when the provider refuses (the caller stops).
   */
  repoint(url: string): Promise<{ configured: boolean; webhookCredentials: Record<string, string> }>;
  /** Puts the number back (idempotent; safe after a failed point()). Resolves with the error if that failed. */
  release(): Promise<CliError | undefined>;
}

/** A lease on `number` (nothing changes until point()). */
export function createInboundLease(opts: LeaseOptions): InboundLease {
  const { adapter, number, callContext } = opts;
  let restoreState: InboundRestoreState | undefined;
  let restorePath: string | undefined;
  let manualState: InboundRestoreState | undefined;
  let released: Promise<CliError | undefined> | undefined;

  const recordOf = (state: InboundRestoreState): RestoreRecord => ({
    version: 1,
    provider: adapter.name,
    number: state.number,
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
    baseUrl: callContext.baseUrl,
    pid: process.pid,
    createdAt: new Date().toISOString(),
    state,
  });
  const persist = async (state: InboundRestoreState): Promise<void> => {
    if (restorePath !== undefined) {
      // A re-point: this run's own file gets the new state.
      await replaceRestoreFile(restorePath, recordOf(state));
      restoreState = state;
      return;
    }
    restorePath = await createRestoreFile(opts.env, recordOf(state));
    // From here on every exit path puts the number back.
    restoreState = state;
  };

  const restore = async (state: InboundRestoreState): Promise<CliError | undefined> => {
    try {
      await adapter.restoreInbound!(state, opts.cleanupContext());
      if (restorePath) await removeRestoreFile(restorePath);
      opts.notice({ type: 'number-restored', number: state.number });
      return undefined;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const code = err instanceof CliError ? err.code : ErrorCode.PROVIDER_UNAVAILABLE;
      const exitCode = err instanceof CliError ? err.exitCode : ExitCode.UNAVAILABLE;
      return new CliError(code, exitCode, `Could not restore the inbound webhook of ${state.number}: ${message}`, {
        suggestion: `Run \`mms listen --restore --number ${state.number}\` to try again${restorePath ? ` (saved in ${restorePath})` : ''}`,
      });
    }
  };

  const point = async (url: string): Promise<{ configured: boolean; webhookCredentials: Record<string, string> }> => {
    let persisted = false;
    const state = await adapter.configureInbound!(number, url, callContext, {
      beforeChange: async (s) => {
        await persist(s);
        persisted = true;
      },
    });
    const webhookCredentials = webhookCredentialsOf(state);
    if (state.data.manual === true) {
      // Nothing was changed through the API: no restore file, nothing to undo on exit; the user
      // makes (and later undoes) the change by hand, as the description says.
      manualState = state;
      opts.notice({ type: 'manual-action', description: state.description });
      return { configured: false, webhookCredentials };
    }
    // Adapters that do not call beforeChange: record the change right after it.
    if (!persisted) await persist(state);
    else restoreState = state;
    opts.notice({ type: 'number-pointed', number, description: state.description });
    return { configured: true, webhookCredentials };
  };

  return {
    point,
    async repoint(url) {
      if (released) throw new Error('the number was already put back');
      // Undo with the run's own context (tied to Ctrl+C): a stop now ends the re-point, and
      // release() restores from the file's state, which is right whatever step was reached.
      if (restoreState && adapter.restoreInbound) await adapter.restoreInbound(restoreState, callContext);
      manualState = undefined;
      return point(url);
    },
    release() {
      released ??= (async () => {
        const error = restoreState && adapter.restoreInbound ? await restore(restoreState) : undefined;
        if (manualState) opts.notice({ type: 'manual-reminder', number: manualState.number });
        return error;
      })();
      return released;
    },
  };
}

/** `mms listen --restore`: puts back every number a killed listener left redirected (or only `number`'s). */
export async function restoreLeftovers(filter: { number?: string; provider?: string }, ports: RestorePorts): Promise<RestoreOutcome> {
  const entries = await listRestoreFiles(ports.env);
  const out: RestoreOutcome = { restored: [], skipped: [], failed: [] };
  for (const entry of entries) {
    const rec = entry.record;
    if (!rec) {
      out.skipped.push({ path: entry.path, reason: `unreadable restore file: ${entry.error ?? 'unknown problem'}` });
      continue;
    }
    if (filter.number !== undefined && rec.number !== filter.number) continue;
    if (filter.provider !== undefined && rec.provider !== filter.provider) continue;
    if (rec.pid !== process.pid && isProcessAlive(rec.pid)) {
      out.skipped.push({
        provider: rec.provider,
        number: rec.number,
        path: entry.path,
        reason: `mms listen (pid ${rec.pid}) still runs; stop it and it restores the number itself`,
      });
      continue;
    }
    try {
      const account = await ports.loadAccount(rec);
      await account.adapter.restoreInbound!(rec.state, account.cleanupContext());
      await removeRestoreFile(entry.path);
      out.restored.push({ provider: rec.provider, number: rec.number, description: rec.state.description });
    } catch (err) {
      const e = err instanceof CliError ? err : undefined;
      out.failed.push({
        provider: rec.provider,
        number: rec.number,
        path: entry.path,
        error: { code: e?.code ?? ErrorCode.INTERNAL, message: err instanceof Error ? err.message : String(err) },
      });
    }
  }
  return out;
}
