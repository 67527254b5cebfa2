/**
 * Per-sender pacing: a token bucket whose rate adapts to Meta's answers (AIMD).
 *
 * - Every Cloud API call takes a token first; a 130429 answer still consumed one (kafka-notes §7).
 * - On 130429 the rate is multiplied by `decrease` (0.5): one multiplicative cut per `cooldownMs`,
 *   because a burst of in-flight calls all come back 130429 together and must count as one signal.
 * - While no throttling is seen, the rate grows additively by `increasePerSecond` back towards the
 *   configured limit (never above it): the sender's contract is the ceiling, feedback only lowers it.
 * - `pauseUntil` (131057 maintenance, bursts of 5xx) stops the sender entirely for a while.
 *
 * By default there is no burst allowance: sends are evenly spaced, so no one-second window ever holds
 * more than the current rate (Meta counts per second; a burst would earn 130429s).
 *
 * Implemented as GCRA (a token bucket without a drip process): one timestamp per sender.
 * Pure logic with an injected clock; `reserve` returns how long the caller must wait.
 */
export interface PacerOptions {
  limitPerSecond: number;
  /** Tokens the bucket can hold, in seconds of the current rate (default 0: at most one token, so
   *  sends are evenly spaced and no one-second window ever holds more than the limit). */
  burstSeconds?: number;
  minPerSecond?: number;
  decrease?: number;
  increasePerSecond?: number;
  cooldownMs?: number;
}

export class SenderPacer {
  private rate: number;
  /** GCRA: the theoretical time at which the next send may happen (ms). */
  private nextAt: number;
  private updatedAt: number;
  private lastDecreaseAt = -Infinity;
  private pausedUntil = 0;
  readonly limit: number;
  private readonly burstSeconds: number;
  private readonly minPerSecond: number;
  private readonly decrease: number;
  private readonly increasePerSecond: number;
  private readonly cooldownMs: number;

  constructor(options: PacerOptions, now: number) {
    this.limit = options.limitPerSecond;
    this.rate = options.limitPerSecond;
    this.burstSeconds = options.burstSeconds ?? 0;
    this.minPerSecond = options.minPerSecond ?? Math.max(1, options.limitPerSecond / 50);
    this.decrease = options.decrease ?? 0.5;
    this.increasePerSecond = options.increasePerSecond ?? Math.max(1, options.limitPerSecond / 20);
    this.cooldownMs = options.cooldownMs ?? 1000;
    this.nextAt = now;
    this.updatedAt = now;
  }

  currentRate(): number {
    return this.rate;
  }

  /**
   * Reserves the next send slot and returns the milliseconds to wait for it (0 = now). Slots are
   * handed out at least 1/rate apart (GCRA), so callers that reserve together are spaced out and no
   * one-second window holds more than the rate (plus the burst allowance, 0 by default).
   */
  reserve(now: number): number {
    this.adapt(now);
    const burstMs = this.burstSeconds * 1000;
    const sendAt = Math.max(now, this.nextAt - burstMs, this.pausedUntil);
    this.nextAt = Math.max(this.nextAt, sendAt) + 1000 / this.rate;
    return sendAt - now;
  }

  /** 130429 seen: multiplicative decrease, at most once per cooldown. */
  onThrottled(now: number): void {
    this.adapt(now);
    if (now - this.lastDecreaseAt < this.cooldownMs) return;
    this.lastDecreaseAt = now;
    this.rate = Math.max(this.minPerSecond, this.rate * this.decrease);
  }

  /** Stops sending until `now + ms` (maintenance 131057, 5xx burst). */
  pause(now: number, ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + ms);
    this.nextAt = Math.max(this.nextAt, this.pausedUntil);
  }

  /** Additive increase towards the limit, only after the cooldown since the last cut. */
  private adapt(now: number): void {
    const elapsed =
      Math.max(0, now - Math.max(this.updatedAt, this.lastDecreaseAt + this.cooldownMs)) / 1000;
    this.updatedAt = Math.max(this.updatedAt, now);
    if (elapsed > 0 && this.rate < this.limit) {
      this.rate = Math.min(this.limit, this.rate + this.increasePerSecond * elapsed);
    }
  }
}
