/**
 * Per-tenant request rate limit (GCRA: one timestamp per tenant, no timers). A tenant may make
 * `perMinute` requests a minute on average, with bursts of up to `burst` at once; beyond that a
 * request is refused with the time to wait. Pure logic with an injected clock.
 */
export class TenantRateLimiter {
  private readonly nextFree = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly toleranceMs: number;

  constructor(
    perMinute: number,
    burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.intervalMs = 60_000 / perMinute;
    this.toleranceMs = this.intervalMs * Math.max(0, burst - 1);
  }

  /** Takes one request for `tenant`: undefined when allowed, else the milliseconds to wait. */
  take(tenant: string): number | undefined {
    const now = this.now();
    const tat = Math.max(this.nextFree.get(tenant) ?? now, now);
    if (tat - now > this.toleranceMs) return Math.ceil(tat - now - this.toleranceMs);
    this.nextFree.set(tenant, tat + this.intervalMs);
    // Forget tenants that have been idle long enough to be back at a full burst.
    if (this.nextFree.size > 10_000) {
      for (const [key, value] of this.nextFree) if (value < now) this.nextFree.delete(key);
    }
    return undefined;
  }
}
