// mms sandbox: run the local provider emulator (and its web phone) until Ctrl+C.
import { checkProfileName } from '../config/credentials.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { AppContext } from '../context.js';
import { CliError, ErrorCode, UsageError } from '../errors/errors.js';
import { ExitCode } from '../errors/exit-codes.js';
import { writeJson, writeNdjson } from '../output/json.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import { lineWidth } from '../output/status-line.js';
import { wrapUnits } from '../output/wrap.js';
import type { GlobalOptions } from './index.js';
import { parseFraction, parseLatency, parsePerSecond, parsePort, parsePositiveInt, parseSeconds } from './flags.js';
import type { SandboxMessage, StoreEvent } from '../sandbox/store.js';
import type { WebhookChaos } from '../sandbox/faults.js';

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
  webhookChaos?: string;
  data?: string;
  memory?: boolean;
  maxMessages?: string;
  resetCredentials?: boolean;
  showCredentials?: boolean;
}

function parseFaultFlags(o: SandboxCommandOptions) {
  return {
    ...(o.rateLimit ? { rateLimit: parsePerSecond(o.rateLimit, '--rate-limit') } : {}),
    ...(o.failRate ? { failRate: parseFraction(o.failRate, '--fail-rate') } : {}),
    ...(o.throttleRate ? { throttleRate: parseFraction(o.throttleRate, '--throttle-rate') } : {}),
    ...(o.resetRate ? { resetRate: parseFraction(o.resetRate, '--reset-rate') } : {}),
    ...(o.timeoutRate ? { timeoutRate: parseFraction(o.timeoutRate, '--timeout-rate') } : {}),
    ...(o.latency ? { latencyMs: parseLatency(o.latency, '--latency') } : {}),
    ...(o.webhookChaos ? { webhookChaos: parseWebhookChaos(o.webhookChaos) } : {}),
  };
}

function invalidChaos(message: string): UsageError {
  return new UsageError(message, { code: ErrorCode.INVALID_ARGUMENT });
}

/** --webhook-chaos "dup=5%,reorder=5%,late=2s[:10%]" as shares (0–1) and a delay in milliseconds. */
export function parseWebhookChaos(value: string): WebhookChaos {
  const chaos: WebhookChaos = {};
  for (const part of value.split(',')) {
    const [key, v = ''] = part.split('=').map((x) => x.trim());
    if (key === 'dup' || key === 'reorder') chaos[key] = parseFraction(v, `--webhook-chaos ${key}`);
    else if (key === 'late') {
      const m = /^(\d+(?:\.\d+)?)(ms|s)(?::(.+))?$/.exec(v);
      if (!m) throw invalidChaos(`--webhook-chaos late "${v}" must be a delay such as 2s or 500ms, or 2s:10% for a share`);
      chaos.lateMs = Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1));
      if (m[3] !== undefined) chaos.late = parseFraction(m[3], '--webhook-chaos late share');
    } else throw invalidChaos(`--webhook-chaos "${value}" must look like dup=5%,reorder=5%,late=2s`);
  }
  return chaos;
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
    // The same rule as `mms login`: checked before anything is written.
    const name = checkProfileName(sb.dialects.get(provider)?.primary ? base : `${base}-${provider}`, '--save-profile');
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

/** Messages a data directory keeps by default (--max-messages). */
const DEFAULT_KEPT = 1000;

/** Where this run keeps things, for the banner. */
export interface Kept {
  credentialsFile: string;
  credentialsCreated: boolean;
  dataDir: string | undefined;
  /** Undefined: the store's own bound (--memory keeps today's 200,000). */
  maxMessages: number | undefined;
}

/** Words of a phrase, as units for wrapUnits(). */
const words = (text: string): string[] => text.split(' ').filter((w) => w !== '');

/** One banner row: a label (15 columns with its indent) and the units of its text. */
interface BannerRow {
  label: string;
  units: string[];
}

/** The credentials (--show-credentials) as units per provider; a PEM key is not poured into the terminal. */
function credentialUnits(info: SandboxInfo, kept: Kept): string[][] {
  return Object.entries(info.providers).map(([name, p]) => [
    `${name}:`,
    ...Object.entries(p.credentials).flatMap(([k, v], i) => {
      const value = v.includes('\n') ? [...words('(PEM key: see'), `${kept.credentialsFile})`] : [v];
      return [i === 0 ? k : ` ${k}`, ...value];
    }),
  ]);
}

