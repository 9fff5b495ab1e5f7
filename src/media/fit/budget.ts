// How many bytes of media one MMS may carry so that US carriers deliver it, combined with what the
// provider itself accepts. Pure: no I/O, no sharp.
//
// Carrier limits by sender type, as published (all three tables agree on these numbers):
// - Twilio: https://support.twilio.com/hc/en-us/articles/360018832773-Twilio-Programmable-SMS-Supported-File-Types-and-Size-Limits-for-MMS-Media-Messages
//   AT&T 1.0/0.6/0.6 MB, T-Mobile 1.5/0.6/1.0 MB, Verizon 1.0/0.6/1.2 MB (long code/toll-free/short code), plus
//   "we recommend 600KB when sending over AT&T from Long Code to avoid … file resize failures".
// - Telnyx: https://developers.telnyx.com/docs/messaging/messages/mms-transcoding (same table; Sprint 1.5/0.6/1.0).
// Sources that disagree, and the safer value we take:
// - Bandwidth: https://support.bandwidth.com/hc/en-us/articles/360014235473-What-MMS-message-size-limits-must-be-adhered-to-
//   toll-free MMS is 525 KB in total (not 600 KB), and T-Mobile is 1 MB (not 1.5 MB); it recommends ≤ 500 KB.
//   Many toll-free routes run over Bandwidth, so toll-free uses 525 KB and T-Mobile long code 1 MB.
// - Sinch: https://community.sinch.com/t5/MMS/What-is-the-maximum-size-of-MMS-message-that-you-can-send/ta-p/7847
//   lists larger limits (AT&T short code ~1,050,000 bytes, 10DLC AT&T ~1.46 MB); larger, so not used.
// Units: none of these pages says whether "1 MB" is 10^6 or 2^20 bytes; we read every published figure as
// decimal (1 MB = 1,000,000 B, 600 KB = 600,000 B) because that is the smaller, safer reading.
// The recipient's carrier is usually unknown before sending, so the default budget is the minimum over carriers.
import { ErrorCode, UsageError } from '../../errors/errors.js';
import { typeAllowed } from '../resolve.js';
import { formatBytesExact } from '../size.js';

/** How the message is sent: a 10-digit long code (10DLC), a toll-free number, or a short code. */
export type SenderType = 'long-code' | 'toll-free' | 'short-code';

/** US carriers whose MMS limits are published. */
export type UsCarrier = 'att' | 'tmobile' | 'verizon';

/** Published per-message MMS size limits in bytes (decimal reading, safer value where sources disagree). */
export const CARRIER_LIMITS: Readonly<Record<UsCarrier, Readonly<Record<SenderType, number>>>> = {
  // Long code 600 KB: Twilio's own recommendation for AT&T long code (resize failures above it).
  att: { 'long-code': 600_000, 'toll-free': 525_000, 'short-code': 600_000 },
  // Long code 1 MB per Bandwidth (Twilio/Telnyx say 1.5 MB).
  tmobile: { 'long-code': 1_000_000, 'toll-free': 525_000, 'short-code': 1_000_000 },
  verizon: { 'long-code': 1_000_000, 'toll-free': 525_000, 'short-code': 1_200_000 },
};

/**
 * Share of a carrier limit kept for the rest of the MMS: MM7/MM4 headers, the SMIL part, the text body and
 * multipart boundaries all count against the same limit (Bandwidth: "message size doesn't equal media size").
 */
export const ENVELOPE_RESERVE = 0.05;

/** The parts of a provider's capabilities the fitter needs (ProviderCapabilities satisfies it). */
export interface ProviderLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxNonImageBytes?: number;
  mediaTypes: readonly string[];
}

/** The byte budget of one message, and why it is what it is. */
export interface FitBudget {
  /** Bytes all attachments of one message may add up to. */
  totalBytes: number;
  /** Bytes one image may have. */
  maxFileBytes: number;
  /** Bytes one non-image file (video, audio) may have. */
  maxNonImageBytes: number;
  /** Types the provider accepts: the fitter only produces these. */
  accepts: readonly string[];
  /** Where totalBytes came from. */
  source: 'carrier' | 'flag' | 'provider';
  /** One line for --dry-run / --debug, e.g. "557 KB (570,000 bytes): carrier-safe for long code (all carriers)" (KB = 1024 bytes). */
  explain: string;
}

export interface BudgetRequest {
  provider: ProviderLimits;
  senderType?: SenderType;
  /** The recipient's carrier when known (e.g. from a lookup); otherwise the minimum over carriers is used. */
  carrier?: UsCarrier;
  /** A --fit-budget value in bytes: replaces the carrier-safe target but never exceeds the provider's limits. */
  overrideBytes?: number;
}

/** The carrier-safe media bytes for a sender type (minimum over carriers unless one is given), envelope reserved. */
export function carrierSafeBytes(senderType: SenderType, carrier?: UsCarrier): number {
  const limits = carrier ? [CARRIER_LIMITS[carrier][senderType]] : Object.values(CARRIER_LIMITS).map((c) => c[senderType]);
  return Math.floor(Math.min(...limits) * (1 - ENVELOPE_RESERVE));
}

