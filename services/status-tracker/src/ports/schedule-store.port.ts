/**
 * Scheduled starts (`startAt` of upload-gateway's start). The row is the durable truth: the gateway
 * that accepted the schedule may restart, and several gateway replicas poll for due starts, so a
 * due start is *claimed* by a conditional update (exactly one claimer wins) for a lease; the winner
 * starts the broadcast exactly as an immediate start and then finishes the claim. A claimer that
 * died leaves a lease that runs out, and another claims it again: starting twice is harmless
 * (start is idempotent by event id), never starting is not. Abstract class = type and DI token.
 *
 * LOUD WARNING: statuses are persisted (broadcast_schedules.status); add values, never rename.
 */
export const SCHEDULE_STATUSES = [
  'scheduled',
  'claimed',
  'started',
  'failed',
  'unscheduled',
  'cancelled',
] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

export interface ScheduleRecord {
  tenantId: string;
  broadcastId: string;
  startAt: Date;
  status: ScheduleStatus;
  attempts: number;
  failureCode?: string;
  failureMessage?: string;
}

export interface ClaimedSchedule {
  tenantId: string;
  broadcastId: string;
  startAt: Date;
  claimToken: string;
  attempts: number;
}

export type ScheduleResult =
  | { kind: 'scheduled'; schedule: ScheduleRecord }
  | { kind: 'not-found' }
  /** The broadcast has left `created` (started) or was cancelled: nothing to schedule. */
  | { kind: 'not-draft'; state: string }
  /** A claimer is starting it right now. */
  | { kind: 'starting' };

export type UnscheduleResult =
  | { kind: 'unscheduled' | 'cancelled'; schedule: ScheduleRecord }
  | { kind: 'not-found' }
  | { kind: 'not-scheduled' }
  | { kind: 'starting' };

export type ScheduleFinish =
  { status: 'started' } | { status: 'failed'; failureCode: string; failureMessage: string };

export abstract class ScheduleStore {
  /** Schedules (or reschedules) a draft of the tenant. */
  abstract schedule(tenantId: string, broadcastId: string, startAt: Date): Promise<ScheduleResult>;

  /** Before the claim: `final` false → back to a draft (`unscheduled`), true → `cancelled`. */
  abstract unschedule(
    tenantId: string,
    broadcastId: string,
    final: boolean,
  ): Promise<UnscheduleResult>;

  abstract get(tenantId: string, broadcastId: string): Promise<ScheduleRecord | undefined>;

  /** The schedules of several broadcasts of one tenant (a page of the listing). */
  abstract getMany(tenantId: string, broadcastIds: readonly string[]): Promise<ScheduleRecord[]>;

  /**
   * Claims up to `limit` due schedules (start time reached, or a claim whose lease ran out) for
   * `leaseSeconds`, under `claimToken`. Concurrent claimers never get the same row.
   */
  abstract claimDue(
    limit: number,
    leaseSeconds: number,
    claimToken: string,
  ): Promise<ClaimedSchedule[]>;

  /** Ends a claim; false when the claim is no longer ours (lease ran out and another claimed it). */
  abstract finish(
    tenantId: string,
    broadcastId: string,
    claimToken: string,
    outcome: ScheduleFinish,
  ): Promise<boolean>;
}