/** The rows between the title and the last line. */
function bannerRows(info: SandboxInfo, savedProfiles: string[], kept: Kept, showCredentials: boolean): BannerRow[] {
  const numbers = Object.entries(info.providers).map(([name, p]) => `${name} ${p.numbers[0]}`);
  const rows: BannerRow[] = [
    { label: 'web phone', units: [`${info.origin}/`] },
    {
      label: 'base URLs',
      units: [`${info.origin}/<provider>`, ...words(`(${Object.keys(info.providers).join(', ')})`).map((w, i) => (i === 0 ? ` ${w}` : w))],
    },
  ];
  // Three providers a row keeps the piped banner within 100 columns.
  for (let i = 0; i < numbers.length; i += 3) {
    const group = numbers.slice(i, i + 3);
    rows.push({ label: i === 0 ? 'numbers' : '', units: group.map((n, j) => (j < group.length - 1 ? `${n},` : n)) });
  }
  const made = kept.credentialsCreated ? 'new' : 'same as last time';
  const hint = showCredentials ? [] : words('(--show-credentials prints them)');
  rows.push({ label: 'credentials', units: [...words(`${made}, kept in`), kept.credentialsFile, ...hint] });
  const messages = kept.dataDir
    ? [...words('kept in'), kept.dataDir, ...words(`(last ${kept.maxMessages ?? DEFAULT_KEPT})`)]
    : words('in memory only (--memory)');
  const savedProfile = savedProfiles[0];
  const profiles = savedProfile
    ? [
        ...savedProfiles.map((n, i) => `"${n}"${i < savedProfiles.length - 1 ? ',' : ':'}`),
        'try',
        ...words(`mms send --profile ${savedProfile} --to +15551234567 --body hi`).map((w, i) => (i === 0 ? ` ${w}` : w)),
      ]
    : words('none saved: --save-profile writes one per provider');
  return [...rows, { label: 'messages', units: messages }, { label: 'profiles', units: profiles }];
}

/**
 * The human banner, fitted to `width` columns (a terminal's usable width; Infinity when stderr is
 * piped: one line per row, as it has always been). Lines break at spaces only: a URL, a path or a
 * "provider number" pair is never cut, it moves to a line of its own instead. At most 12 lines when
 * piped, and no secrets unless --show-credentials.
 */
export function bannerLines(
  info: SandboxInfo,
  savedProfiles: string[],
  kept: Kept,
  showCredentials: boolean,
  width: number,
): { title: string[]; body: string[] } {
  const title = wrapUnits([...words('mms sandbox listening on'), info.origin], width);
  const indent = ' '.repeat(15);
  const body: string[] = [];
  const rows = bannerRows(info, savedProfiles, kept, showCredentials);
  const credentialsRow = rows.findIndex((r) => r.label === 'credentials');
  for (const [i, row] of rows.entries()) {
    body.push(...wrapUnits(row.units, width, `  ${row.label.padEnd(13)}`, indent));
    if (i === credentialsRow && showCredentials) for (const units of credentialUnits(info, kept)) body.push(...wrapUnits(units, width, '  ', '    '));
  }
  body.push(...wrapUnits(words('Press Ctrl+C to stop.'), width));
  return { title, body };
}

/** The ready line (--json, secrets included: scripts need them) or the human banner (bannerLines). */
function printReady(ctx: AppContext, info: SandboxInfo, savedProfiles: string[], kept: Kept, showCredentials: boolean): void {
  const { io } = ctx;
  const savedProfile = savedProfiles[0];
  if (io.json) {
    const where = {
      webPhone: `${info.origin}/`,
      credentialsFile: kept.credentialsFile,
      credentialsCreated: kept.credentialsCreated,
      dataDir: kept.dataDir ?? null,
    };
    writeNdjson(io, { type: 'ready', ...info, ...where, ...(savedProfile ? { profile: savedProfile, profiles: savedProfiles } : {}) });
    return;
  }
  // Fitted to a terminal, as `mms providers` notes are; piped, one line per row (grep-able).
  const width = io.stderrIsTTY ? lineWidth(io.stderr as { columns?: number }) : Number.POSITIVE_INFINITY;
  // On a terminal, paths under the home directory are shown as ~/…: the default ones then fit 40 columns.
  const home = ctx.env.HOME;
  const tilde = (p: string): string => (io.stderrIsTTY && home && home !== '/' && p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p);
  const shown: Kept = { ...kept, credentialsFile: tilde(kept.credentialsFile), dataDir: kept.dataDir === undefined ? undefined : tilde(kept.dataDir) };
  const { title, body } = bannerLines(info, savedProfiles, shown, showCredentials, width);
  for (const line of title) io.info(ctx.errTheme.success(line));
  for (const line of body) io.info(line);
}

