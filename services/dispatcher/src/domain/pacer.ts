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
 *
 * Sharing a sender across replicas (partition-share split, see `group-share.ts`): every dispatcher
 * replica paces each sender at `quota × (its share of the send-requests partitions)`, which it
 * learns from its consumer group (describeGroups every few seconds and on every GROUP_JOIN), and
 * applies with `setLimit`. Because send-requests is keyed by recipient, every partition carries about
 * the same slice of every sender's traffic, so the replicas' limits add up to the quota and each
 * replica has just enough for its share of the work: no shared store, no extra call per send. It is
 * approximate during a rebalance (a few seconds at most, and the same partitions are then paused
 * anyway) and AIMD on 130429 stays on top of it as the safety net. A shared bucket (Redis GCRA) would
 * be exact but adds a store and a round trip; leases add a coordinator. Neither is needed while the
 * traffic of a sender spreads evenly over partitions, which recipient keys guarantee.
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
  /** GCRA state of the wire gate (see reserveWire). */
  private wireNextAt = 0;
  private updatedAt: number;
  private lastDecreaseAt = -Infinity;
  private pausedUntilMs = 0;
  private ceiling: number;
  private minPerSecond: number;
  private increasePerSecond: number;
  private readonly burstSeconds: number;
  private readonly decrease: number;
  private readonly cooldownMs: number;

  constructor(
    private readonly options: PacerOptions,
    now: number,
  ) {
    this.ceiling = options.limitPerSecond;
    this.rate = options.limitPerSecond;
    this.burstSeconds = options.burstSeconds ?? 0;
    this.minPerSecond = this.minFor(options.limitPerSecond);
    this.decrease = options.decrease ?? 0.5;
    this.increasePerSecond = this.increaseFor(options.limitPerSecond);
    this.cooldownMs = options.cooldownMs ?? 1000;
    this.nextAt = now;
    this.updatedAt = now;
  }

  /** The ceiling the rate climbs back to: this replica's share of the sender's quota. */
  get limit(): number {
    return this.ceiling;
  }

  currentRate(): number {
    return this.rate;
  }

  /**
   * Changes the ceiling (this replica's share of the quota changed). The current rate keeps its
   * position relative to the ceiling, so a sender slowed down by AIMD stays proportionally slowed
   * and one at full speed moves to the new full speed at once. The next slot already reserved keeps
   * its spacing; every later one uses the new rate.
   */
  setLimit(limitPerSecond: number, now: number): void {
    if (!(limitPerSecond > 0) || limitPerSecond === this.ceiling) return;
    this.adapt(now);
    const fraction = this.rate / this.ceiling;
    this.ceiling = limitPerSecond;
    this.minPerSecond = this.minFor(limitPerSecond);
    this.increasePerSecond = this.increaseFor(limitPerSecond);
    this.rate = Math.min(limitPerSecond, Math.max(this.minPerSecond, fraction * limitPerSecond));
  }

  /**
   * Reserves the next send slot and returns the milliseconds to wait for it (0 = now). Slots are
   * handed out at least 1/rate apart (GCRA), so callers that reserve together are spaced out and no
   * one-second window holds more than the rate (plus the burst allowance, 0 by default).
   */
  reserve(now: number): number {
    this.adapt(now);
    const burstMs = this.burstSeconds * 1000;
    const sendAt = Math.max(now, this.nextAt - burstMs, this.pausedUntilMs);
    this.nextAt = Math.max(this.nextAt, sendAt) + 1000 / this.rate;
    return sendAt - now;
  }

  /**
   * The wire gate: spaces calls again, at the current rate, right before they leave. Work done
   * between `reserve` and the call (the attempt record's database round trip) can delay some calls
   * more than others and bunch them; bunched calls exceed the per-second quota even though the
   * slots were spaced. In steady state calls arrive here already spaced and pass without waiting.
   * No burst allowance: a call may leave at most one interval after the previous one.
   */
  reserveWire(now: number): number {
    const sendAt = Math.max(now, this.wireNextAt);
    this.wireNextAt = sendAt + 1000 / this.rate;
    return sendAt - now;
  }

  /** How long a call reserving the wire gate now would wait (0 when the gate is free). */
  wireBacklogMs(now: number): number {
    return Math.max(0, this.wireNextAt - now);
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
    this.pausedUntilMs = Math.max(this.pausedUntilMs, now + ms);
    this.nextAt = Math.max(this.nextAt, this.pausedUntilMs);
  }

  /** Until when (ms) the sender is paused; in the past when it is not. */
  get pausedUntil(): number {
    return this.pausedUntilMs;
  }

  /** Ends a pause early (an operator fixed the account). */
  resume(now: number): void {
    this.pausedUntilMs = Math.min(this.pausedUntilMs, now);
    this.nextAt = Math.min(this.nextAt, now);
  }

  /** Additive increase towards the limit, only after the cooldown since the last cut. */
  private adapt(now: number): void {
    const elapsed =
      Math.max(0, now - Math.max(this.updatedAt, this.lastDecreaseAt + this.cooldownMs)) / 1000;
    this.updatedAt = Math.max(this.updatedAt, now);
    if (elapsed > 0 && this.rate < this.ceiling) {
      this.rate = Math.min(this.ceiling, this.rate + this.increasePerSecond * elapsed);
    }
  }

  private minFor(limit: number): number {
    return Math.min(limit, this.options.minPerSecond ?? Math.max(1, limit / 50));
  }

  private increaseFor(limit: number): number {
    return this.options.increasePerSecond ?? Math.max(1, limit / 20);
  }
}
