// mms sandbox: run the local provider emulator until Ctrl+C.
import { Command, Option } from 'commander';
import type { AppContext } from '../context.js';
import { ErrorCode, UsageError } from '../errors/errors.js';
import { writeNdjson } from '../output/json.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import type { GlobalOptions } from './index.js';
import { parseFraction, parseLatency, parsePerSecond, parsePort } from './flags.js';
import type { StoreEvent } from '../sandbox/store.js';

export interface SandboxCommandOptions extends GlobalOptions {
  port: string;
  host: string;
  saveProfile?: string | boolean;
  fetchRemoteMedia?: boolean;
  stepDelay: string;
  rateLimit?: string;
  failRate?: string;
  throttleRate?: string;
  resetRate?: string;
  timeoutRate?: string;
  latency?: string;
}

function parseFaultFlags(o: SandboxCommandOptions) {
  return {
    ...(o.rateLimit ? { rateLimit: parsePerSecond(o.rateLimit, '--rate-limit') } : {}),
    ...(o.failRate ? { failRate: parseFraction(o.failRate, '--fail-rate') } : {}),
    ...(o.throttleRate ? { throttleRate: parseFraction(o.throttleRate, '--throttle-rate') } : {}),
    ...(o.resetRate ? { resetRate: parseFraction(o.resetRate, '--reset-rate') } : {}),
    ...(o.timeoutRate ? { timeoutRate: parseFraction(o.timeoutRate, '--timeout-rate') } : {}),
    ...(o.latency ? { latencyMs: parseLatency(o.latency, '--latency') } : {}),
  };
}

type RunningSandbox = import('../sandbox/server.js').Sandbox;
type SandboxInfo = import('../sandbox/server.js').SandboxInfo;

/**
 * Writes one profile per dialect pointing at the sandbox: the primary dialect (Twilio) under
 * `base`, the others under `<base>-<provider>`. Returns the names in the sandbox's dialect order.
 */
async function saveProfiles(ctx: AppContext, sb: RunningSandbox, base: string): Promise<string[]> {
  const store = ctx.store();
  const cfg = store.readConfig();
  const creds = store.readCredentials();
  const { getAdapter } = await import('../providers/registry.js');
  const saved: string[] = [];
  for (const [provider, p] of Object.entries(sb.info().providers)) {
    const adapter = await getAdapter(provider);
    const name = sb.dialects.get(provider)?.primary ? base : `${base}-${provider}`;
    const fields: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    for (const f of adapter.credentialFields) {
      const v = p.credentials[f.key];
      if (v === undefined) continue;
      if (f.secret) secrets[f.key] = v;
      else fields[f.key] = v;
    }
    cfg.profiles[name] = { provider: adapter.name, from: p.defaultFrom, baseUrl: p.baseUrl, fields };
    creds.profiles[name] = secrets;
    saved.push(name);
  }
  if (!cfg.defaultProfile || !cfg.profiles[cfg.defaultProfile]) cfg.defaultProfile = base;
  await store.writeCredentials(creds);
  await store.writeConfig(cfg);
  return saved;
}

/** The ready line (--json) or the human summary of base URLs, credentials and numbers. */
function printReady(ctx: AppContext, info: SandboxInfo, savedProfiles: string[]): void {
  const { io } = ctx;
  const savedProfile = savedProfiles[0];
  if (io.json) {
    writeNdjson(io, { event: 'ready', ...info, ...(savedProfile ? { profile: savedProfile, profiles: savedProfiles } : {}) });
    return;
  }
  io.info(ctx.errTheme.success(`mms sandbox listening on ${info.origin}`));
  for (const [name, p] of Object.entries(info.providers)) {
    io.info(`  ${name}: base URL ${p.baseUrl}`);
    for (const [k, v] of Object.entries(p.credentials)) io.info(`    ${k} ${v}`);
    io.info(`    numbers ${p.numbers.join(', ')} (default from ${p.defaultFrom})`);
  }
  io.info(`  record: ${info.origin}/_sandbox/messages`);
  if (savedProfile)
    io.info(`  saved profiles ${savedProfiles.map((n) => `"${n}"`).join(', ')}: try  mms send --profile ${savedProfile} --to +15551234567 --body hello`);
  io.info('Press Ctrl+C to stop.');
}

