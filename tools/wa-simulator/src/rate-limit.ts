import type { Clock } from './clock.js';

/**
 * Token bucket: `capacity` tokens, refilled continuously at `ratePerSec`. A request takes one token
 * or is refused. With a frozen clock a burst of N > capacity gets exactly N − capacity refusals,
 * which is what the acceptance test checks.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private ratePerSec: number,
    private capacity: number,
    private readonly clock: Clock,
  ) {
    this.tokens = capacity;
    this.last = clock.now();
  }

  tryTake(): boolean {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Takes a token even if that drives the balance negative (inbound traffic counts too, §3.1). */
  forceTake(): void {
    this.refill();
    this.tokens -= 1;
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  reconfigure(ratePerSec: number, capacity: number): void {
    this.refill();
    this.ratePerSec = ratePerSec;
    this.capacity = capacity;
    this.tokens = Math.min(this.tokens, capacity);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSec) / 1000);
      this.last = now;
    }
  }
}

/**
 * Per-(business number, recipient) limiter behind 131056: one message per `intervalMs` on
 * average with a `burst` allowance that borrows from future quota (reference §3.2: ~1 per 6 s,
 * up to 45 in a burst). Entries are kept in a map and swept once they are full again, so memory
 * follows the recipients messaged recently, not all recipients ever.
 */
export class PairLimiter {
  private readonly pairs = new Map<string, { tokens: number; last: number }>();
  private lastSweep: number;

  constructor(
    private intervalMs: number,
    private burst: number,
    private readonly clock: Clock,
  ) {
    this.lastSweep = clock.now();
  }

  tryTake(phoneNumberId: string, recipient: string): boolean {
    const now = this.clock.now();
    this.maybeSweep(now);
    const key = `${phoneNumberId}:${recipient}`;
    let state = this.pairs.get(key);
    if (!state) {
      state = { tokens: this.burst, last: now };
      this.pairs.set(key, state);
    } else {
      const elapsed = now - state.last;
      if (elapsed > 0) {
        state.tokens = Math.min(this.burst, state.tokens + elapsed / this.intervalMs);
        state.last = now;
      }
    }
    if (state.tokens >= 1) {
      state.tokens -= 1;
      return true;
    }
    return false;
  }

  reconfigure(intervalMs: number, burst: number): void {
    this.intervalMs = intervalMs;
    this.burst = burst;
    this.pairs.clear();
  }

  size(): number {
    return this.pairs.size;
  }

  clear(): void {
    this.pairs.clear();
  }

  private maybeSweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, state] of this.pairs) {
      if (state.tokens + (now - state.last) / this.intervalMs >= this.burst) this.pairs.delete(key);
    }
  }
}

/**
 * Portfolio messaging limit: unique recipients per moving 24 h (reference §3.3). Meta's behaviour
 * past the limit is unconfirmed; the simulator accepts the send and fails it asynchronously
 * (see webhooks), which is what BSPs report. `Infinity` disables it (an Unlimited portfolio).
 */
export class PortfolioLimiter {
  private readonly firstSeen = new Map<string, number>();
  private static readonly WINDOW_MS = 24 * 3600 * 1000;

  constructor(
    private limit: number,
    private readonly clock: Clock,
  ) {}

  /** Returns false when `recipient` is new and the window is already full. */
  admit(recipient: string): boolean {
    if (!Number.isFinite(this.limit)) return true;
    const now = this.clock.now();
    const seen = this.firstSeen.get(recipient);
    if (seen !== undefined && now - seen < PortfolioLimiter.WINDOW_MS) return true;
    if (seen !== undefined) this.firstSeen.delete(recipient);
    if (this.firstSeen.size >= this.limit) {
      for (const [key, at] of this.firstSeen) {
        if (now - at >= PortfolioLimiter.WINDOW_MS) this.firstSeen.delete(key);
        else break; // insertion order = time order
      }
      if (this.firstSeen.size >= this.limit) return false;
    }
    this.firstSeen.set(recipient, now);
    return true;
  }

  setLimit(limit: number): void {
    this.limit = limit;
  }

  clear(): void {
    this.firstSeen.clear();
  }
}
