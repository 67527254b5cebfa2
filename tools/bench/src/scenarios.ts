// The six scenarios of issue 5. Sizes are for `--scale 1`; each runs on a fresh stack.

export type ScenarioName =
  'seed' | 'default-tier' | 'shared-sender' | 'capacity' | 'naive' | 'big-file';

export interface Scenario {
  name: ScenarioName;
  description: string;
  /** CSV rows at scale 1 (the fixture has ~1.5% invalid and ~1.5% duplicate rows). */
  rows: number;
  /** The sender's quota; undefined = no limit (capacity). */
  senderLimitMps: number | undefined;
  latency: string;
  dispatchers: number;
  kind: 'send' | 'naive' | 'split';
  /** Extra dispatcher environment. */
  dispatcherEnv?: Record<string, string>;
}

/** What "no sender limit" means: far above anything this machine can send. */
export const UNLIMITED_MPS = 1_000_000;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'seed',
    description: 'the 50,000-message story: one sender at 1,000 mps, lognormal latency median 2 s',
    rows: 50_000,
    senderLimitMps: 1000,
    latency: 'lognormal:2000:6000',
    dispatchers: 1,
    kind: 'send',
    // Little's law: 1,000/s × ~2.24 s mean latency ≈ 2,240 in flight, plus the p99 tail.
    dispatcherEnv: { DISPATCH_MAX_IN_FLIGHT: '4000' },
  },
  {
    name: 'default-tier',
    description: 'a default-tier sender: 80 mps, lognormal latency median 1 s',
    rows: 20_000,
    senderLimitMps: 80,
    latency: 'lognormal:1000:3000',
    dispatchers: 1,
    kind: 'send',
  },
  {
    name: 'shared-sender',
    description: 'seed with two dispatcher replicas sharing the sender (each paces at its share)',
    rows: 50_000,
    senderLimitMps: 1000,
    latency: 'lognormal:2000:6000',
    dispatchers: 2,
    kind: 'send',
    dispatcherEnv: { DISPATCH_MAX_IN_FLIGHT: '4000' },
  },
  {
    name: 'capacity',
    description: 'no sender limit, 20 ms latency: recipients per second end to end on this machine',
    rows: 200_000,
    senderLimitMps: undefined,
    latency: 'fixed:20',
    dispatchers: 1,
    kind: 'send',
  },
  {
    name: 'naive',
    description:
      'seed through the obvious implementation (NestJS @EventPattern on ServerKafka, one awaited call per message), bounded window, extrapolated',
    rows: 50_000,
    senderLimitMps: 1000,
    latency: 'lognormal:2000:6000',
    dispatchers: 0,
    kind: 'naive',
  },
  {
    name: 'big-file',
    description: '1,000,000-row CSV through upload and csv-splitter (until split-completed)',
    rows: 1_000_000,
    senderLimitMps: undefined,
    latency: 'none',
    dispatchers: 0,
    kind: 'split',
  },
];

export function scaledRows(scenario: Scenario, scale: number): number {
  return Math.max(100, Math.round(scenario.rows * scale));
}