/** One line (or NDJSON event) per new message and per notable status change. */
function printEvent(ctx: AppContext, e: StoreEvent): void {
  const { io } = ctx;
  if (e.type === 'message.created') {
    const m = e.message;
    if (io.json) writeNdjson(io, { type: 'message', message: m });
    else
      io.out(`${new Date().toISOString()}  ${m.provider}  ${m.id}  ${m.from} → ${m.to}  ${m.media.length} media  ${sanitizeForTerminal(m.body).slice(0, 60)}`);
  } else if (e.type === 'message.status') {
    const m = e.message;
    if (io.json) writeNdjson(io, { type: 'status', id: m.id, provider: m.provider, status: m.status, errorCode: m.errorCode ?? null });
    else if (!QUIET_STATUSES.includes(m.status)) {
      io.out(
        `${new Date().toISOString()}  ${m.provider}  ${m.id}  ${m.status}${m.errorCode !== undefined ? ` (${m.errorCode}: ${sanitizeForTerminal(m.errorMessage ?? '')})` : ''}`,
      );
    }
  }
}

// Intermediate statuses that the human output leaves out.
const QUIET_STATUSES = ['queued', 'accepted', 'sending', 'sent', 'received'];

/** Starts the sandbox with the command's flags; a busy port or data directory is a usage error. */
async function start(
  ctx: AppContext,
  o: SandboxCommandOptions,
  kept: Omit<Kept, 'credentialsCreated'>,
  port: number,
  stepDelay: number,
): Promise<RunningSandbox> {
  const mod = await import('../sandbox/server.js');
  const { DataDirInUseError } = await import('../sandbox/persist-record.js');
  try {
    return await mod.startSandbox({
      host: o.host,
      port,
      allowRemoteMedia: Boolean(o.fetchRemoteMedia),
      stepDelayMs: stepDelay,
      faults: parseFaultFlags(o),
      log: (line) => ctx.io.debugLog(line),
      // A damaged saved file: the reason may quote the file's own bytes.
      warn: (line) => ctx.io.warn(sanitizeForTerminal(line)),
      credentialsFile: kept.credentialsFile,
      resetCredentials: Boolean(o.resetCredentials),
      ...(kept.dataDir ? { dataDir: kept.dataDir } : {}),
      ...(kept.maxMessages !== undefined ? { maxMessages: kept.maxMessages } : {}),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`Port ${port} is already in use`, {
        code: ErrorCode.INVALID_ARGUMENT,
        suggestion: 'Pick another with --port, or --port 0 for a free one',
      });
    }
    if (err instanceof DataDirInUseError) {
      throw new UsageError(`The sandbox data directory ${err.dir} is used by another running sandbox (pid ${err.pid})`, {
        code: ErrorCode.INVALID_ARGUMENT,
        suggestion: 'Stop it, or start this one with --data <dir> or --memory',
      });
    }
    throw err;
  }
}

