// The mock's clock: real time plus an offset the test moves with `advance()`, so "3 s of list
// lag" or "a commit 10 s after the client died" can pass without the test sleeping. The provider's
// own clock (Date header, date_created) adds the configured skew on top (see server.ts).

/** A clock the test controls. */
export interface MockClock {
  /** Milliseconds since the epoch, as the mock sees them. */
  now(): number;
  /** Moves the clock forward (or back, with a negative value). */
  advance(ms: number): void;
}

/** Real time, shifted by whatever `advance()` added. */
export function createMockClock(): MockClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      offset += ms;
    },
  };
}
