// Fault injection shared by every dialect: added latency, a per-provider rate limit, and shares of
// message-create requests answered with the provider's 429 or 500, reset, or never answered. The
// dialect supplies the provider-shaped bodies; this module only decides.

export interface Faults {
  /** Message-create requests allowed per second (per provider); beyond it, the provider's 429. */
  rateLimit?: number;
  /** Fraction (0–1) of message-create requests answered with the provider's 500. */
  failRate?: number;
  /** Fraction of message-create requests answered with the provider's 429, whatever the rate. */
  throttleRate?: number;
  /** Fraction of message-create requests whose connection is reset after the message was created. */
  resetRate?: number;
  /** Fraction of message-create requests that are created but never answered. */
  timeoutRate?: number;
  /** Added latency per request, ms: [min, max]. */
  latencyMs?: [number, number];
  /** Webhook chaos (--webhook-chaos): provider retries, out-of-order and late status callbacks. Off when absent. */
  webhookChaos?: WebhookChaos;
}

/** Shares (0–1) of webhook deliveries the sandbox disturbs, as providers do. */
export interface WebhookChaos {
  /** Share of deliveries (inbound and status) sent twice, byte for byte, as a provider retry. */
  dup?: number;
  /** Share of status callbacks held back until the message's next callback has been delivered. */
  reorder?: number;
  /** Status callbacks are delayed by up to this many milliseconds… */
  lateMs?: number;
  /** …this share of them (all when absent). */
  late?: number;
}

/** What to do with one message-create request. */
export type FaultVerdict =
  | { kind: 'pass' }
  /** Answer the provider's 429 with this Retry-After (seconds). */
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'server-error' }
  /** Create the message, then lose the answer: reset the connection, or never answer. */
  | { kind: 'reset' }
  | { kind: 'hang' };

/** Milliseconds on the wall clock, as Date.now(): what the rate windows are measured in. */
export type FaultClock = () => number;

let clockForTests: FaultClock | undefined;

/**
 * Makes the rate windows of every sandbox in this process read `clock` (undefined: real time again), so
 * a test can move time forward instead of waiting for a window to refill. Read at each request.
 */
export function setFaultClockForTests(clock: FaultClock | undefined): void {
  clockForTests = clock;
}

const nowMs: FaultClock = () => (clockForTests ?? Date.now)();

class TokenBucket {
  private tokens: number;
  private last = nowMs();
  constructor(private readonly rate: number) {
    this.tokens = rate;
  }
  /** 0 when a token was taken, else the milliseconds until one is available. */
  take(): number {
    const now = nowMs();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}

export interface FaultInjector {
  /** The live settings (the same object after replace()). */
  readonly faults: Faults;
  /** Replaces every setting (PUT /_sandbox/faults) and restarts the rate windows. */
  replace(next: Faults): void;
  /** Waits the configured latency, if any. */
  delay(): Promise<void>;
  /** Decides the fate of one message-create request to `provider`. */
  verdict(provider: string): FaultVerdict;
}

/** Creates the injector; `random` is injectable so tests can pick outcomes. */
export function createFaultInjector(initial: Faults, random: () => number): FaultInjector {
  const faults: Faults = { ...initial };
  const buckets = new Map<string, TokenBucket>();
  return {
    faults,
    replace(next) {
      for (const k of Object.keys(faults) as Array<keyof Faults>) delete faults[k];
      Object.assign(faults, next);
      buckets.clear();
    },
    async delay() {
      if (!faults.latencyMs) return;
      const [a, b] = faults.latencyMs;
      await new Promise((r) => setTimeout(r, a + Math.floor(random() * (b - a + 1))));
    },
    verdict(provider) {
      if (faults.rateLimit) {
        let bucket = buckets.get(provider);
        if (!bucket) buckets.set(provider, (bucket = new TokenBucket(faults.rateLimit)));
        const waitMs = bucket.take();
        if (waitMs > 0) return { kind: 'rate-limited', retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      }
      // The order of random() draws is part of the behaviour: tests inject a sequence.
      if (faults.throttleRate && random() < faults.throttleRate) return { kind: 'rate-limited', retryAfterSeconds: 1 };
      if (faults.failRate && random() < faults.failRate) return { kind: 'server-error' };
      const reset = faults.resetRate !== undefined && random() < faults.resetRate;
      if (reset) return { kind: 'reset' };
      const hang = faults.timeoutRate !== undefined && random() < faults.timeoutRate;
      return hang ? { kind: 'hang' } : { kind: 'pass' };
    },
  };
}