/** Combines the carrier-safe target (or a --fit-budget override) with the provider's hard limits. */
export function computeFitBudget(req: BudgetRequest): FitBudget {
  const p = req.provider;
  const senderType = req.senderType ?? 'long-code';
  let target: number;
  let source: FitBudget['source'];
  let why: string;
  if (req.overrideBytes !== undefined) {
    target = req.overrideBytes;
    source = 'flag';
    why = '--fit-budget';
  } else {
    target = carrierSafeBytes(senderType, req.carrier);
    source = 'carrier';
    why = `carrier-safe for ${senderType.replace('-', ' ')} (${req.carrier ?? 'all carriers'})`;
  }
  const totalBytes = Math.min(target, p.maxTotalBytes);
  if (totalBytes < target) {
    source = source === 'flag' ? 'flag' : 'provider';
    why += `, capped at the provider's ${formatBytesExact(p.maxTotalBytes)} total`;
  }
  const maxFileBytes = Math.min(totalBytes, p.maxFileBytes);
  const maxNonImageBytes = Math.min(maxFileBytes, p.maxNonImageBytes ?? maxFileBytes);
  return { totalBytes, maxFileBytes, maxNonImageBytes, accepts: p.mediaTypes, source, explain: `${formatBytesExact(totalBytes)}: ${why}` };
}

// North American toll-free area codes (NANP): https://www.fcc.gov/consumers/guides/what-toll-free-number-and-how-does-it-work
const TOLL_FREE = /^\+?1?(800|833|844|855|866|877|888)\d{7}$/;

/** Guesses the sender type from a --from value: 5–6 digits is a short code, 8XX a toll-free number, else a long code. */
export function senderTypeOf(from: string | undefined): SenderType {
  const digits = (from ?? '').replace(/[\s().-]/g, '');
  if (/^\d{5,6}$/.test(digits)) return 'short-code';
  if (TOLL_FREE.test(digits)) return 'toll-free';
  return 'long-code';
}

const UNITS: Record<string, number> = { b: 1, kb: 1000, mb: 1_000_000, kib: 1024, mib: 1024 * 1024, k: 1000, m: 1_000_000 };

/**
 * Parses `--fit-budget` ("600KB", "1.2MB", "500 KiB", "600000"). KB/MB are decimal (1000-based) like the carrier
 * tables above, so "600KB" never lands above a carrier's "600 KB"; KiB/MiB are binary for those who mean it.
 */
export function parseFitBudget(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = UNITS[(m?.[2] ?? '').toLowerCase() || 'b'];
  const bytes = m && unit ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isFinite(bytes)) {
    throw new UsageError(`--fit-budget: expected a size such as 600KB or 1MB, got "${text}"`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  // Below ~10 KB no photo or clip is recognisable; above 100 MB no MMS route exists.
  if (bytes < 10_000 || bytes > 100_000_000) {
    throw new UsageError(`--fit-budget: ${text} is outside 10KB–100MB`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  return bytes;
}

/** One attachment as the allocator sees it. */
export interface BudgetItem {
  bytes: number;
  contentType: string;
  /** False for files the fitter cannot shrink (PDF, vCard, URLs): they keep their size. */
  canShrink: boolean;
}

/** The per-file cap for a type under a budget (images vs non-images). */
export function fileCap(contentType: string, budget: FitBudget): number {
  return contentType.startsWith('image/') ? budget.maxFileBytes : budget.maxNonImageBytes;
}

/**
 * Splits the message's total budget across its attachments: files that cannot shrink keep their size, files
 * at or under an equal share of what is left keep theirs (repeated until none qualifies: max-min fairness), and
 * the rest share the remainder in proportion to their size. One byte target per item; 0 when nothing is left.
 */
export function allocateBudget(items: readonly BudgetItem[], budget: FitBudget): number[] {
  const out = items.map((it) => (it.canShrink ? -1 : it.bytes));
  let left = budget.totalBytes - out.reduce((s, b) => s + Math.max(0, b), 0);
  for (;;) {
    const open = items.map((it, i) => ({ it, i })).filter(({ i }) => out[i] === -1);
    if (open.length === 0) break;
    const equal = Math.max(0, left) / open.length;
    const settled = open.filter(({ it }) => it.bytes <= Math.min(fileCap(it.contentType, budget), equal));
    if (settled.length === 0) {
      const weight = open.reduce((s, { it }) => s + it.bytes, 0);
      for (const { it, i } of open) out[i] = Math.floor(Math.min(fileCap(it.contentType, budget), (Math.max(0, left) * it.bytes) / weight));
      break;
    }
    for (const { it, i } of settled) {
      out[i] = it.bytes;
      left -= it.bytes;
    }
  }
  return out.map((b) => Math.max(0, b));
}

/** Whether the provider accepts a type (wildcards like image/* allowed). */
export function accepts(budget: FitBudget, type: string): boolean {
  return typeAllowed(type, budget.accepts);
}
