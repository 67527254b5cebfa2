import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@wab/service-runtime';
import type { BroadcastState } from './domain/progress.js';
import type { RecipientState } from './domain/recipient-state.js';

/**
 * The tracker's Prometheus series (names agreed with the dashboards and alerts in deploy/, checked
 * by tools/deploy-checks). Labels are bounded: states, outcomes, a fixed set of account-level error
 * codes; never a broadcast id, tenant or phone number.
 *
 * The broadcast gauges (by state, oldest ETA, stalled) are read from the database when Prometheus
 * scrapes, not kept in memory: they describe the whole deployment, so every replica reports the
 * same values (aggregate them with max, not sum, across replicas).
 */

/** Account-level Graph error codes worth a page: token expired, template paused, spam limit, restricted. */
export const ACCOUNT_ERROR_CODES = new Set(['190', '132015', '131048', '368']);

/** A broadcast is stalled when it is splitting or sending and nothing changed for this long. */
export const STALLED_AFTER_SECONDS = 600;

export interface BroadcastSnapshot {
  /** Broadcasts per stored lifecycle state (completion is kept current by every write). */
  byState: Partial<Record<BroadcastState, number>>;
  /** Incomplete broadcasts without progress for STALLED_AFTER_SECONDS. */
  stalled: number;
  /**
   * ETA of the oldest sending broadcast: 0 when none is sending, +Inf while it is sending without
   * any outcome in the rate window (no rate, no estimate: see the stalled gauge).
   */
  oldestEtaSeconds: number;
}

/** Where the gauges come from (the Postgres adapter in production); set once the database is open. */
export type BroadcastSnapshotSource = () => Promise<BroadcastSnapshot>;

const BROADCAST_STATES_SHOWN: readonly BroadcastState[] = [
  'created',
  'splitting',
  'sending',
  'completed',
  'failed',
  'cancelled',
];

let snapshotSource: BroadcastSnapshotSource | undefined;
let onSnapshotError: (error: unknown) => void = () => undefined;
/** One database read per scrape serves all three gauges (prom-client collects them one by one). */
let pending: Promise<BroadcastSnapshot | undefined> | undefined;

function snapshot(): Promise<BroadcastSnapshot | undefined> {
  if (!snapshotSource) return Promise.resolve(undefined);
  pending ??= snapshotSource()
    .catch((error: unknown) => {
      onSnapshotError(error);
      return undefined;
    })
    .finally(() => {
      // Released on the next tick: the other gauges of the same scrape share this read.
      setImmediate(() => {
        pending = undefined;
      });
    });
  return pending;
}

export const trackerMetrics = {
  writeBatchSize: new Histogram({
    name: 'wab_tracker_write_batch_size',
    help: 'Events or webhook statuses written in one database transaction, by source.',
    labelNames: ['source'] as const,
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000, 5000],
    registers: [metricsRegistry],
  }),
  writeDuration: new Histogram({
    name: 'wab_tracker_write_duration_seconds',
    help: 'Duration of one write transaction (including retries), by source.',
    labelNames: ['source'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metricsRegistry],
  }),
  webhookRequests: new Counter({
    name: 'wab_tracker_webhook_requests_total',
    help: 'Meta webhook POSTs, by outcome (accepted, bad_signature, invalid).',
    labelNames: ['outcome'] as const,
    registers: [metricsRegistry],
  }),
  transitions: new Counter({
    name: 'wab_tracker_recipient_transitions_total',
    help: 'Recipients that moved to a state (accepted, sent, delivered, read, failed, skipped, unknown, cancelled).',
    labelNames: ['state'] as const,
    registers: [metricsRegistry],
  }),
  accountErrors: new Counter({
    name: 'wab_tracker_account_errors_total',
    help: 'Account-level Cloud API errors (190, 132015, 131048, 368) seen in send results or webhooks.',
    labelNames: ['code'] as const,
    registers: [metricsRegistry],
  }),
  broadcasts: new Gauge({
    name: 'wab_tracker_broadcasts',
    help: 'Broadcasts by state (created, splitting, sending, completed, failed, cancelled).',
    labelNames: ['state'] as const,
    registers: [metricsRegistry],
    async collect() {
      const snap = await snapshot();
      if (!snap) return;
      for (const state of BROADCAST_STATES_SHOWN) this.set({ state }, snap.byState[state] ?? 0);
    },
  }),
  oldestEta: new Gauge({
    name: 'wab_tracker_oldest_broadcast_eta_seconds',
    help: 'Estimated seconds until the oldest sending broadcast completes (0: none sending; +Inf: no recent progress).',
    registers: [metricsRegistry],
    async collect() {
      const snap = await snapshot();
      if (snap) this.set(snap.oldestEtaSeconds);
    },
  }),
  stalled: new Gauge({
    name: 'wab_tracker_broadcast_stalled',
    help: 'Incomplete (splitting or sending) broadcasts without progress for 10 minutes.',
    registers: [metricsRegistry],
    async collect() {
      const snap = await snapshot();
      if (snap) this.set(snap.stalled);
    },
  }),
};

/** Binds the broadcast gauges to the database (once it is open); errors are reported, not thrown. */
export function observeBroadcasts(
  source: BroadcastSnapshotSource,
  onError: (error: unknown) => void,
): void {
  snapshotSource = source;
  onSnapshotError = onError;
}

/** Records one write transaction: its size, duration, recipient transitions. */
export function recordWrite(
  source: string,
  size: number,
  seconds: number,
  transitionsByState: Partial<Record<RecipientState, number>>,
): void {
  trackerMetrics.writeBatchSize.observe({ source }, size);
  trackerMetrics.writeDuration.observe({ source }, seconds);
  for (const [state, count] of Object.entries(transitionsByState)) {
    if (count > 0) trackerMetrics.transitions.inc({ state }, count);
  }
}

/** Counts an account-level error code (others are ignored: bounded label set). */
export function recordAccountError(code: string | number | undefined): void {
  if (code === undefined) return;
  const key = String(code);
  if (ACCOUNT_ERROR_CODES.has(key)) trackerMetrics.accountErrors.inc({ code: key });
}

// Series exist from the start at 0, so that `increase()` sees the first error (a counter born at 1
// has no increase in Prometheus' eyes).
for (const code of ACCOUNT_ERROR_CODES) trackerMetrics.accountErrors.inc({ code }, 0);
for (const outcome of ['accepted', 'bad_signature', 'invalid']) {
  trackerMetrics.webhookRequests.inc({ outcome }, 0);
}

/**
 * Opt-outs from webhooks (STOP replies, user_preferences), by action (stop, resume) and outcome:
 * `recorded` (added or removed for at least one tenant), `unchanged` (already so), `unattributed`
 * (the business number is no tenant's: ignored).
 */
export const optOutMetrics = new Counter({
  name: 'wab_tracker_opt_outs_total',
  help: 'Opt-out and opt-in webhooks (STOP replies, user_preferences), by action and outcome (recorded, unchanged, unattributed).',
  labelNames: ['action', 'outcome'] as const,
  registers: [metricsRegistry],
});
for (const action of ['stop', 'resume']) {
  for (const outcome of ['recorded', 'unchanged', 'unattributed']) {
    optOutMetrics.inc({ action, outcome }, 0);
  }
}
