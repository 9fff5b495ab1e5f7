// Fault injection for the Twilio mock, set per test (and changed between runs). Each fault picks
// the create requests it hits with a `Pick`: a fraction (drawn from a seeded generator, so a
// failing run can be replayed), a set of recipients, or the first N creates.

/** Which create requests a fault hits. All given conditions must hold. */
export interface Pick {
  /** Probability per request, 0..1 (seeded: see `seed` in the mock options). */
  rate?: number;
  /** Only these recipients (E.164). */
  to?: Iterable<string>;
  /** Only the first N matching requests (after `to`/`rate`); later ones pass. */
  first?: number;
}

/** Faults on POST …/Messages.json. "After record" means the message exists before the bad answer. */
export interface TwilioFaults {
  /** Record the message, then answer a gateway error page (HTML, no Twilio body): 502/503/504. */
  gatewayAfterRecord?: Pick & { status?: 502 | 503 | 504 };
  /** Answer a gateway error page WITHOUT recording (the gateway never reached Twilio). */
  gatewayBeforeRecord?: Pick & { status?: 502 | 503 | 504 };
  /** Twilio's own 5xx with its JSON error body (code 20500): documented as not processed. */
  serverError?: Pick;
  /** Record the message, then destroy the connection without an answer (ECONNRESET for the client). */
  resetAfterRecord?: Pick;
  /** Record the message, then hold the answer until the client gives up or dies. */
  stallAfterRecord?: Pick;
  /**
   * A slow create: hold the request unanswered; the message is committed only when the client
   * disconnects (or `releaseHeld()`), `commitDelayMs` later on the provider's clock.
   */
  lateCommit?: Pick & { commitDelayMs?: number };
  /** 429 with code 20429; the message is not created. `retryAfter` seconds (null: no header). */
  rateLimit?: Pick & { retryAfter?: number | null };
  /** The provider's clock minus ours, in ms (negative: the provider is behind). Date header + dates. */
  clockOffsetMs?: number;
  /** New messages appear in list results this long after creation (provider clock). Fetch by SID is immediate. */
  listLagMs?: number;
}

/** Decides, per request, whether a `Pick` hits it. One instance per fault kind keeps `first` counts. */
export class Picker {
  private readonly hits = new Map<string, number>();

  constructor(private readonly random: () => number) {}

  /** True when `pick` selects this request to `to` (counted under `kind`). */
  matches(kind: string, pick: Pick | undefined, to: string): boolean {
    if (!pick) return false;
    if (pick.to !== undefined && !(pick.to instanceof Set ? pick.to : new Set(pick.to)).has(to)) return false;
    if (pick.rate !== undefined && !(this.random() < pick.rate)) return false;
    const n = this.hits.get(kind) ?? 0;
    if (pick.first !== undefined && n >= pick.first) return false;
    this.hits.set(kind, n + 1);
    return true;
  }

  /** Forgets the `first` counts (when the test sets new faults). */
  reset(): void {
    this.hits.clear();
  }
}

/** mulberry32: a small seeded generator, so a fault pattern can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
