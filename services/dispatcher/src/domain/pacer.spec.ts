import { SenderPacer } from './pacer.js';

/**
 * Drives a pacer with a deterministic clock: `callers` callers each take a token, wait what the
 * pacer says, "send" at that moment, and come back for another. Returns every send time.
 */
function simulate(
  pacer: SenderPacer,
  durationMs: number,
  callers: number,
  onSend?: (t: number) => void,
): number[] {
  const sends: number[] = [];
  // Each caller's next attempt time; a min-heap would be faster, callers are few.
  const next = Array.from({ length: callers }, () => 0);
  for (;;) {
    let index = 0;
    for (let i = 1; i < next.length; i++)
      if ((next[i] as number) < (next[index] as number)) index = i;
    const now = next[index] as number;
    if (now >= durationMs) break;
    const wait = pacer.reserve(now);
    const sendAt = now + wait;
    if (sendAt < durationMs) {
      sends.push(sendAt);
      onSend?.(sendAt);
    }
    next[index] = sendAt + 1; // the call itself takes a moment before the caller returns
  }
  return sends.sort((a, b) => a - b);
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

describe('SenderPacer', () => {
  it.each([20, 80, 1000])('never exceeds %i per second over any one-second window', (limit) => {
    const pacer = new SenderPacer({ limitPerSecond: limit }, 0);
    const sends = simulate(pacer, 10_000, 200);
    expect(maxInAnyWindow(sends, 1000)).toBeLessThanOrEqual(limit);
    // ...and uses the quota: at least 97% of limit × seconds.
    expect(sends.length).toBeGreaterThanOrEqual(Math.floor(limit * 10 * 0.97));
  });

  it('cuts the rate on 130429 once per cooldown, then climbs back to the limit (AIMD)', () => {
    const pacer = new SenderPacer(
      { limitPerSecond: 1000, cooldownMs: 1000, increasePerSecond: 50 },
      0,
    );
    // A storm: 500 throttled answers within 100 ms count as one signal.
    for (let t = 0; t < 100; t += 0.2) pacer.onThrottled(t);
    expect(pacer.currentRate()).toBe(500);
    // 200 ms after the cooldown it had climbed by 50/s × 0.2 s, then the next storm halves it again.
    pacer.onThrottled(1200);
    expect(pacer.currentRate()).toBeCloseTo((500 + 50 * 0.2) * 0.5, 6);
    // Converges back to the configured limit without overshooting it.
    const rates: number[] = [];
    for (let t = 1300; t <= 30_000; t += 100) {
      pacer.reserve(t);
      rates.push(pacer.currentRate());
    }
    expect(Math.max(...rates)).toBeLessThanOrEqual(1000);
    expect(rates[rates.length - 1]).toBe(1000);
    const reachedAt = 1300 + rates.findIndex((r) => r === 1000) * 100;
    expect(reachedAt).toBeLessThan(20_000);
  });

  it('settles below a sender whose real capacity is lower than its contract', () => {
    // The "real" sender accepts 300/s; the pacer is configured for 1000/s and must find the level.
    const pacer = new SenderPacer(
      { limitPerSecond: 1000, cooldownMs: 500, increasePerSecond: 100 },
      0,
    );
    const accepted: number[] = [];
    let throttled = 0;
    simulate(pacer, 60_000, 400, (t) => {
      const windowStart = t - 1000;
      while (accepted.length > 0 && (accepted[0] as number) <= windowStart) accepted.shift();
      if (accepted.length >= 300) {
        throttled++;
        pacer.onThrottled(t);
      } else accepted.push(t);
    });
    // Over the last 20 seconds the rate stays within a sawtooth around the real capacity.
    const late = pacer.currentRate();
    expect(late).toBeGreaterThan(100);
    expect(late).toBeLessThanOrEqual(1000);
    expect(throttled).toBeGreaterThan(0);
  });

  it('pause() holds every sender call until the pause ends', () => {
    const pacer = new SenderPacer({ limitPerSecond: 100 }, 0);
    pacer.pause(0, 5000);
    expect(pacer.reserve(10)).toBeGreaterThanOrEqual(4990);
  });
});

describe('SenderPacer.setLimit', () => {
  it('paces at the new limit at once, never above it over any one-second window', () => {
    const pacer = new SenderPacer({ limitPerSecond: 1000 }, 0);
    const sends: number[] = [];
    simulate(pacer, 5000, 200, (t) => sends.push(t));
    pacer.setLimit(500, 5000);
    expect(pacer.limit).toBe(500);
    expect(pacer.currentRate()).toBe(500);
    const later: number[] = [];
    // Continue from t = 5 s with a fresh set of callers.
    const next = Array.from({ length: 200 }, () => 5000);
    for (;;) {
      let index = 0;
      for (let i = 1; i < next.length; i++)
        if ((next[i] as number) < (next[index] as number)) index = i;
      const now = next[index] as number;
      if (now >= 15_000) break;
      const sendAt = now + pacer.reserve(now);
      if (sendAt < 15_000 && sendAt >= 6000) later.push(sendAt);
      next[index] = sendAt + 1;
    }
    later.sort((a, b) => a - b);
    expect(maxInAnyWindow(later, 1000)).toBeLessThanOrEqual(500);
    expect(later.length).toBeGreaterThanOrEqual(Math.floor(500 * 9 * 0.97));
  });

  it('keeps an AIMD slow-down proportional and climbs back only to the new limit', () => {
    const pacer = new SenderPacer({ limitPerSecond: 1000, cooldownMs: 1000 }, 0);
    pacer.onThrottled(0);
    expect(pacer.currentRate()).toBe(500);
    pacer.setLimit(500, 0);
    expect(pacer.currentRate()).toBe(250);
    for (let t = 0; t <= 60_000; t += 100) pacer.reserve(t);
    expect(pacer.currentRate()).toBe(500);
  });
});

describe('SenderPacer wire gate', () => {
  it('re-spaces calls that a variable delay bunched together', () => {
    const pacer = new SenderPacer({ limitPerSecond: 100 }, 0);
    // Slots every 10 ms, then a claim round trip that takes 0–300 ms, differently for each call.
    const leaves: number[] = [];
    let random = 7;
    for (let i = 0; i < 1000; i++) {
      const slot = pacer.reserve(0);
      random = (random * 1103515245 + 12345) % 2 ** 31;
      const claimed = slot + (random % 300);
      leaves.push(claimed);
    }
    // Without the gate some 1-second window holds more than the rate...
    leaves.sort((a, b) => a - b);
    let maxWithout = 0;
    for (let end = 0, start = 0; end < leaves.length; end++) {
      while ((leaves[end] as number) - (leaves[start] as number) >= 1000) start++;
      maxWithout = Math.max(maxWithout, end - start + 1);
    }
    expect(maxWithout).toBeGreaterThan(100);
    // ...with it, none does.
    const gated = leaves.map((t) => t + pacer.reserveWire(t)).sort((a, b) => a - b);
    let maxWith = 0;
    for (let end = 0, start = 0; end < gated.length; end++) {
      while ((gated[end] as number) - (gated[start] as number) >= 1000) start++;
      maxWith = Math.max(maxWith, end - start + 1);
    }
    expect(maxWith).toBeLessThanOrEqual(100);
  });
});
