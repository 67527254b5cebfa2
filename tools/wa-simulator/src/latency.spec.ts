import { latencySampler, parseLatency } from './latency.js';
import { seededRandom } from './random.js';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

test('lognormal draws match the configured median and p99 (±5 %, 50k draws, seeded)', () => {
  const draw = latencySampler({ kind: 'lognormal', medianMs: 2000, p99Ms: 8000 }, seededRandom(42));
  const samples = Array.from({ length: 50_000 }, draw).sort((a, b) => a - b);
  expect(quantile(samples, 0.5)).toBeGreaterThan(1900);
  expect(quantile(samples, 0.5)).toBeLessThan(2100);
  expect(quantile(samples, 0.99)).toBeGreaterThan(7600);
  expect(quantile(samples, 0.99)).toBeLessThan(8400);
});

test('uniform, fixed, cap and parsing', () => {
  const uniform = latencySampler(parseLatency('uniform:100:200'), seededRandom(1));
  for (let i = 0; i < 1000; i++) {
    const v = uniform();
    expect(v).toBeGreaterThanOrEqual(100);
    expect(v).toBeLessThanOrEqual(200);
  }
  expect(latencySampler(parseLatency('fixed:250'), Math.random)()).toBe(250);
  const capped = latencySampler(parseLatency('lognormal:100:10000:300'), seededRandom(3));
  expect(Math.max(...Array.from({ length: 5000 }, capped))).toBeLessThanOrEqual(300);
  expect(parseLatency('none')).toEqual({ kind: 'none' });
  expect(() => parseLatency('gaussian:1')).toThrow(/bad latency spec/);
  expect(() => latencySampler({ kind: 'lognormal', medianMs: 10, p99Ms: 5 }, Math.random)).toThrow();
});