/** The action of `mms sandbox`: start, announce, follow the record until Ctrl+C, stop once. */
async function runSandbox(ctx: AppContext, o: SandboxCommandOptions): Promise<void> {
  // Silent for hours once started: notice a reader that went away without writing (as `mms listen`).
  ctx.onExit(ctx.io.watchOutputClosed());
  const port = parsePort(o.port);
  const stepDelay = Number(o.stepDelay);
  if (!Number.isFinite(stepDelay) || stepDelay < 0)
    throw new UsageError(`--step-delay "${o.stepDelay}" must be a number of milliseconds`, { code: ErrorCode.INVALID_ARGUMENT });
  // Retention bounds what is kept on disk; --memory keeps today's behaviour unless told otherwise.
  const maxMessages = o.maxMessages !== undefined ? parsePositiveInt(o.maxMessages, '--max-messages', 1_000_000) : o.memory ? undefined : DEFAULT_KEPT;
  const { configDir } = await import('../config/store.js');
  const { sandboxPaths, writeSandboxState, removeSandboxState } = await import('../sandbox/persist-paths.js');
  const paths = sandboxPaths(configDir(ctx.env));
  const dataDir = o.memory ? undefined : resolve(o.data ?? paths.defaultDataDir);
  const sb = await start(ctx, o, { credentialsFile: paths.credentialsFile, dataDir, maxMessages }, port, stepDelay);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await sb.close();
    await removeSandboxState(paths.stateFile);
  };
  ctx.onExit(stop);
  await writeSandboxState(paths.stateFile, { origin: sb.origin, pid: process.pid, startedAt: new Date().toISOString(), dataDir: dataDir ?? null });
  const info = sb.info();
  const savedProfiles = o.saveProfile ? await saveProfiles(ctx, sb, typeof o.saveProfile === 'string' ? o.saveProfile : 'sandbox') : [];
  const kept = { credentialsFile: paths.credentialsFile, credentialsCreated: sb.credentialsCreated, dataDir, maxMessages };
  printReady(ctx, info, savedProfiles, kept, Boolean(o.showCredentials));
  const unsubscribe = sb.store.subscribe((e) => printEvent(ctx, e));
  await new Promise<void>((done) => {
    if (ctx.signal.aborted) done();
    ctx.signal.addEventListener('abort', () => done(), { once: true });
  });
  // Stop here rather than in the exit cleanups: no event line after this one, and the record is
  // written before the process goes. The run then ends normally: one Ctrl+C, exit 0.
  unsubscribe();
  await stop();
  ctx.io.info('Sandbox stopped.');
}

/** `mms sandbox`. */
export function createSandboxCommand(ctx: AppContext): Command {
  const cmd = new Command('sandbox')
    .description("run a local emulator of the providers' APIs (no account, no internet)")
    .option('--port <port>', 'port to listen on (0 picks a free one)', '4780')
    .addOption(new Option('--host <host>', 'loopback address to bind').choices(['127.0.0.1', '::1', 'localhost']).default('127.0.0.1'))
    .option('--save-profile [name]', 'write a profile (default name "sandbox") pointing at this sandbox')
    .option('--data <dir>', 'keep messages, media and the webhook log in this directory (default: under the config directory)')
    .option('--memory', 'keep nothing across restarts (messages live in memory only)', false)
    .option('--max-messages <n>', `messages kept, the oldest pruned first (default: ${DEFAULT_KEPT}; with --memory 200000)`)
    .option('--reset-credentials', 'make new sandbox credentials (saved profiles pointing here stop working)', false)
    .option('--show-credentials', 'print the credentials in the start-up banner', false)
    .option('--fetch-remote-media', 'let the sandbox fetch media from non-loopback URLs (off: it stays offline)', false)
    .option('--step-delay <ms>', 'delay between simulated delivery steps', '50')
    .option('--rate-limit <n/s>', "answer message requests beyond this rate with the provider's 429")
    .option('--fail-rate <fraction>', "answer this share of message requests with the provider's 500 (e.g. 5%)")
    .option('--throttle-rate <fraction>', "answer this share of message requests with the provider's 429")
    .option('--reset-rate <fraction>', 'reset the connection after creating this share of messages')
    .option('--timeout-rate <fraction>', 'never answer this share of message requests (the message is created)')
    .option('--latency <ms[-ms]>', 'added latency per request')
    .option('--webhook-chaos <spec>', 'duplicate, reorder and delay webhooks, e.g. dup=5%,reorder=5%,late=2s (off by default)')
    .addHelpText(
      'after',
      `
Open the printed origin in a browser for the web phone. Credentials stay the same across restarts
(--reset-credentials makes new ones); messages are kept in the data directory unless --memory.
GET <origin>/_sandbox/messages lists them as JSON.

Examples:
  $ mms sandbox --save-profile          # then: mms send --profile sandbox --to +15551234567 --body hi
  $ mms sandbox --port 0 --json | head -1 | jq .providers.twilio
  $ mms sandbox --memory --rate-limit 200/s --fail-rate 5% --reset-rate 1%`,
    )
    .action(async (_o, c: Command) => runSandbox(ctx, c.optsWithGlobals<SandboxCommandOptions>()));
  cmd.addCommand(createSandboxWaitCommand(ctx));
  cmd.addCommand(createSandboxInboundCommand(ctx));
  return cmd;
}

// ---- clients of a running sandbox: `mms sandbox wait` and `mms sandbox inbound` ----

interface ClientOptions extends GlobalOptions {
  url?: string;
}

