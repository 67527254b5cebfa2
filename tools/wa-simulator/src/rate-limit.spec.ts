import { ManualClock } from './clock.js';
import { PairLimiter, PortfolioLimiter, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  test('a burst over the limit is refused for exactly the excess (frozen clock)', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(80, 80, clock);
    let accepted = 0;
    for (let i = 0; i < 130; i++) if (bucket.tryTake()) accepted++;
    expect(accepted).toBe(80);
    expect(130 - accepted).toBe(50);
  });

  test('refills continuously at the configured rate', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(1000, 1000, clock);
    for (let i = 0; i < 1000; i++) bucket.tryTake();
    expect(bucket.tryTake()).toBe(false);
    clock.advance(10); // 10 ms at 1000 mps = 10 tokens
    let accepted = 0;
    for (let i = 0; i < 20; i++) if (bucket.tryTake()) accepted++;
    expect(accepted).toBe(10);
    clock.advance(5_000); // never above capacity
    expect(bucket.available()).toBe(1000);
  });

  test('inbound traffic drives the balance negative and delays outbound', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(20, 20, clock);
    for (let i = 0; i < 25; i++) bucket.forceTake();
    expect(bucket.tryTake()).toBe(false);
    clock.advance(300); // +6 tokens → balance 1
    expect(bucket.tryTake()).toBe(true);
  });
});

describe('PairLimiter', () => {
  test('allows the burst to one recipient, then one per interval; other recipients unaffected', () => {
    const clock = new ManualClock();
    const pairs = new PairLimiter(6000, 3, clock);
    expect([1, 2, 3, 4].map(() => pairs.tryTake('pn', '111'))).toEqual([true, true, true, false]);
    expect(pairs.tryTake('pn', '222')).toBe(true);
    expect(pairs.tryTake('other-number', '111')).toBe(true);
    clock.advance(5999);
    expect(pairs.tryTake('pn', '111')).toBe(false);
    clock.advance(1);
    expect(pairs.tryTake('pn', '111')).toBe(true);
    expect(pairs.tryTake('pn', '111')).toBe(false);
  });

  test('sweeps recipients whose allowance is full again', () => {
    const clock = new ManualClock();
    const pairs = new PairLimiter(6000, 2, clock);
    for (let i = 0; i < 100; i++) pairs.tryTake('pn', String(i));
    expect(pairs.size()).toBe(100);
    clock.advance(61_000);
    pairs.tryTake('pn', 'new');
    expect(pairs.size()).toBe(1);
  });
});

describe('PortfolioLimiter', () => {
  test('counts unique recipients in a moving 24 h window', () => {
    const clock = new ManualClock();
    const portfolio = new PortfolioLimiter(2, clock);
    expect(portfolio.admit('a')).toBe(true);
    expect(portfolio.admit('b')).toBe(true);
    expect(portfolio.admit('a')).toBe(true); // already counted
    expect(portfolio.admit('c')).toBe(false);
    clock.advance(24 * 3600 * 1000);
    expect(portfolio.admit('c')).toBe(true);
  });
});
