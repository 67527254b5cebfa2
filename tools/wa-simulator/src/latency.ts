import type { Random } from './random.js';

/**
 * How long the simulated Graph API takes to answer a send. Meta publishes no figure; users report
 * about 1–2 s per call (reference §7), so a lognormal with a 2 s median and a long tail is the
 * realistic setting for throughput work, and `none` is for functional tests.
 */
export type LatencyModel =
  | { kind: 'none' }
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; medianMs: number; p99Ms: number; maxMs?: number };

/** z-score of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

export function latencySampler(model: LatencyModel, random: Random): () => number {
  switch (model.kind) {
    case 'none':
      return () => 0;
    case 'fixed':
      return () => model.ms;
    case 'uniform':
      return () => model.minMs + random() * (model.maxMs - model.minMs);
    case 'lognormal': {
      if (!(model.p99Ms > model.medianMs && model.medianMs > 0)) {
        throw new Error('lognormal latency needs 0 < median < p99');
      }
      const mu = Math.log(model.medianMs);
      const sigma = Math.log(model.p99Ms / model.medianMs) / Z99;
      const cap = model.maxMs ?? Number.POSITIVE_INFINITY;
      return () => Math.min(cap, Math.exp(mu + sigma * standardNormal(random)));
    }
  }
}

/** Box–Muller transform. */
function standardNormal(random: Random): number {
  let u = random();
  while (u <= Number.EPSILON) u = random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Parses `none`, `fixed:200`, `uniform:100:500`, `lognormal:2000:8000[:30000]`. */
export function parseLatency(spec: string): LatencyModel {
  const [kind, ...rest] = spec.split(':');
  const nums = rest.map(Number);
  if (nums.some((n) => !Number.isFinite(n) || n < 0)) throw new Error(`bad latency spec "${spec}"`);
  switch (kind ?? '') {
    case 'none':
      return { kind: 'none' };
    case 'fixed':
      if (nums.length === 1) return { kind: 'fixed', ms: nums[0]! };
      break;
    case 'uniform':
      if (nums.length === 2) return { kind: 'uniform', minMs: nums[0]!, maxMs: nums[1]! };
      break;
    case 'lognormal':
      if (nums.length === 2 || nums.length === 3) {
        return { kind: 'lognormal', medianMs: nums[0]!, p99Ms: nums[1]!, ...(nums[2] !== undefined ? { maxMs: nums[2] } : {}) };
      }
      break;
  }
  throw new Error(`bad latency spec "${spec}" (none | fixed:MS | uniform:MIN:MAX | lognormal:MEDIAN:P99[:MAX])`);
}
