// The shapes of the listen flow: what the command asks for, what the service needs from outside
// (ports), what it reports while it runs (events) and what it returns.
import type { Writable } from 'node:stream';
import type { InboundMedia, WebhookEvent } from '../../core/types.js';
import type { CliError } from '../../errors/errors.js';
import type { ProviderAdapter, ProviderCallContext, WebhookRequest } from '../../providers/types.js';
import type { EndpointOptions, PublicEndpoint } from '../../webhook/endpoint.js';
import type { WebhookKind } from '../../webhook/intake.js';
import type { EventLog } from '../events/store.js';
import type { ForwardAttempt } from '../forward/forward.js';
import type { RestoreRecord } from '../../webhook/restore-file.js';
import type { TunnelChoice } from '../../webhook/tunnel/select.js';
import type { Tunnel } from '../../webhook/tunnel/types.js';

/** A media item of an inbound message, after --save-media. */
export interface ListenMedia extends InboundMedia {
  /** Where --save-media wrote it. */
  path?: string;
  /** Why it could not be saved. */
  saveError?: string;
}

/** An inbound message as `mms listen` reports it. */
export type ListenMessageEvent = Omit<Extract<WebhookEvent, { type: 'message' }>, 'media'> & {
  media: ListenMedia[];
  /** True when catch-up (--since, or after a tunnel gap) read it from the provider's log: its webhook never reached a listener. */
  recovered?: boolean;
};
/** A delivery receipt as `mms listen` reports it. */
export type ListenStatusEvent = Extract<WebhookEvent, { type: 'status' }>;
export type ListenEvent = ListenMessageEvent | ListenStatusEvent;

/** What the listener tells a script once it is ready. */
export interface ListeningInfo {
  provider: string;
  /** Public base URL (no trailing slash). */
  url: string;
  inboundUrl: string;
  statusUrl: string;
  via: string;
  number: string | null;
  /** True when --number pointed the number's inbound webhook here. */
  numberConfigured: boolean;
  verify: boolean;
}

/**
 * Everything the listener has to say to people besides events, as data: the renderer words it.
 * Texts that came from outside (reasons, user agents, descriptions) are raw here.
 */
export type ListenNotice =
  | { type: 'insecure' }
  | { type: 'endpoint'; line: string }
  | { type: 'request-rejected'; method: string; path: string; status: number; reason: string }
  | { type: 'handler-failed'; route: string; message: string }
  | { type: 'signature-rejected'; kind: 'inbound' | 'status'; client: string }
  | { type: 'unparseable'; kind: 'inbound' | 'status'; message: string }
  | { type: 'number-pointed'; number: string; description: string }
  | { type: 'manual-action'; description: string }
  | { type: 'manual-reminder'; number: string }
  | { type: 'number-restored'; number: string }
  | { type: 'restore-failed'; error: CliError }
  | { type: 'tunnel-lost'; message: string }
  | { type: 'exec-failed'; id: string; error?: string; signal: NodeJS.Signals | null; code: number | null }
  | { type: 'processing-failed'; id: string; message: string }
  | { type: 'report-failed'; message: string }
  | { type: 'catch-up-unsupported'; reason: string }
  | { type: 'catch-up'; recovered: number; skipped: number; since: string; truncated: boolean }
  | { type: 'catch-up-failed'; message: string };

/** A webhook forwarded to the app (--forward-to) and the app's answer. */
export interface ForwardReport {
  type: 'forward';
  kind: WebhookKind;
  provider: string;
  /** The event log id (`mms events show`), or null when the log is off. */
  logId: string | null;
  /** What the webhook carried (a Bandwidth or Sinch webhook may carry several, a Telnyx one none we know). */
  events: Array<{ type: 'message' | 'status'; id: string; from?: string; to?: string; media?: number; status?: string }>;
  attempt: ForwardAttempt;
}

/**
 * The tunnel dropped, came back, or could not be brought back (`mms listen --json`: a `type: "tunnel"`
 * line). `lost`: the listener re-opens it; `reconnected`: re-opened (maybe at a new URL, the number
 * re-pointed); `resumed`: the backend reconnected by itself after a gap (same URL); `gave-up`: the
 * attempts ran out (the run ends with exit 7).
 */
export interface TunnelReport {
  type: 'tunnel';
  state: 'lost' | 'reconnected' | 'resumed' | 'gave-up';
  /** The backend (`ngrok`, `cloudflared`, `localtunnel`). */
  via: string;
  /** When this happened, ISO 8601 UTC. */
  at: string;
  /** lost, gave-up: why (the backend's words, or the last attempt's error). */
  message?: string;
  /** reconnected, resumed: the public base URL now, and whether it changed. */
  url?: string;
  urlChanged?: boolean;
  inboundUrl?: string;
  statusUrl?: string;
  /** reconnected: true when --number's webhook was pointed at the new URL. */
  numberRepointed?: boolean;
  /** reconnected, gave-up: attempts made. */
  attempts?: number;
  /** reconnected, resumed: how long nobody could reach the listener. */
  durationMs?: number;
  /** reconnected, resumed: whether the messages of the gap are read back from the provider's log ('none' without --number). */
  recovery?: 'catch-up' | 'unavailable' | 'none';
  /** recovery 'unavailable': why (e.g. the provider keeps no readable log). */
  recoveryNote?: string;
}

