// The send flow's data: the typed request a command builds from its flags, the plan, the events it
// reports through, and the outcome it returns. Nothing here prints or reads anything.
import type { MediaItem, MessageStatus, RecipientResult } from '../../core/types.js';
import type { DispatchProgress, DispatchSummary, RetryNotice } from '../../core/send-runner.js';
import type { ErrorCodeValue } from '../../errors/errors.js';
import type { MediaFacts } from '../../media/fit/types.js';
import type { ProviderAdapter, ProviderCallContext } from '../../providers/types.js';
import type { RecipientList } from '../../recipients/list.js';
import type { TunnelChoice } from '../../webhook/tunnel/select.js';
import type { SendPorts } from './ports.js';
import type { StoredResults } from './result-file.js';

/** `mms send`, with every flag parsed and checked. */
export interface SendRequest {
  /** --to values, already split on commas. */
  to: string[];
  /** --to-file: a path, or "-" for stdin. */
  toFile?: string;
  /** --body: the text, or "-" for stdin. */
  body?: string;
  /** --body-file: a path, or "-" for stdin. */
  bodyFile?: string;
  /** --media: paths and URLs as typed. */
  media: string[];
  /** --default-country (the stored setting applies when absent). */
  defaultCountry?: string;
  skipInvalid: boolean;
  dryRun: boolean;
  concurrency: number;
  /** Messages per second for the whole run; absent: the provider's documented rate; Infinity: no limit. */
  ratePerSecond?: number;
  retryAmbiguous: boolean;
  journal?: string;
  /** HEAD-check media URLs before sending. */
  checkMedia: boolean;
  /** --wait: seconds to wait for delivery receipts. */
  waitSeconds?: number;
  /** How long local files stay served for the provider to fetch. */
  mediaTimeoutSeconds: number;
  /** How the provider reaches this machine (local files, receipts). */
  reach: { tunnel?: TunnelChoice; publicUrl?: string; tunnelHost?: string };
  statusCallback?: string;
  /**
   * Keep every result for the outcome: only --json's one document (and --wait's delivery lines) need them; without it a
   * run keeps counts, not results, and its memory stays flat however long the list. Without --wait they are kept in a
   * temporary file (`SendOutcome.stored`) when there are more than 50, so --json stays flat too; with --wait, in
   * memory (`results`).
   */
  collectResults: boolean;
  /** --fit (or `fit auto` in the config): make local media fit the carrier-safe budget, metadata stripped. */
  fit?: boolean;
  /** --fit-budget in bytes: replaces the carrier-safe target (still capped by the provider's limits). */
  fitBudgetBytes?: number;
  /** --strip-metadata: remove metadata (GPS included) from local JPEG/PNG (and video with ffmpeg) losslessly, without resizing. */
  stripMetadata?: boolean;
  /** --journal-repair: repair a damaged journal (keeping a backup) before using it. */
  journalRepair?: boolean;
}

/** I/O only the input and fit steps use, on top of SendPorts (all optional: real defaults apply). */
export interface SendInputPorts {
  /** Environment for the fit cache (XDG_CACHE_HOME, HOME) and ffmpeg (FFMPEG_PATH, PATH); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** stdin as a stream, so `--to-file -` is parsed in chunks; default: readStdin() as one chunk. */
  stdinChunks?: () => AsyncIterable<Buffer | string>;
}

/** What --fit did to one local file (for --dry-run and --json). */
export interface FitFileSummary {
  input: string;
  before: MediaFacts;
  after: MediaFacts;
  /** Empty when the file is sent as it is. */
  actions: string[];
  fromCache: boolean;
}

/** One problem found while validating input. */
export interface Problem {
  code: ErrorCodeValue;
  message: string;
  /** Stands for this many problems that are counted but not listed one by one (huge lists keep the first 100). */
  unlisted?: number;
}

/** What a run will do, once every input has been checked. */
export interface SendPlan {
  provider: string;
  profile: string;
  from?: string;
  /** Valid, de-duplicated recipients: counted, and read again (from a spill file for --to-file) each time it is iterated. */
  recipients: RecipientList;
  /** The first 100 invalid entries (`invalidCount` counts all of them). */
  invalid: Array<{ input: string; source: string; line?: number; reason: string }>;
  invalidCount: number;
  duplicates: number;
  body?: string;
  media: MediaItem[];
  warnings: string[];
  /** With --fit: each local file before → after, and the budget they were fitted to. */
  fit?: { budgetBytes: number; explain: string; files: FitFileSummary[] };
  ratePerSecond: number;
  concurrency: number;
}

/** Delivery status learned through --wait. */
export interface DeliveryInfo {
  status: MessageStatus | 'pending';
  providerStatus?: string;
  errorCode?: string | number;
}

/** What `sendMessages` returns. */
export interface SendOutcome {
  plan: SendPlan;
  dryRun: boolean;
  /** In list order, when kept in memory (--wait, or up to 50 recipients); empty otherwise. */
  results: RecipientResult[];
  /** Every result in list order, kept in a temporary file (--json without --wait, over 50 recipients): whoever renders it closes it. */
  stored?: StoredResults;
  summary: DispatchSummary | undefined;
  interrupted: boolean;
  /** id → delivery status, with --wait. */
  delivery?: Map<string, DeliveryInfo>;
  /** Recipients not accepted, by the exit code their error maps to (counted as results were reported; `results` may be empty). */
  failureExitCodes?: Map<number, number>;
  waited: boolean;
  /**
   * Why the run stopped before every recipient was tried although some were accepted (e.g. the journal
   * could not be written: JOURNAL_WRITE_FAILED, exit 9).
   */
  stopped?: { code: ErrorCodeValue; message: string };
}

/** How the flow reports while it runs (all optional; none of them may throw on purpose). */
export interface SendEvents {
  /** A line for people: reconciliation, tunnels, lost answers, warnings. */
  note?(line: string): void;
  /** Each recipient's final result, as it happens. */
  onResult?(result: RecipientResult): void;
  onProgress?(progress: DispatchProgress): void;
  /** Before each retry (the --debug log). */
  onRetry?(notice: RetryNotice): void;
}

/** Everything the steps after planning share. */
export interface SendRun {
  request: SendRequest;
  plan: SendPlan;
  adapter: ProviderAdapter;
  call: ProviderCallContext;
  from: string;
  ports: SendPorts;
  events: SendEvents;
}
