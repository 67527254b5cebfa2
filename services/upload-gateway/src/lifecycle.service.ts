/**
 * Pause, resume and cancel: an operator's action becomes one `broadcast.control` event on
 * `broadcast-control`, keyed by the broadcast id so the actions on one broadcast stay in order on one
 * partition. The dispatcher and csv-splitter stop (or restart) taking work for the broadcast, and
 * status-tracker records the state it shows (`paused`, `cancelled`). We answer 202 once the event is
 * durable in Kafka: the effect follows asynchronously, as the status shows.
 *
 * Idempotency: actions are naturally idempotent (pausing a paused broadcast changes nothing), so each
 * request gets a fresh event id; a retried request is simply the same action again.
 *
 * A scheduled broadcast (not started yet) is cancelled by cancelling its schedule, final, before the
 * time; `unschedule` (DELETE …/schedule) removes the start time and leaves the draft.
 *
 * The checks here are against the state status-tracker shows now: a finished broadcast (completed,
 * failed, cancelled) cannot be controlled (409 `broadcast-finished`), nor one never started
 * (409 `broadcast-not-started`: delete it by not starting it).
 */
import { createEnvelope, type EventOf } from '@wab/contracts';
import type { Logger } from '@wab/service-runtime';
import { BROADCAST_ID } from './domain/broadcast-request.js';
import { broadcastNotFound, GatewayError, invalidRequest } from './domain/errors.js';
import type { EventBus } from './ports/event-bus.port.js';
import type { BroadcastState, StatusTracker } from './ports/status-tracker.port.js';

export type ControlAction = 'pause' | 'resume' | 'cancel';
export const CONTROL_ACTIONS: readonly ControlAction[] = ['pause', 'resume', 'cancel'];

export interface ControlAccepted {
  id: string;
  action: ControlAction;
  /** Absent when a scheduled broadcast was cancelled before its time (nothing to tell the pipeline). */
  eventId?: string;
  /** The state when the action was accepted; the new one shows once status-tracker has it. */
  state: BroadcastState;
  statusUrl: string;
}

const FINISHED: readonly BroadcastState[] = ['completed', 'failed', 'cancelled'];

export class LifecycleService {
  constructor(
    private readonly tracker: StatusTracker,
    private readonly events: EventBus,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async control(
    tenantId: string,
    id: string,
    action: ControlAction,
    reason: string | undefined,
    requestId: string,
  ): Promise<ControlAccepted> {
    if (reason !== undefined && (reason.length < 1 || reason.length > 1000)) {
      throw invalidRequest('reason must be 1 to 1000 characters');
    }
    const status = BROADCAST_ID.test(id) ? await this.tracker.get(tenantId, id) : undefined;
    if (!status) throw broadcastNotFound(id);
    if (
      FINISHED.includes(status.state) ||
      (status.complete === true && status.state !== 'created')
    ) {
      throw new GatewayError(
        'conflict',
        'broadcast-finished',
        `broadcast ${id} is ${status.state === 'sending' ? 'completed' : status.state}: there is nothing left to ${action}`,
        { state: status.state },
      );
    }
    if (status.state === 'scheduled') {
      if (action !== 'cancel') {
        throw new GatewayError(
          'conflict',
          'broadcast-not-started',
          `broadcast ${id} is scheduled, not started: there is nothing to ${action} yet (cancel it, or DELETE its schedule)`,
          { state: status.state },
        );
      }
      // Before its time: the schedule is cancelled (final) and the broadcast never starts. Nothing
      // reached the pipeline, so no broadcast.control is published.
      const change = await this.tracker.unschedule(tenantId, id, true);
      if (change.kind === 'ok') {
        this.log.info({ correlationId: id, requestId, tenantId }, 'scheduled broadcast cancelled');
        return { id, action, state: 'cancelled', statusUrl: `/v1/broadcasts/${id}` };
      }
      if (change.kind === 'not-found') throw broadcastNotFound(id);
      if (change.code !== 'not-scheduled') throw startingNow(id);
      // Started meanwhile (the schedule is history): cancel it like any running broadcast.
    } else if (status.state === 'created') {
      throw new GatewayError(
        'conflict',
        'broadcast-not-started',
        `broadcast ${id} has not been started: there is nothing to ${action} yet`,
        { state: status.state },
      );
    }
    return this.publish(tenantId, id, action, reason, requestId, status.state);
  }

  /** DELETE /v1/broadcasts/{id}/schedule: the scheduled start is removed, the draft stays. */
  async unschedule(tenantId: string, id: string, requestId: string): Promise<UnscheduledBroadcast> {
    const status = BROADCAST_ID.test(id) ? await this.tracker.get(tenantId, id) : undefined;
    if (!status) throw broadcastNotFound(id);
    const change = await this.tracker.unschedule(tenantId, id, false);
    if (change.kind === 'not-found') throw broadcastNotFound(id);
    if (change.kind === 'conflict') {
      if (change.code === 'starting') throw startingNow(id);
      throw new GatewayError(
        'conflict',
        'broadcast-not-scheduled',
        `broadcast ${id} has no start time to remove (state "${status.state}")`,
        { state: status.state },
      );
    }
    this.log.info({ correlationId: id, requestId, tenantId }, 'broadcast unscheduled');
    return {
      id,
      state: 'created',
      unscheduledStartAt: change.schedule.startAt,
      statusUrl: `/v1/broadcasts/${id}`,
    };
  }

  private async publish(
    tenantId: string,
    id: string,
    action: ControlAction,
    reason: string | undefined,
    requestId: string,
    state: BroadcastState,
  ): Promise<ControlAccepted> {
    const event: EventOf<'broadcast.control'> = createEnvelope(
      'broadcast.control',
      {
        action,
        target: { kind: 'broadcast', broadcastId: id },
        reason: reason ?? `${action} requested by an operator`,
      },
      { tenantId, correlationId: id, occurredAt: this.now() },
    );
    await this.events.publish('broadcastControl', event);
    this.log.info(
      { correlationId: id, requestId, tenantId, eventId: event.id, action },
      'broadcast.control published',
    );
    return {
      id,
      action,
      eventId: event.id,
      state,
      statusUrl: `/v1/broadcasts/${id}`,
    };
  }
}

export interface UnscheduledBroadcast {
  id: string;
  state: 'created';
  unscheduledStartAt: string;
  statusUrl: string;
}

const startingNow = (id: string) =>
  new GatewayError(
    'conflict',
    'broadcast-starting',
    `broadcast ${id} is being started right now (its start time has come): try again in a moment`,
  );
