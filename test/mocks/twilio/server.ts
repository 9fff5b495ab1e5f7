// An independent Twilio REST API mock for exactly-once tests: a node:http server on 127.0.0.1:0
// that speaks the parts of Programmable Messaging that `mms send`, `mms status` and the journal's
// settlement use, written from Twilio's documentation (links in wire.ts and store.ts) and sharing
// no code with src/ (in particular not with src/sandbox, whose exactly-once claims it judges).
//   GET  /2010-04-01/Accounts/{AccountSid}.json                 the account (login checks it)
//   POST /2010-04-01/Accounts/{AccountSid}/Messages.json        create (form: To, From |
//        MessagingServiceSid, Body, MediaUrl ×≤10, StatusCallback) → 201
//   GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json  fetch → 200 | 404 (20404)
//   GET  /2010-04-01/Accounts/{AccountSid}/Messages.json        list (To, From, DateSent[<>], paging)
// Auth is HTTP Basic with the Account SID + Auth Token or an API key SID + secret (401, code 20003,
// otherwise). Faults (faults.ts) hit message creation; counters tell a test how many messages
// each (recipient, body) got, so duplicates are counted where they happen: at the provider.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockClock, type MockClock } from './clock.js';
import { Picker, seededRandom, type TwilioFaults } from './faults.js';
import { ListQueryError, MessageStore } from './store.js';
import { API_VERSION, errorBody, gatewayPage, messageJson, newSid, rfc2822, type Progress, type StoredMessage } from './wire.js';

export interface TwilioMockOptions {
  accountSid?: string;
  authToken?: string;
  apiKey?: string;
  apiSecret?: string;
  /** Sender numbers the account owns; other From values get 21606. Default: any E.164 number. */
  numbers?: string[];
  /** Messaging Services: MG SID → its sender pool (E.164 numbers). */
  services?: Record<string, string[]>;
  faults?: TwilioFaults;
  /** Seed for the fault `rate` draws (default 1). */
  seed?: number;
  clock?: MockClock;
  /** When messages turn "sent" and "delivered" (provider clock; default 1 s and 3 s). */
  progress?: Progress;
  /** Told of each request as it is answered (or reset, or held): e.g. to interrupt a run at request N. */
  onRequest?(entry: LoggedRequest): void;
}

/** One request as the mock saw it. */
export interface LoggedRequest {
  /** Mock clock (not skewed), ms. */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Form fields of a POST (repeated fields keep every value). */
  form: Record<string, string[]>;
  status: number | 'reset' | 'held';
  /** What happened: created, rejected, rate-limited, gateway-after-record, reset-after-record, … */
  outcome: string;
  sid?: string;
}

/** A running mock. */
export interface TwilioMock {
  /** Base URL (http://127.0.0.1:port), for `--base-url` or MMS_TWILIO_BASE_URL. */
  url: string;
  accountSid: string;
  authToken: string;
  apiKey: string;
  apiSecret: string;
  clock: MockClock;
  /** Every request, in arrival order. */
  requests: LoggedRequest[];
  /** Replaces the faults (and restarts their `first` counts). */
  setFaults(faults: TwilioFaults): void;
  /** Every message created, committed or not yet, in creation order. */
  messages(): readonly StoredMessage[];
  /** How many messages `to` got (with this body, when given). */
  createdFor(to: string, body?: string): number;
  /** (recipient, body) pairs that got more than one message. */
  duplicates(): Array<{ to: string; body: string; count: number }>;
  /** Forgets every message and request (between trials of one test). */
  clear(): void;
  /** Requests held open right now (stallAfterRecord, lateCommit). */
  heldCount(): number;
  /** Answers every held request with 201 (committing late commits now). */
  releaseHeld(): void;
  close(): Promise<void>;
}

interface Held {
  res: ServerResponse;
  /** Answers 201 (committing a late commit first). */
  release(): void;
}

/** The faults that pick requests (the others are settings). */
type PickKind = Exclude<keyof TwilioFaults, 'clockOffsetMs' | 'listLagMs'>;