/** The running sandbox's origin: --url, else the state file the sandbox wrote at start. */
async function findSandbox(ctx: AppContext, url: string | undefined): Promise<string> {
  if (url) {
    if (!/^https?:\/\/[^/]+\/?$/.test(url))
      throw new UsageError(`--url "${url}" must be a sandbox origin such as http://127.0.0.1:4780`, { code: ErrorCode.INVALID_ARGUMENT });
    return url.replace(/\/$/, '');
  }
  const { configDir } = await import('../config/store.js');
  const { sandboxPaths, readSandboxState } = await import('../sandbox/persist-paths.js');
  const state = await readSandboxState(sandboxPaths(configDir(ctx.env)).stateFile);
  if (!state)
    throw new UsageError('No running sandbox found', { code: ErrorCode.INVALID_ARGUMENT, suggestion: 'Start one with `mms sandbox`, or pass --url <origin>' });
  return state.origin;
}

/** One request to the sandbox's admin API; an unreachable sandbox is exit 7. */
async function callSandbox(ctx: AppContext, origin: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(`${origin}/_sandbox${path}`, { ...init, signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new CliError(ErrorCode.NETWORK_ERROR, ExitCode.UNAVAILABLE, `Cannot reach the sandbox at ${origin}: ${(err as Error).message}`, {
      suggestion: 'Is `mms sandbox` running? Pass its origin with --url',
    });
  }
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

/** A message as one human line (outside text sanitised). */
function messageLine(m: SandboxMessage): string {
  return `${m.createdAt}  ${m.provider}  ${m.id}  ${m.from} → ${m.to}  ${m.media.length} media  ${sanitizeForTerminal(m.body).slice(0, 60)}`;
}

interface WaitOptions extends ClientOptions {
  to?: string;
  from?: string;
  since?: string;
  timeout: string;
}

/** Long-polls until a message matches or the timeout passes (exit 8). */
async function runWait(ctx: AppContext, o: WaitOptions): Promise<void> {
  if (!o.to && !o.from) throw new UsageError('Pass --to or --from (or both)', { code: ErrorCode.MISSING_ARGUMENT });
  const timeoutMs = parseSeconds(o.timeout, '--timeout') * 1000;
  ctx.onExit(ctx.io.watchOutputClosed());
  const origin = await findSandbox(ctx, o.url);
  const query = new URLSearchParams();
  for (const [k, v] of [
    ['to', o.to],
    ['from', o.from],
    ['since', o.since],
  ] as const)
    if (v) query.set(k, v);
  const deadline = Date.now() + timeoutMs;
  for (let left = timeoutMs; left > 0; left = deadline - Date.now()) {
    // The sandbox answers a long poll after at most 120 s; ask for less and loop.
    query.set('wait', `${Math.min(left, 60_000)}ms`);
    const { status, body } = await callSandbox(ctx, origin, `/messages?${query.toString()}`);
    if (status !== 200) throw new UsageError(`The sandbox refused the query: ${String(body.error ?? status)}`, { code: ErrorCode.INVALID_ARGUMENT });
    const found = (body.messages as SandboxMessage[] | undefined) ?? [];
    const m = found[found.length - 1];
    if (m) {
      if (ctx.io.json) writeJson(ctx.io, m);
      else ctx.io.out(messageLine(m));
      return;
    }
  }
  const who = [o.from ? `from ${o.from}` : '', o.to ? `to ${o.to}` : ''].filter(Boolean).join(' ');
  throw new CliError(ErrorCode.TIMEOUT, ExitCode.PENDING, `No message ${who} within ${o.timeout} s`, { suggestion: 'Raise --timeout, or check the number' });
}

/** Help of a `mms sandbox` client lists the program's global flags, not the server's own flags. */
const PROGRAM_FLAGS_ONLY = {
  visibleGlobalOptions: (cmd: Command) => {
    let root = cmd;
    while (root.parent) root = root.parent;
    return root.options.filter((o) => !o.hidden);
  },
};

/** `mms sandbox wait`. */
function createSandboxWaitCommand(ctx: AppContext): Command {
  return new Command('wait')
    .configureHelp(PROGRAM_FLAGS_ONLY)
    .description('wait until the running sandbox has a message to (or from) a number, then print it')
    .option('--to <number>', 'recipient to wait for')
    .option('--from <number>', 'sender to wait for')
    .option('--since <iso-time>', 'only messages created at or after this time')
    .option('--timeout <seconds>', 'how long to wait', '10')
    .option('--url <origin>', 'the sandbox to ask (default: the one running under this config directory)')
    .addHelpText(
      'after',
      `
Exits 0 with the newest matching message (one JSON document with --json), or 8 when none came in
time. Messages kept from earlier runs match too: pass --since with a time taken before your send.

Examples:
  $ mms sandbox wait --to +15551234567 --timeout 10
  $ mms sandbox wait --from +15005550006 --json | jq -r .body
  $ t=$(date -u +%FT%TZ); mms send --profile sandbox --to +15557770001 --body hi
  $ mms sandbox wait --to +15557770001 --since "$t"`,
    )
    .action(async (_o, c: Command) => runWait(ctx, c.optsWithGlobals<WaitOptions>()));
}

interface InboundOptions extends ClientOptions {
  to: string;
  from: string;
  body?: string;
  media: string[];
}

/** Reads --media files (type from content and extension) as the admin API's base64 items. */
async function readMediaFiles(paths: string[]): Promise<Array<{ contentType: string; data: string }>> {
  if (paths.length === 0) return [];
  const { resolveMedia } = await import('../media/resolve.js');
  const caps = {
    maxMedia: 10,
    maxTotalBytes: 25 * 1024 * 1024,
    maxFileBytes: 25 * 1024 * 1024,
    mediaTypes: ['image/*', 'audio/*', 'video/*', 'application/*', 'text/*'],
    mediaTransport: 'upload' as const,
  };
  const resolved = await resolveMedia(
    paths,
    { ...caps, maxBodyChars: 1600, statusLookup: false, statusCallbacks: false, signature: '', defaultRatePerSecond: 1 },
    'sandbox',
  );
  const urls = resolved.items.filter((i) => i.kind !== 'file');
  if (resolved.problems.length > 0 || urls.length > 0) {
    const messages = [...resolved.problems.map((p) => p.message), ...urls.map((u) => `--media ${u.input}: give a file (the sandbox injects local files)`)];
    throw new UsageError(messages.join('; '), { code: ErrorCode.INPUT_INVALID });
  }
  return Promise.all(
    resolved.items.map(async (i) => ({ contentType: i.contentType ?? 'application/octet-stream', data: (await readFile(i.path!)).toString('base64') })),
  );
}

/** Injects one inbound message into the running sandbox and reports its webhook delivery. */
async function runInbound(ctx: AppContext, o: InboundOptions): Promise<void> {
  const media = await readMediaFiles(o.media);
  const origin = await findSandbox(ctx, o.url);
  const payload = { to: o.to, from: o.from, body: o.body ?? '', media };
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) };
  const { status, body } = await callSandbox(ctx, origin, '/inbound', init);
  if (status !== 201) throw new UsageError(`The sandbox refused the message: ${String(body.error ?? status)}`, { code: ErrorCode.INVALID_ARGUMENT });
  const m = body.message as SandboxMessage;
  const hooks = (body.webhooks as Array<{ url: string; status?: number; error?: string }> | undefined) ?? [];
  if (ctx.io.json) return writeJson(ctx.io, { message: m, webhooks: hooks });
  ctx.io.out(messageLine(m));
  if (hooks.length === 0) ctx.io.info(`No webhook is configured for ${m.to}: the message is stored only`);
  for (const h of hooks) ctx.io.info(`webhook ${h.url} → ${h.status ?? sanitizeForTerminal(h.error ?? '')}`);
}

/** `mms sandbox inbound`. */
function createSandboxInboundCommand(ctx: AppContext): Command {
  return new Command('inbound')
    .configureHelp(PROGRAM_FLAGS_ONLY)
    .description("send a message from a handset to a sandbox number: delivered as the provider's signed inbound webhook")
    .requiredOption('--to <number>', 'the sandbox number that receives it')
    .requiredOption('--from <number>', 'the handset number it comes from')
    .option('--body <text>', 'message text')
    .option('--media <file>', 'attach a file (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--url <origin>', 'the sandbox to use (default: the one running under this config directory)')
    .addHelpText(
      'after',
      `
Examples:
  $ mms sandbox inbound --to +15005550006 --from +15551234567 --body "hello"
  $ mms sandbox inbound --to +15557770011 --from +15551234567 --media cat.jpg --json`,
    )
    .action(async (_o, c: Command) => runInbound(ctx, c.optsWithGlobals<InboundOptions>()));
}