/** One line (or NDJSON event) per new message and per notable status change. */
function printEvent(ctx: AppContext, e: StoreEvent): void {
  const { io } = ctx;
  if (e.type === 'message.created') {
    const m = e.message;
    if (io.json) writeNdjson(io, { event: 'message', message: m });
    else
      io.out(`${new Date().toISOString()}  ${m.provider}  ${m.id}  ${m.from} → ${m.to}  ${m.media.length} media  ${sanitizeForTerminal(m.body).slice(0, 60)}`);
  } else if (e.type === 'message.status') {
    const m = e.message;
    if (io.json) writeNdjson(io, { event: 'status', id: m.id, provider: m.provider, status: m.status, errorCode: m.errorCode ?? null });
    else if (!QUIET_STATUSES.includes(m.status)) {
      io.out(
        `${new Date().toISOString()}  ${m.provider}  ${m.id}  ${m.status}${m.errorCode !== undefined ? ` (${m.errorCode}: ${sanitizeForTerminal(m.errorMessage ?? '')})` : ''}`,
      );
    }
  }
}

// Intermediate statuses that the human output leaves out.
const QUIET_STATUSES = ['queued', 'accepted', 'sending', 'sent', 'received'];

/** `mms sandbox`. */
export function createSandboxCommand(ctx: AppContext): Command {
  return new Command('sandbox')
    .description("run a local emulator of the providers' APIs (no account, no internet)")
    .option('--port <port>', 'port to listen on (0 picks a free one)', '4780')
    .addOption(new Option('--host <host>', 'loopback address to bind').choices(['127.0.0.1', '::1', 'localhost']).default('127.0.0.1'))
    .option('--save-profile [name]', 'write a profile (default name "sandbox") pointing at this sandbox')
    .option('--fetch-remote-media', 'let the sandbox fetch media from non-loopback URLs (off: it stays offline)', false)
    .option('--step-delay <ms>', 'delay between simulated delivery steps', '50')
    .option('--rate-limit <n/s>', "answer message requests beyond this rate with the provider's 429")
    .option('--fail-rate <fraction>', "answer this share of message requests with the provider's 500 (e.g. 5%)")
    .option('--throttle-rate <fraction>', "answer this share of message requests with the provider's 429")
    .option('--reset-rate <fraction>', 'reset the connection after creating this share of messages')
    .option('--timeout-rate <fraction>', 'never answer this share of message requests (the message is created)')
    .option('--latency <ms[-ms]>', 'added latency per request')
    .addHelpText(
      'after',
      `
Messages are kept in memory; GET <origin>/_sandbox/messages lists them as JSON.

Examples:
  $ mms sandbox --save-profile          # then: mms send --profile sandbox --to +15551234567 --body hi
  $ mms sandbox --port 0 --json | head -1 | jq .providers.twilio
  $ mms sandbox --rate-limit 200/s --fail-rate 5% --reset-rate 1%`,
    )
    .action(async (_o, c: Command) => {
      const o = c.optsWithGlobals<SandboxCommandOptions>();
      const port = parsePort(o.port);
      const stepDelay = Number(o.stepDelay);
      if (!Number.isFinite(stepDelay) || stepDelay < 0)
        throw new UsageError(`--step-delay "${o.stepDelay}" must be a number of milliseconds`, { code: ErrorCode.INVALID_ARGUMENT });
      const mod = await import('../sandbox/server.js');
      const faults = parseFaultFlags(o);
      const { io } = ctx;
      let sb;
      try {
        sb = await mod.startSandbox({
          host: o.host,
          port,
          allowRemoteMedia: Boolean(o.fetchRemoteMedia),
          stepDelayMs: stepDelay,
          faults,
          log: (line) => io.debugLog(line),
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new UsageError(`Port ${port} is already in use`, {
            code: ErrorCode.INVALID_ARGUMENT,
            suggestion: 'Pick another with --port, or --port 0 for a free one',
          });
        }
        throw err;
      }
      ctx.onExit(() => sb.close());
      const info = sb.info();
      const savedProfiles = o.saveProfile ? await saveProfiles(ctx, sb, typeof o.saveProfile === 'string' ? o.saveProfile : 'sandbox') : [];
      printReady(ctx, info, savedProfiles);
      sb.store.subscribe((e) => printEvent(ctx, e));
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      io.info('Sandbox stopped.');
    });
}
