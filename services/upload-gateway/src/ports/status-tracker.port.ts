import type { Readable } from 'node:stream';
import type { CsvMapping, TemplateRef } from '@wab/contracts';

/** Body of `PUT /internal/broadcasts/:id`: registers a draft (state `created`); idempotent. */
export interface BroadcastRegistration {
  tenantId: string;
  name?: string;
  phoneNumberId: string;
  template: Required<Pick<TemplateRef, 'name' | 'language'>> & Pick<TemplateRef, 'parameterFormat'>;
  mapping: CsvMapping;
  defaultCountry?: string;
  object: { bucket: string; key: string };
}

export type BroadcastState =
  | 'created'
  | 'scheduled'
  | 'splitting'
  | 'sending'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'cancelled';

/** A broadcast's start schedule in status-tracker (broadcast_schedules). */
export interface ScheduleView {
  broadcastId: string;
  startAt: string;
  status: 'scheduled' | 'claimed' | 'started' | 'failed' | 'unscheduled' | 'cancelled';
  attempts: number;
  failureCode?: string;
  failureReason?: string;
}

/** A due schedule claimed by this gateway for a lease (see ScheduleRunner). */
export interface ClaimedSchedule {
  tenantId: string;
  broadcastId: string;
  startAt: string;
  claimToken: string;
  attempts: number;
}

export type ScheduleChange =
  | { kind: 'ok'; schedule: ScheduleView }
  | { kind: 'not-found' }
  /** Not a draft any more (`state`), nothing scheduled, or a claimer is starting it right now. */
  | {
      kind: 'conflict';
      code: 'not-draft' | 'not-scheduled' | 'starting';
      message: string;
      state?: string;
    };

/** `GET /internal/broadcasts/:id` (the fields the gateway reads; the rest is passed through untouched). */
export interface BroadcastStatus {
  id: string;
  tenantId: string;
  state: BroadcastState;
  [field: string]: unknown;
}

export interface PageQuery {
  limit?: number;
  after?: string;
}

export interface RecipientsQuery extends PageQuery {
  state?: string;
}

export interface ReportStream {
  body: Readable;
  contentType: string;
  /** Set by status-tracker when it knows the name; the gateway has its own otherwise. */
  contentDisposition?: string;
}

/**
 * status-tracker's internal API: progress, recipients and reports live there. Every call carries the
 * caller's tenant; another tenant's broadcast is indistinguishable from a missing one (undefined).
 * Abstract class = type and DI token.
 */
export abstract class StatusTracker {
  abstract register(broadcastId: string, registration: BroadcastRegistration): Promise<void>;
  abstract get(tenantId: string, broadcastId: string): Promise<BroadcastStatus | undefined>;
  /** The tracker's page object, passed through (`{ items, next? }` or what it answers). */
  abstract list(tenantId: string, query: PageQuery): Promise<unknown>;
  abstract recipients(
    tenantId: string,
    broadcastId: string,
    query: RecipientsQuery,
  ): Promise<unknown>;
  /** The report as a stream, never buffered; undefined for an unknown broadcast. */
  abstract report(tenantId: string, broadcastId: string): Promise<ReportStream | undefined>;
  /** Schedules (or reschedules) the start of a draft. */
  abstract schedule(tenantId: string, broadcastId: string, startAt: Date): Promise<ScheduleChange>;
  /** Removes the start time: back to a draft, or (`final`) cancelled. */
  abstract unschedule(
    tenantId: string,
    broadcastId: string,
    final: boolean,
  ): Promise<ScheduleChange>;
  /** Claims due schedules of every tenant for `leaseSeconds` (exactly one claimer gets each). */
  abstract claimSchedules(
    claimToken: string,
    limit: number,
    leaseSeconds: number,
  ): Promise<ClaimedSchedule[]>;
  /** Ends a claim; false when it is no longer ours. */
  abstract finishSchedule(
    claim: ClaimedSchedule,
    outcome:
      { status: 'started' } | { status: 'failed'; failureCode: string; failureMessage: string },
  ): Promise<boolean>;
}