/** Where the listener reports as it goes (the command renders; tests collect). */
export interface ListenEvents {
  listening(info: ListeningInfo): void;
  event(ev: ListenEvent): void;
  notice(n: ListenNotice): void;
  /** A webhook was forwarded and answered (or failed): with --forward-to only. */
  forwarded?(r: ForwardReport): void;
  /** The event log could not be written (the webhook itself was handled). */
  eventLogFailed?(message: string): void;
  /** The tunnel dropped, came back, or was given up on. */
  tunnel?(r: TunnelReport): void;
}

export type StopReason = 'count' | 'timeout' | 'signal' | 'tunnel-lost';

/** How a listener run ended. */
export interface ListenOutcome {
  reason: StopReason;
  messages: number;
  statuses: number;
  rejected: number;
  count?: number;
}

/** What the command asks for (flags, parsed). */
export interface ListenRequest {
  port: number;
  tunnel?: TunnelChoice;
  publicUrl?: string;
  tunnelHost?: string;
  /** E.164: point this number's inbound webhook here while the run lasts. */
  number?: string;
  /** --since (needs number): recover the messages the provider's log holds from this time on. */
  since?: Date;
  saveMedia?: string;
  exec?: string;
  count?: number;
  timeoutS?: number;
  skipVerify: boolean;
  /** --forward-to / --forward-inbound-to / --forward-status-to: where each kind of webhook goes on to. */
  forward?: { inbound?: string; status?: string; timeoutMs?: number };
  /** How many accepted webhooks the event log keeps (0: no log; default 1,000). */
  keepEvents?: number;
  /** --keep-events-days: the event log also drops events older than this (default: no age limit). */
  keepEventsDays?: number;
}

/** The account a run uses. */
export interface ListenAccount {
  adapter: ProviderAdapter;
  /** For the run's API calls (tied to Ctrl+C). */
  callContext: ProviderCallContext;
  /** For cleanup calls: not tied to Ctrl+C (which already fired), bounded by the client's timeout. */
  cleanupContext(): ProviderCallContext;
  /** The stored profile that is used, if any (recorded in the restore file for --restore). */
  profile?: string;
}

/** A pass-through today; a replay cache (issue 9) answers true for a request it has seen. */
export type DuplicateCheck = (req: WebhookRequest) => boolean;

/** What the listen flow needs from the outside world. */
export interface ListenPorts {
  account: ListenAccount;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl+C/SIGTERM (reason: a cancellation) or by an unexpected error (reason: that error). */
  signal: AbortSignal;
  /** Registers a cleanup cli.ts runs before the process exits, whatever happens to this run. */
  onExit(fn: () => Promise<void>): void;
  /** Where --exec hooks' stdout and stderr go (our stderr: stdout stays data). */
  hookOutput: Writable;
  /** The text an --exec hook gets on stdin for a message. */
  hookInput(ev: ListenMessageEvent): string;
  /** Starts the server and its public URL (default: webhook/endpoint.ts). */
  openEndpoint?: (opts: EndpointOptions) => Promise<PublicEndpoint>;
  /** Schedules the --timeout stop; returns a cancel function (default: setTimeout). */
  setTimer?: (ms: number, fn: () => void) => () => void;
  isDuplicate?: DuplicateCheck;
  /** Schedules a forward's timeout; returns a cancel function (default: setTimeout). */
  forwardTimer?: (ms: number, fn: () => void) => () => void;
  /** The event log (default: `<config dir>/events`, bounded by request.keepEvents). */
  eventLog?: EventLog;
  /** How a lost tunnel is re-opened (defaults: see ReconnectPorts). */
  reconnect?: ReconnectPorts;
  /** The clock (default: new Date()): gap times, catch-up windows. */
  now?: () => Date;
}

/** A tunnel re-opened to the listener's port. */
export interface ReopenedTunnel {
  tunnel: Tunnel;
  /** Public base URL, no trailing slash. */
  publicUrl: string;
  warnings: string[];
}

/** How a lost tunnel is re-opened: tests inject a fake tunnel and a clock. */
export interface ReconnectPorts {
  /** Opens a new tunnel to the local port (default: the backend the flags chose, started again). */
  open?(localPort: number, signal: AbortSignal): Promise<ReopenedTunnel>;
  /** Waits between attempts; returns a cancel function (default: setTimeout). */
  setTimer?(ms: number, fn: () => void): () => void;
  /** Waits before each attempt (default RECONNECT_DELAYS_MS: 8 attempts over about 2 minutes). */
  delaysMs?: readonly number[];
  /** Gives up once this long has passed since the drop, whatever attempts remain (default 5 minutes). */
  giveUpAfterMs?: number;
}

/** What `mms listen --restore` did. */
export interface RestoreOutcome {
  restored: Array<{ provider: string; number: string; description: string }>;
  skipped: Array<{ provider?: string; number?: string; path: string; reason: string }>;
  failed: Array<{ provider: string; number: string; path: string; error: { code: string; message: string } }>;
}

/** What `--restore` needs from outside: the account a restore record was made with. */
export interface RestorePorts {
  env: NodeJS.ProcessEnv;
  loadAccount(rec: RestoreRecord): Promise<Pick<ListenAccount, 'adapter' | 'cleanupContext'>>;
}
