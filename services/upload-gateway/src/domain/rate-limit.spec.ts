import { TenantRateLimiter } from './rate-limit.js';

describe('TenantRateLimiter', () => {
  it('allows the burst, then one request per interval, and says how long to wait', () => {
    let now = 0;
    const limiter = new TenantRateLimiter(60, 5, () => now); // 1/s, bursts of 5
    for (let i = 0; i < 5; i++) expect(limiter.take('acme')).toBeUndefined();
    const wait = limiter.take('acme');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1000);
    now += wait ?? 0;
    expect(limiter.take('acme')).toBeUndefined();
    expect(limiter.take('acme')).toBeGreaterThan(0);
  });

  it('keeps tenants apart', () => {
    const limiter = new TenantRateLimiter(60, 1, () => 0);
    expect(limiter.take('acme')).toBeUndefined();
    expect(limiter.take('acme')).toBeGreaterThan(0);
    expect(limiter.take('globex')).toBeUndefined();
  });

  it('never allows more than perMinute + burst in any minute', () => {
    let now = 0;
    const limiter = new TenantRateLimiter(120, 10, () => now);
    let allowed = 0;
    for (; now < 60_000; now += 50) if (limiter.take('acme') === undefined) allowed++;
    expect(allowed).toBeLessThanOrEqual(120 + 10);
    expect(allowed).toBeGreaterThanOrEqual(120);
  });
});
