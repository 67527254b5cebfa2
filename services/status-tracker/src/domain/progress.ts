import { type RecipientState, type StateCounts, RECIPIENT_STATES } from './recipient-state.js';

/**
 * Broadcast-level facts derived from the recipient counters. Completion is computed, never a flag set
 * early: a broadcast is complete when the splitter has announced its totals (split-completed) and
 * every row it announced has a terminal state, i.e. no recipient is pending and the counters account
 * for every row (`totalRows = recipients + skipped` of split-completed; rows arrive before the totals
 * on the same partition, but a late or re-delivered row must not be able to slip past the check).
 */

/** LOUD WARNING: persisted in `broadcasts.state`; add values, never rename. */
export const BROADCAST_STATES = [
  'created',
  'splitting',
  'sending',
  'completed',
  'failed',
  'cancelled',
] as const;
export type BroadcastState = (typeof BROADCAST_STATES)[number];

export interface CompletionInput {
  /** split-completed seen (the totals are known). */
  splitCompleted: boolean;
  /** `totalRows` of split-completed. */
  totalRows: number | undefined;
  counts: StateCounts;
}

export function totalCounted(counts: StateCounts): number {
  return RECIPIENT_STATES.reduce((sum, state) => sum + counts[state], 0);
}

export function isComplete({ splitCompleted, totalRows, counts }: CompletionInput): boolean {
  if (!splitCompleted || totalRows === undefined) return false;
  return counts.pending === 0 && totalCounted(counts) >= totalRows;
}

/**
 * The state shown for a stored lifecycle state: `sending` and `completed` are the computed pair
 * (a stored `completed` whose counters say otherwise shows as `sending`, and vice versa), the others
 * are facts of their own (split failed, cancelled, not started).
 */
export function publicState(stored: BroadcastState, complete: boolean): BroadcastState {
  if (stored === 'sending' || stored === 'completed') return complete ? 'completed' : 'sending';
  return stored;
}

export interface RateWindow {
  /** Recipients that reached a terminal state within the window. */
  terminalInWindow: number;
  /** Earliest such transition (undefined when none). */
  oldestInWindow: Date | undefined;
  windowSeconds: number;
  now: Date;
}

/**
 * Terminal outcomes per second over the recent window. A broadcast younger than the window is
 * measured over its own age (from its first outcome in the window), not diluted over the full
 * window; at least one second so that one outcome does not read as a thousand per second.
 */
export function ratePerSecond({
  terminalInWindow,
  oldestInWindow,
  windowSeconds,
  now,
}: RateWindow): number {
  if (terminalInWindow === 0 || oldestInWindow === undefined) return 0;
  const spanSeconds = Math.min(
    windowSeconds,
    Math.max(1, (now.getTime() - oldestInWindow.getTime()) / 1000),
  );
  return Math.round((terminalInWindow / spanSeconds) * 100) / 100;
}

/** Seconds until every pending recipient is done at the current rate; undefined when unknown. */
export function etaSeconds(pending: number, rate: number): number | undefined {
  if (pending === 0) return 0;
  if (rate <= 0) return undefined;
  return Math.ceil(pending / rate);
}

export type { RecipientState };
