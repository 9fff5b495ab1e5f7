// What `mms status` prints: one JSON document with the same keys for every provider (dates as ISO
// 8601 UTC, the provider's own date text kept beside them), or aligned `key value` lines.
import type { MessageStatusInfo } from '../core/types.js';
import type { IO } from './io.js';
import { writeJson } from './json.js';
import { sanitizeForTerminal } from './sanitize.js';

// 2026-12-01 04:50:02+00:00 (Plivo), 2026-12-01T04:50:02.123Z (Telnyx, Bandwidth), with or without
// seconds, fraction or zone. A time without a zone is UTC: that is what these APIs document.
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A provider's date text as ISO 8601 UTC (`2026-12-01T04:50:02.000Z`), or null when it cannot be read. */
export function toIsoUtc(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const text = raw.trim();
  const m = ISO_LIKE.exec(text);
  let ms: number;
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    // Date.UTC rolls month 13 into next year: out-of-range fields mean the text is not a date.
    if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s ?? '0') > 59) return null;
    const fraction = Number(`0.${frac ?? '0'}`) * 1000;
    ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? '0'), Math.floor(fraction));
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
    }
  } else {
    // RFC 2822 (Twilio: "Tue, 01 Dec 2026 04:50:02 +0000"), which Date.parse reads everywhere.
    ms = /^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|GMT|UT|UTC)$/.test(text) ? Date.parse(text) : NaN;
  }
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The `mms status --json` document: every key always present (null when the provider does not say). */
export function statusJson(info: MessageStatusInfo): Record<string, unknown> {
  return {
    id: info.id,
    status: info.status,
    providerStatus: info.providerStatus,
    to: info.to ?? null,
    from: info.from ?? null,
    body: info.body ?? null,
    numMedia: info.numMedia ?? null,
    errorCode: info.errorCode ?? null,
    errorMessage: info.errorMessage ?? null,
    dateCreated: toIsoUtc(info.dateCreated),
    dateUpdated: toIsoUtc(info.dateUpdated),
    providerDateCreated: info.dateCreated ?? null,
    providerDateUpdated: info.dateUpdated ?? null,
  };
}

/** Prints a status: JSON, or `key value` lines (tab-separated when piped); dates in ISO 8601 UTC. */
export function renderStatus(io: IO, info: MessageStatusInfo): void {
  if (io.json) {
    writeJson(io, statusJson(info));
    return;
  }
  const date = (raw: string | undefined): string | undefined => (raw === undefined ? undefined : (toIsoUtc(raw) ?? raw));
  const rows: Array<[string, string | number | undefined]> = [
    ['id', info.id],
    ['status', `${info.status}${info.providerStatus !== info.status ? ` (${info.providerStatus})` : ''}`],
    ['to', info.to],
    ['from', info.from],
    ['media', info.numMedia],
    ['error', info.errorCode !== undefined ? `${info.errorCode}${info.errorMessage ? ` ${info.errorMessage}` : ''}` : undefined],
    ['created', date(info.dateCreated)],
    ['updated', date(info.dateUpdated)],
  ];
  for (const [k, v] of rows)
    if (v !== undefined && v !== '') io.out(io.stdoutIsTTY ? `${k.padEnd(8)} ${sanitizeForTerminal(String(v))}` : `${k}\t${sanitizeForTerminal(String(v))}`);
}