/** Starts the mock on 127.0.0.1 and a free port. */
export async function startTwilioMock(opts: TwilioMockOptions = {}): Promise<TwilioMock> {
  const state = new MockState(opts);
  const server = createServer((req, res) => {
    void state.handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) state.send(res, 500, errorBody(500, 20500, `Mock failure: ${(err as Error).message}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return state.api(server, `http://127.0.0.1:${port}`);
}

class MockState {
  readonly accountSid: string;
  readonly authToken: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly clock: MockClock;
  readonly requests: LoggedRequest[] = [];
  readonly store: MessageStore;
  readonly held = new Set<Held>();
  readonly lifecycle: Progress;
  faults: TwilioFaults;
  readonly picker: Picker;

  constructor(private readonly opts: TwilioMockOptions) {
    this.accountSid = opts.accountSid ?? newSid('AC');
    this.authToken = opts.authToken ?? newSid('').slice(0, 32);
    this.apiKey = opts.apiKey ?? newSid('SK');
    this.apiSecret = opts.apiSecret ?? newSid('').slice(0, 32);
    this.clock = opts.clock ?? createMockClock();
    this.lifecycle = opts.progress ?? { sentAfterMs: 1000, deliveredAfterMs: 3000 };
    this.store = new MessageStore(this.lifecycle);
    this.faults = opts.faults ?? {};
    this.picker = new Picker(seededRandom(opts.seed ?? 1));
  }

  /** The provider's clock: ours plus the configured skew. */
  providerNow(): number {
    return this.clock.now() + (this.faults.clockOffsetMs ?? 0);
  }

  send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      Date: new Date(this.providerNow()).toUTCString(),
      'Twilio-Request-Id': newSid('RQ'),
      ...headers,
    });
    res.end(body);
  }

  log(req: IncomingMessage, url: URL, form: Record<string, string[]>, status: LoggedRequest['status'], outcome: string, sid?: string): LoggedRequest {
    const entry: LoggedRequest = {
      at: this.clock.now(),
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      form,
      status,
      outcome,
    };
    if (sid !== undefined) entry.sid = sid;
    this.requests.push(entry);
    this.opts.onRequest?.(entry);
    return entry;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock');
    const raw = await readBody(req);
    const form = req.method === 'POST' ? parseForm(raw) : {};
    const notFound = (): void => {
      this.send(res, 404, errorBody(404, 20404, `The requested resource ${url.pathname} was not found`));
      this.log(req, url, form, 404, 'not-found');
    };
    const m = /^\/2010-04-01\/Accounts\/([^/]+?)(\.json|\/Messages\.json|\/Messages\/([^/]+)\.json)$/.exec(url.pathname);
    if (!m) return notFound();
    if (!this.isAuthorized(req.headers.authorization)) {
      this.send(res, 401, errorBody(401, 20003, 'Authenticate'), { 'WWW-Authenticate': 'Basic realm="Twilio API"' });
      this.log(req, url, form, 401, 'unauthorized');
      return;
    }
    if (m[1] !== this.accountSid) return notFound();
    if (m[2] === '.json' && req.method === 'GET') {
      this.send(res, 200, this.accountJson());
      this.log(req, url, form, 200, 'account');
    } else if (m[2] === '/Messages.json' && req.method === 'POST') {
      this.create(req, res, url, form);
    } else if (m[2] === '/Messages.json' && req.method === 'GET') {
      this.list(req, res, url);
    } else if (m[3] !== undefined && req.method === 'GET') {
      const msg = this.store.get(m[3], this.providerNow());
      if (!msg) return notFound();
      this.send(res, 200, JSON.stringify(messageJson(msg, this.providerNow(), this.lifecycle)));
      this.log(req, url, form, 200, 'fetched', msg.sid);
    } else {
      this.send(res, 405, errorBody(405, 20004, 'Method not allowed'));
      this.log(req, url, form, 405, 'method-not-allowed');
    }
  }

  isAuthorized(header: string | undefined): boolean {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    return colon > 0 && ((user === this.accountSid && pass === this.authToken) || (user === this.apiKey && pass === this.apiSecret));
  }

  accountJson(): string {
    const created = rfc2822(Date.UTC(2020, 0, 1));
    return JSON.stringify({
      sid: this.accountSid,
      owner_account_sid: this.accountSid,
      friendly_name: 'Mock account',
      status: 'active',
      type: 'Full',
      date_created: created,
      date_updated: created,
      uri: `/${API_VERSION}/Accounts/${this.accountSid}.json`,
      subresource_uris: { messages: `/${API_VERSION}/Accounts/${this.accountSid}/Messages.json` },
    });
  }

  list(req: IncomingMessage, res: ServerResponse, url: URL): void {
    try {
      const page = this.store.list(this.accountSid, url.searchParams, this.providerNow());
      this.send(res, 200, JSON.stringify(page));
      this.log(req, url, {}, 200, 'listed');
    } catch (err) {
      if (!(err instanceof ListQueryError)) throw err;
      // The error code is the mock's choice: the docs name no code for a malformed date filter.
      this.send(res, 400, errorBody(400, 20001, err.message));
      this.log(req, url, {}, 400, 'rejected');
    }
  }

  /** Validates a create request as Twilio documents it; returns the error to answer, if any. */
  validate(form: Record<string, string[]>): { status: number; code: number; message: string } | undefined {
    const one = (k: string): string | undefined => form[k]?.[0];
    const to = one('To');
    const from = one('From');
    const service = one('MessagingServiceSid');
    const media = form.MediaUrl ?? [];
    if (!to) return { status: 400, code: 21604, message: "A 'To' phone number is required." };
    if (!from && !service) return { status: 400, code: 21603, message: "A 'From' phone number is required." };
    if (!one('Body') && media.length === 0) return { status: 400, code: 21602, message: 'Message body is required.' };
    if (!/^\+[1-9]\d{1,14}$/.test(to)) return { status: 400, code: 21211, message: `Invalid 'To' Phone Number: ${to}` };
    if (service !== undefined && !this.opts.services?.[service]) {
      // The docs name no code for an unknown service: the mock answers as for any missing resource.
      return { status: 404, code: 20404, message: `The requested resource /Services/${service} was not found` };
    }
    if (service === undefined && from !== undefined) {
      if (!/^\+[1-9]\d{1,14}$/.test(from) && !/^\d{3,8}$/.test(from) && !/^[A-Za-z0-9 ]{1,11}$/.test(from))
        return { status: 400, code: 21212, message: `Invalid From Number: ${from}` };
      if (this.opts.numbers && !this.opts.numbers.includes(from))
        return {
          status: 400,
          code: 21606,
          message: `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
        };
    }
    if ([...(one('Body') ?? '')].length > 1600) return { status: 400, code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.' };
    if (media.length > 10) return { status: 400, code: 21623, message: 'The number of media URLs exceeds the limit of 10.' };
    if (media.some((u) => !/^https?:\/\/[^/]/i.test(u))) return { status: 400, code: 21620, message: 'Invalid media URL(s).' };
    return undefined;
  }

  /** A new message from a valid create form, stamped at provider time `at`. */
  newMessage(form: Record<string, string[]>, at: number): StoredMessage {
    const to = form.To![0]!;
    const service = form.MessagingServiceSid?.[0];
    const pool = service !== undefined ? this.opts.services![service]! : undefined;
    // Sticky sender: a recipient always gets the same pool number.
    const from = pool ? pool[[...to].reduce((n, c) => n + c.charCodeAt(0), 0) % pool.length]! : form.From![0]!;
    const media = form.MediaUrl ?? [];
    return {
      sid: newSid(media.length > 0 ? 'MM' : 'SM'),
      accountSid: this.accountSid,
      to,
      from,
      messagingServiceSid: service ?? null,
      body: form.Body?.[0] ?? '',
      mediaUrls: media,
      statusCallback: form.StatusCallback?.[0] ?? null,
      createdAt: at,
      committedAt: at,
      listedFrom: at + (this.faults.listLagMs ?? 0),
    };
  }

  create(req: IncomingMessage, res: ServerResponse, url: URL, form: Record<string, string[]>): void {
    const to = form.To?.[0] ?? '';
    const f = this.faults;
    const pick = (kind: PickKind): boolean => this.picker.matches(kind, f[kind], to);
    if (pick('rateLimit')) {
      const ra = f.rateLimit?.retryAfter === undefined ? 1 : f.rateLimit.retryAfter;
      this.send(res, 429, errorBody(429, 20429, 'Too Many Requests'), ra === null ? {} : { 'Retry-After': String(ra) });
      this.log(req, url, form, 429, 'rate-limited');
      return;
    }
    if (pick('gatewayBeforeRecord')) {
      const status = f.gatewayBeforeRecord?.status ?? 502;
      this.send(res, status, gatewayPage(status), { 'Content-Type': 'text/html' });
      this.log(req, url, form, status, 'gateway-before-record');
      return;
    }
    if (pick('serverError')) {
      this.send(res, 500, errorBody(500, 20500, 'Internal Server Error'));
      this.log(req, url, form, 500, 'server-error');
      return;
    }
    const bad = this.validate(form);
    if (bad) {
      this.send(res, bad.status, errorBody(bad.status, bad.code, bad.message));
      this.log(req, url, form, bad.status, 'rejected');
      return;
    }
    if (pick('lateCommit')) return this.holdLateCommit(req, res, url, form);
    const msg = this.newMessage(form, this.providerNow());
    this.store.add(msg);
    this.answerCreated(req, res, url, form, msg);
  }

  answerCreated(req: IncomingMessage, res: ServerResponse, url: URL, form: Record<string, string[]>, msg: StoredMessage): void {
    const to = msg.to;
    const f = this.faults;
    const pick = (kind: PickKind): boolean => this.picker.matches(kind, f[kind], to);
    if (pick('gatewayAfterRecord')) {
      const status = f.gatewayAfterRecord?.status ?? 502;
      this.send(res, status, gatewayPage(status), { 'Content-Type': 'text/html' });
      this.log(req, url, form, status, 'gateway-after-record', msg.sid);
    } else if (pick('resetAfterRecord')) {
      this.log(req, url, form, 'reset', 'reset-after-record', msg.sid);
      req.socket.destroy();
    } else if (pick('stallAfterRecord')) {
      const entry = this.log(req, url, form, 'held', 'stalled-after-record', msg.sid);
      this.hold(
        res,
        () => {
          entry.status = 201;
          this.send(res, 201, JSON.stringify(messageJson(msg, this.providerNow(), this.lifecycle, true)));
        },
        () => {
          entry.outcome = 'stalled-client-gone';
        },
      );
    } else {
      this.send(res, 201, JSON.stringify(messageJson(msg, this.providerNow(), this.lifecycle, true)));
      this.log(req, url, form, 201, 'created', msg.sid);
    }
  }

  /** A slow create: nothing exists until the client disconnects (or the test releases it). */
  holdLateCommit(req: IncomingMessage, res: ServerResponse, url: URL, form: Record<string, string[]>): void {
    const entry = this.log(req, url, form, 'held', 'late-commit-pending');
    const delay = this.faults.lateCommit?.commitDelayMs ?? 0;
    const commit = (at: number): StoredMessage => {
      const msg = this.newMessage(form, at);
      this.store.add(msg);
      entry.sid = msg.sid;
      return msg;
    };
    this.hold(
      res,
      () => {
        const m = commit(this.providerNow());
        entry.status = 201;
        entry.outcome = 'late-commit-answered';
        this.send(res, 201, JSON.stringify(messageJson(m, this.providerNow(), this.lifecycle, true)));
      },
      () => {
        // The client is gone; the provider finishes the create anyway, `delay` later.
        commit(this.providerNow() + delay);
        entry.outcome = 'late-commit-after-disconnect';
      },
    );
  }

  /** Keeps `res` open; `release` answers it, `onAbandon` runs if the client goes away first. */
  hold(res: ServerResponse, release: () => void, onAbandon?: () => void): Held {
    const held: Held = {
      res,
      release: () => {
        if (this.held.delete(held)) release();
      },
    };
    this.held.add(held);
    res.on('close', () => {
      if (this.held.delete(held)) onAbandon?.();
    });
    return held;
  }

  api(server: Server, url: string): TwilioMock {
    return {
      url,
      accountSid: this.accountSid,
      authToken: this.authToken,
      apiKey: this.apiKey,
      apiSecret: this.apiSecret,
      clock: this.clock,
      requests: this.requests,
      setFaults: (faults) => {
        this.faults = faults;
        this.picker.reset();
      },
      messages: () => this.store.all,
      createdFor: (to, body) => this.store.all.filter((m) => m.to === to && (body === undefined || m.body === body)).length,
      duplicates: () => countDuplicates(this.store.all),
      clear: () => {
        this.store.all.length = 0;
        this.requests.length = 0;
      },
      heldCount: () => this.held.size,
      releaseHeld: () => {
        for (const h of [...this.held]) h.release();
      },
      close: async () => {
        for (const h of [...this.held]) h.res.destroy();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }
}

function countDuplicates(all: readonly StoredMessage[]): Array<{ to: string; body: string; count: number }> {
  const counts = new Map<string, { to: string; body: string; count: number }>();
  for (const m of all) {
    const key = `${m.to}\u0000${m.body}`;
    const c = counts.get(key) ?? { to: m.to, body: m.body, count: 0 };
    c.count++;
    counts.set(key, c);
  }
  return [...counts.values()].filter((c) => c.count > 1);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseForm(raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) (out[k] ??= []).push(v);
  return out;
}
