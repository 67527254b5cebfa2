import type { BroadcastState } from '../domain/progress.js';
import type { FactSource, RecipientState, StateCounts } from '../domain/recipient-state.js';
import type { ResendFilter } from '../domain/resend-eligibility.js';

/**
 * Where broadcasts and recipient outcomes live. An abstract class: the type and the Nest DI token.
 * The implementation (PostgresBroadcastStore) runs on PostgreSQL or PGlite.
 *
 * Every read takes the tenant: a broadcast of another tenant is indistinguishable from a missing
 * one. Writes come in batches (one Kafka batch or one webhook POST = one `apply` = one transaction).
 */

export interface TemplateInfo {
  name: string;
  language: string;
  parameterFormat?: 'positional' | 'named';
}

export interface BroadcastDraft {
  tenantId: string;
  id: string;
  name?: string;
  phoneNumberId: string;
  template: TemplateInfo;
  mapping: unknown;
  defaultCountry?: string;
  object: { bucket: string; key: string };
}

export interface BroadcastRecord {
  tenantId: string;
  id: string;
  name?: string;
  /** Stored lifecycle; the shown state is derived (publicState). */
  state: BroadcastState;
  failureReason?: string;
  failureMessage?: string;
  phoneNumberId?: string;
  template?: TemplateInfo;
  mapping?: unknown;
  defaultCountry?: string;
  object?: { bucket: string; key: string };
  createdAt: Date;
  startedAt?: Date;
  splitCompletedAt?: Date;
  completedAt?: Date;
  totalRows?: number;
  recipients?: number;
  counts: StateCounts;
  /** Waves (resends): the original broadcast this one resends to, its wave number and selection. */
  parentBroadcastId?: string;
  waveNumber?: number;
  waveSelected?: number;
  waveOrigin?: WaveOrigin;
}

/** Who created a wave: an operator (POST .../resend) or the unknown-window sweep (UNKNOWN_POLICY=resend). */
export type WaveOrigin = 'operator' | 'unknown-policy';

/** A wave as created: everything its `broadcast.uploaded` needs (the original's settings). */
export interface WaveRecord {
  tenantId: string;
  id: string;
  parentBroadcastId: string;
  number: number;
  selected: number;
  origin: WaveOrigin;
  createdAt: Date;
  name?: string;
  phoneNumberId: string;
  template: TemplateInfo;
  mapping: unknown;
  defaultCountry?: string;
  object: { bucket: string; key: string };
}

export interface WaveRequest {
  tenantId: string;
  /** The original broadcast or any of its waves. */
  broadcastId: string;
  /** Id of the wave if one is created. */
  newId: string;
  filter: ResendFilter;
  origin: WaveOrigin;
  /** UNKNOWN_POLICY=resend: an unknown outcome is resent automatically at most once per row. */
  unknownAtMostOnce?: boolean;
}

export type WaveOutcome =
  | { kind: 'not-found' }
  /** The original was never started (inline ones have no object to re-read: `not-resendable`). */
  | { kind: 'not-started' }
  | { kind: 'not-resendable'; reason: string }
  /** The original or its latest wave is still running (or paused). */
  | { kind: 'running'; broadcastId: string; state: string }
  | { kind: 'nothing-eligible' }
  | { kind: 'created'; wave: WaveRecord }
  /** The latest wave exists but was never started (its uploaded event was lost): publish it again. */
  | { kind: 'not-yet-started'; wave: WaveRecord };

export interface ReasonCount {
  state: 'failed' | 'skipped';
  code: string;
  title?: string;
  count: number;
}

export interface RateSample {
  terminalInWindow: number;
  oldestInWindow?: Date;
  now: Date;
}

export interface RecipientRecord {
  rowNumber: number;
  phone?: string;
  e164?: string;
  state: RecipientState;
  wamid?: string;
  errorCode?: string;
  errorReason?: string;
  updatedAt: Date;
}

/** One fact about a recipient: a send result, a status webhook, or a row outcome of the splitter. */
export interface RecipientFact {
  /** Unknown for webhooks (resolved from the broadcast id, or the wamid's row). */
  tenantId?: string;
  /** Short error title for failedByReason (errorReason may add Meta's details). */
  errorTitle?: string;
  /** With rowNumber: the recipient (send-results, webhook callback data). */
  broadcastId?: string;
  rowNumber?: number;
  /** Correlation fallback for webhooks without our callback data. */
  wamid?: string;
  state: RecipientState;
  source: FactSource;
  errorCode?: string;
  errorReason?: string;
  /** skipped rows: the phone as given and its normalised form, when known. */
  phone?: string;
  e164?: string;
  /**
   * Tracing on, send results: the W3C traceparent of the result's span, stored on the recipient so
   * that its later status webhooks (which carry no trace context) join the recipient's trace.
   */
  traceparent?: string;
}

