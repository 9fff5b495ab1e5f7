// The mock's message log: every message Twilio would have created (committed or not yet), and
// the Messages list resource over it, with the filters and paging the docs describe
// (https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources):
// To and From match exactly (From is the sender number: a Messaging Service's messages carry the
// pool number, so From=MG… matches nothing); DateSent, DateSent< and DateSent> compare whole GMT
// days of date_sent ("DateSent<=YYYY-MM-DD: on or before midnight", so the time of day in the
// value is ignored, and a message not sent yet, with no date_sent, never matches); newest first;
// PageSize 50 by default, at most 1000; Page counts from 0 and next_page_uri carries a PageToken.
import { API_VERSION, messageJson, statusAt, type Progress, type StoredMessage } from './wire.js';

/** A problem with a list query, answered as HTTP 400. */
export class ListQueryError extends Error {}

const DAY_MS = 86_400_000;

/** Midnight GMT of a `YYYY-MM-DD…` value (anything after the date is ignored: the day quirk). */
function dayStart(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!Number.isFinite(t)) throw new ListQueryError(`Invalid date '${value}': expected YYYY-MM-DD`);
  return t;
}

/** The message log of one account. */
export class MessageStore {
  /** In creation order. */
  readonly all: StoredMessage[] = [];

  constructor(private readonly progress: Progress) {}

  /** Adds a message (it may not be committed or listed yet: see its times). */
  add(m: StoredMessage): void {
    this.all.push(m);
  }

  /** A committed message by SID, as seen at provider time `now`. */
  get(sid: string, now: number): StoredMessage | undefined {
    return this.all.find((m) => m.sid === sid && m.committedAt <= now);
  }

  /** The list resource page for `query` at provider time `now`. */
  list(accountSid: string, query: URLSearchParams, now: number): Record<string, unknown> {
    const pageSize = Math.min(1000, Math.max(1, Number(query.get('PageSize') ?? '50') || 50));
    const page = Math.max(0, Number(query.get('Page') ?? '0') || 0);
    const matches = this.filter(query, now);
    const token = query.get('PageToken');
    let start = page * pageSize;
    if (token !== null) {
      // PA + the SID of the previous page's last message: stable while new messages arrive.
      const at = matches.findIndex((m) => `PA${m.sid}` === token);
      start = at >= 0 ? at + 1 : matches.length;
    }
    const items = matches.slice(start, start + pageSize);
    const path = `/${API_VERSION}/Accounts/${accountSid}/Messages.json`;
    const uriFor = (p: number, pageToken?: string): string => {
      const q = new URLSearchParams();
      for (const key of ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>']) {
        const v = query.get(key);
        if (v !== null) q.set(key, v);
      }
      q.set('PageSize', String(pageSize));
      q.set('Page', String(p));
      if (pageToken) q.set('PageToken', pageToken);
      return `${path}?${q.toString()}`;
    };
    const hasMore = start + items.length < matches.length;
    return {
      messages: items.map((m) => messageJson(m, now, this.progress)),
      uri: uriFor(page, token ?? undefined),
      first_page_uri: uriFor(0),
      next_page_uri: hasMore ? uriFor(page + 1, `PA${items[items.length - 1]!.sid}`) : null,
      previous_page_uri: page > 0 ? uriFor(page - 1) : null,
      page,
      page_size: pageSize,
      start,
      end: start + Math.max(0, items.length - 1),
    };
  }

  private filter(query: URLSearchParams, now: number): StoredMessage[] {
    const to = query.get('To');
    const from = query.get('From');
    const on = query.get('DateSent');
    const before = query.get('DateSent<');
    const after = query.get('DateSent>');
    const onDay = on !== null ? dayStart(on) : undefined;
    const beforeDay = before !== null ? dayStart(before) : undefined;
    const afterDay = after !== null ? dayStart(after) : undefined;
    const out: StoredMessage[] = [];
    for (let i = this.all.length - 1; i >= 0; i--) {
      const m = this.all[i]!;
      if (m.committedAt > now || m.listedFrom > now) continue;
      if (to !== null && m.to !== to) continue;
      if (from !== null && m.from !== from) continue;
      if (onDay !== undefined || beforeDay !== undefined || afterDay !== undefined) {
        const sent = statusAt(m, now, this.progress).dateSent;
        if (sent === null) continue;
        if (onDay !== undefined && (sent < onDay || sent >= onDay + DAY_MS)) continue;
        if (beforeDay !== undefined && sent > beforeDay) continue;
        if (afterDay !== undefined && sent < afterDay) continue;
      }
      out.push(m);
    }
    // Newest first; the reverse walk above keeps creation order among equal dates.
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }
}
