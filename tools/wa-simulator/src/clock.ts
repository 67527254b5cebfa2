/** Time source. Rate limiters and the ledger read time only through this, so tests can freeze it. */
export interface Clock {
  /** Milliseconds since the epoch (may be fractional). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to: makes burst and refill arithmetic exact in tests. */
export class ManualClock implements Clock {
  constructor(private current = 1_750_000_000_000) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