export type TrackerCommand =
  | {
      kind: 'broadcast-started';
      tenantId: string;
      broadcastId: string;
      at: Date;
      source?: 'object' | 'inline';
      phoneNumberId?: string;
      template?: TemplateInfo;
      mapping?: unknown;
      defaultCountry?: string;
      object?: { bucket: string; key: string };
      parentBroadcastId?: string;
    }
  | {
      kind: 'recipients';
      tenantId: string;
      broadcastId: string;
      phoneNumberId?: string;
      template?: TemplateInfo;
      rows: { rowNumber: number; phone: string; e164: string }[];
    }
  | { kind: 'facts'; facts: RecipientFact[] }
  | {
      kind: 'split-completed';
      tenantId: string;
      broadcastId: string;
      totalRows: number;
      recipients: number;
      skipped: number;
      at: Date;
    }
  | {
      /**
       * The broadcast's cancel was recorded: its recipients still `pending` become `cancelled`. The
       * same sweep also runs in every later transaction that touches a cancelled broadcast (rows the
       * splitter announces after the cancel), so nothing can stay pending behind a cancel.
       */
      kind: 'cancel-pending';
      tenantId: string;
      broadcastId: string;
    }
  | {
      kind: 'split-failed';
      tenantId: string;
      broadcastId: string;
      reason: string;
      message: string;
      at: Date;
    };

export interface ApplyResult {
  /** Facts that found their recipient (including ones that changed nothing: duplicates). */
  matched: number;
  /** Facts whose recipient is unknown here (not ours, or its broadcast was never registered). */
  unmatched: number;
  /** Recipients whose state changed. */
  transitions: number;
  /** The same, by the state they moved to (metrics). */
  transitionsByState: Partial<Record<RecipientState, number>>;
  /** Broadcasts that became complete in this batch. */
  completed: { tenantId: string; broadcastId: string }[];
  /** Webhook facts whose recipient has a stored trace context (see RecipientFact.traceparent). */
  traced?: { fact: RecipientFact; traceparent: string; changed: boolean }[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export abstract class BroadcastStore {
  /** Registers (or re-registers: idempotent) a draft; `created` is false when it existed. */
  abstract registerDraft(draft: BroadcastDraft): Promise<{ created: boolean }>;

  /** Applies the commands in order, in one transaction, then recomputes completion of the touched broadcasts. */
  abstract apply(commands: readonly TrackerCommand[]): Promise<ApplyResult>;

  abstract get(tenantId: string, broadcastId: string): Promise<BroadcastRecord | undefined>;

  abstract reasons(tenantId: string, broadcastId: string): Promise<ReasonCount[]>;

  abstract rateSample(
    tenantId: string,
    broadcastId: string,
    windowSeconds: number,
  ): Promise<RateSample>;

  /** Newest first; `after` is a `nextCursor` of an earlier page (InvalidCursorError otherwise). */
  abstract list(
    tenantId: string,
    options: { limit: number; after?: string },
  ): Promise<Page<BroadcastRecord>>;

  /** Rows after `afterRowNumber` in row order, optionally only one state. */
  abstract recipients(
    tenantId: string,
    broadcastId: string,
    options: { state?: RecipientState; afterRowNumber?: number; limit: number },
  ): Promise<RecipientRecord[]>;

  /**
   * Policy `report` of the unknown-outcome window: recipients still `unknown` (no status webhook)
   * `windowSeconds` after their last change are reported as such: they stay `unknown` (terminal,
   * never resent) and their reason says that no webhook came. Returns how many were reported.
   */
  abstract reportStaleUnknown(windowSeconds: number): Promise<number>;

  /**
   * Creates the next wave of a broadcast (see domain/resend-eligibility.ts): one transaction that
   * checks the family is over, stores the selected rows (wave_rows) and the wave's broadcast row
   * (state `created`, the original's settings). Concurrent calls on one family serialise.
   */
  abstract createWave(request: WaveRequest): Promise<WaveOutcome>;

  /** The selected row numbers of a wave after `afterRowNumber`, ascending; undefined: no such broadcast. */
  abstract waveRows(
    tenantId: string,
    waveId: string,
    options: { afterRowNumber?: number; limit: number },
  ): Promise<number[] | undefined>;

  /** The waves of an original broadcast, in wave order. */
  abstract waves(tenantId: string, parentBroadcastId: string): Promise<BroadcastRecord[]>;

  /**
   * UNKNOWN_POLICY=resend: the families (tenant, original) that hold unknown outcomes reported past
   * the window and not resent yet, from broadcasts with an object (inline ones cannot be re-read).
   * Only unknowns reported in the last `maxAgeSeconds`: turning the policy on never resends old ones.
   */
  abstract familiesWithStaleUnknown(
    limit: number,
    maxAgeSeconds: number,
  ): Promise<{ tenantId: string; broadcastId: string }[]>;

  /** Readiness: the database answers. */
  abstract ping(): Promise<boolean>;

  abstract close(): Promise<void>;
}

/** A paging cursor that this service did not issue (HTTP 400 at the edge). */
export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super('the cursor is not one this API returned');
    this.name = 'InvalidCursorError';
  }
}
