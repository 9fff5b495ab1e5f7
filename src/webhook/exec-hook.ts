// `mms listen --exec <cmd>`: runs a shell command per inbound message, with the event as JSON on
// stdin and the main fields in MMS_MESSAGE_* variables. Its stdout and stderr go to our stderr, so
// the listener's stdout stays pure data (NDJSON under --json). A failing hook is reported, never fatal.
//
// Event variables never reuse a configuration variable's name (issue 11): `mms send` reads MMS_FROM
// as its default sender, so a hook that got the customer's number in MMS_FROM replied from the
// customer's number. Instead MMS_FROM is set to the number the message was sent to (ours), so the
// natural auto-reply `mms send --to "$MMS_MESSAGE_FROM" --body Thanks` goes out from it.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

/** The event fields a hook's variables are made of. */
export interface ExecHookMessage {
  id: string;
  provider: string;
  from: string;
  to: string;
  body: string;
}

/** Configuration for the hook's own `mms` commands: the listener's profile, when it used a stored one. */
export interface ExecHookContext {
  profile?: string;
}

/** The variables a hook receives on top of the listener's environment. */
export function execHookEnv(ev: ExecHookMessage, savedPaths: string[], context: ExecHookContext = {}): Record<string, string> {
  return {
    MMS_EVENT: 'message',
    MMS_MESSAGE_PROVIDER: ev.provider,
    MMS_MESSAGE_ID: ev.id,
    MMS_MESSAGE_FROM: ev.from,
    MMS_MESSAGE_TO: ev.to,
    MMS_MESSAGE_BODY: ev.body,
    MMS_MESSAGE_MEDIA: savedPaths.join('\n'),
    // Configuration, not event data: `mms send` in the hook replies from the number that was texted,
    // with the account the listener uses.
    ...(ev.to !== '' ? { MMS_FROM: ev.to } : {}),
    ...(context.profile !== undefined ? { MMS_PROFILE: context.profile } : {}),
  };
}

/** How a hook run ended. */
export interface ExecHookResult {
  ok: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: string;
}

/** Runs `command` through the shell; resolves when it exits (killed when `signal` aborts or after timeoutMs). */
export function runExecHook(
  command: string,
  input: string,
  env: NodeJS.ProcessEnv,
  opts: { output: Writable; signal?: AbortSignal; timeoutMs?: number },
): Promise<ExecHookResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ExecHookResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, { shell: true, env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ ok: false, code: null, signal: null, error: (err as Error).message });
      return;
    }
    const onAbort = (): void => {
      child.kill('SIGTERM');
    };
    const timer = setTimeout(
      () => {
        child.kill('SIGKILL');
      },
      opts.timeoutMs ?? 5 * 60_000,
    );
    timer.unref();
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (d: Buffer) => opts.output.write(d));
    child.stderr!.on('data', (d: Buffer) => opts.output.write(d));
    // A hook that does not read stdin closes it early: EPIPE is not a failure of the hook.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input);
    child.once('error', (err) => done({ ok: false, code: null, signal: null, error: err.message }));
    child.once('close', (code, sig) => done({ ok: code === 0, code, signal: sig }));
  });
}
