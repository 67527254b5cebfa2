import { Inject, Injectable } from '@nestjs/common';
import type { EventsByTopic } from '@wab/contracts';
import { isTracingEnabled, recordSpanUnder, type Logger } from '@wab/service-runtime';
import { CANCELLED_RESULT_CODE } from './domain/recipient-state.js';
import type { StatusUpdate } from './domain/webhook-payload.js';
import { recordAccountError, recordWrite } from './metrics.js';
import {
  BroadcastStore,
  type ApplyResult,
  type RecipientFact,
  type TrackerCommand,
} from './ports/broadcast-store.port.js';
import { LOGGER } from './tokens.js';

/**
 * Use case: record what the pipeline reports. Turns contract events (uploaded, rows, send-results)
 * and webhook statuses into store commands, in their order, and applies each batch in one
 * transaction. Idempotent end to end: the store merges rather than overwrites, so a re-delivered
 * batch (the consumer crashed before committing its offsets) changes nothing.
 */
@Injectable()
export class RecordingService {
  private readonly log: Logger;

  constructor(
    private readonly store: BroadcastStore,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'RecordingService' });
  }

  recordUploaded(events: readonly EventsByTopic['uploaded'][]): Promise<ApplyResult> {
    return this.apply(
      'uploaded',
      events.map((event): TrackerCommand => {
        const payload = event.payload;
        const common = {
          kind: 'broadcast-started' as const,
          tenantId: event.tenantId,
          broadcastId: payload.broadcastId,
          at: new Date(event.occurredAt),
          phoneNumberId: payload.phoneNumberId,
          template: payload.template,
          mapping: payload.mapping,
          ...(payload.defaultCountry ? { defaultCountry: payload.defaultCountry } : {}),
          ...(payload.wave?.parentBroadcastId
            ? { parentBroadcastId: payload.wave.parentBroadcastId }
            : {}),
        };
        switch (event.type) {
          case 'broadcast.uploaded':
            return {
              ...common,
              source: 'object',
              object: { bucket: event.payload.object.bucket, key: event.payload.object.key },
            };
          case 'broadcast.requested':
            return { ...common, source: 'inline' };
        }
      }),
    );
  }

  recordRows(events: readonly EventsByTopic['rows'][]): Promise<ApplyResult> {
    return this.apply(
      'rows',
      events.map((event): TrackerCommand => {
        const tenantId = event.tenantId;
        const at = new Date(event.occurredAt);
        switch (event.type) {
          case 'broadcast.split-started':
            return {
              kind: 'broadcast-started',
              tenantId,
              broadcastId: event.payload.broadcastId,
              at,
              source: event.payload.source,
              phoneNumberId: event.payload.phoneNumberId,
              template: event.payload.template,
              ...(event.payload.parentBroadcastId
                ? { parentBroadcastId: event.payload.parentBroadcastId }
                : {}),
            };
          case 'broadcast.rows':
            return {
              kind: 'recipients',
              tenantId,
              broadcastId: event.payload.broadcastId,
              phoneNumberId: event.payload.phoneNumberId,
              template: event.payload.template,
              rows: event.payload.rows.map((row) => ({
                rowNumber: row.rowNumber,
                phone: row.phone,
                e164: row.e164,
              })),
            };
          case 'broadcast.row-skipped': {
            const payload = event.payload;
            const fact: RecipientFact = {
              tenantId,
              broadcastId: payload.broadcastId,
              rowNumber: payload.rowNumber,
              state: 'skipped',
              source: 'split',
              errorCode: payload.reason,
              errorReason: payload.message,
              ...(payload.phone !== undefined ? { phone: payload.phone } : {}),
              ...(payload.e164 !== undefined ? { e164: payload.e164 } : {}),
            };
            return { kind: 'facts', facts: [fact] };
          }
          case 'broadcast.split-completed':
            return {
              kind: 'split-completed',
              tenantId,
              broadcastId: event.payload.broadcastId,
              totalRows: event.payload.totalRows,
              recipients: event.payload.recipients,
              skipped: event.payload.skipped,
              at,
            };
          case 'broadcast.split-failed':
            return {
              kind: 'split-failed',
              tenantId,
              broadcastId: event.payload.broadcastId,
              reason: event.payload.reason,
              message: event.payload.message,
              at,
            };
        }
      }),
    );
  }

  /**
   * `traceparents` (tracing on): each result's span context, stored on its recipient so that the
   * status webhooks that follow join the recipient's trace (see recordStatuses).
   */
  recordSendResults(
    events: readonly EventsByTopic['sendResults'][],
    traceparents?: readonly (string | undefined)[],
  ): Promise<ApplyResult> {
    const facts = events.map((event, index): RecipientFact => {
      const payload = event.payload;
      const traceparent = traceparents?.[index];
      const base = {
        tenantId: event.tenantId,
        broadcastId: payload.broadcastId,
        rowNumber: payload.rowNumber,
        source: 'send-result' as const,
        ...(traceparent ? { traceparent } : {}),
      };
      const outcome = payload.outcome;
      switch (outcome.status) {
        case 'accepted':
          return { ...base, state: 'accepted', wamid: outcome.wamid };
        case 'failed':
          // The dispatcher's "cancelled before it was sent": nothing went, so not a failure.
          if (String(outcome.error.code) === CANCELLED_RESULT_CODE) {
            return {
              ...base,
              state: 'cancelled',
              errorCode: CANCELLED_RESULT_CODE,
              errorReason: outcome.error.title,
            };
          }
          recordAccountError(outcome.error.code);
          return {
            ...base,
            state: 'failed',
            errorCode: String(outcome.error.code),
            errorTitle: outcome.error.title,
            errorReason: outcome.error.details
              ? `${outcome.error.title}: ${outcome.error.details}`
              : outcome.error.title,
          };
        case 'unknown':
          return { ...base, state: 'unknown', errorReason: outcome.reason };
      }
    });
    return this.apply('send-results', [{ kind: 'facts', facts }], events.length);
  }

  /**
   * A cancel was recorded: the broadcast's recipients still pending become `cancelled` (the store
   * keeps doing so for rows announced later; see the `cancel-pending` command).
   */
  recordCancelled(
    cancels: readonly { tenantId: string; broadcastId: string }[],
  ): Promise<ApplyResult> {
    return this.apply(
      'control',
      cancels.map((c) => ({
        kind: 'cancel-pending',
        tenantId: c.tenantId,
        broadcastId: c.broadcastId,
      })),
    );
  }

  recordStatuses(statuses: readonly StatusUpdate[]): Promise<ApplyResult> {
    for (const status of statuses) recordAccountError(status.error?.code);
    const facts = statuses.map((status): RecipientFact => ({
      wamid: status.wamid,
      state: status.status,
      source: 'webhook',
      ...(status.broadcastId !== undefined && status.rowNumber !== undefined
        ? { broadcastId: status.broadcastId, rowNumber: status.rowNumber }
        : {}),
      ...(status.error
        ? {
            errorCode: status.error.code,
            errorTitle: status.error.title,
            errorReason: status.error.details
              ? `${status.error.title}: ${status.error.details}`
              : status.error.title,
          }
        : {}),
    }));
    if (!isTracingEnabled())
      return this.apply('webhooks', [{ kind: 'facts', facts }], statuses.length);
    return this.applyTracingStatuses(facts, statuses.length);
  }

  /**
   * Tracing on: the same write, then a span per applied status in its recipient's trace (the trace
   * context stored with the send result, read by the same statement: no extra query).
   */
  private async applyTracingStatuses(facts: RecipientFact[], size: number): Promise<ApplyResult> {
    const startTime = Date.now();
    const result = await this.apply('webhooks', [{ kind: 'facts', facts }], size);
    const endTime = Date.now();
    for (const { fact, traceparent, changed } of result.traced ?? []) {
      recordSpanUnder(traceparent, `whatsapp status ${fact.state}`, {
        startTime,
        endTime,
        attributes: {
          'wab.status': fact.state,
          'wab.changed': changed,
          ...(fact.broadcastId !== undefined ? { 'wab.broadcast_id': fact.broadcastId } : {}),
          ...(fact.rowNumber !== undefined ? { 'wab.row_number': fact.rowNumber } : {}),
          ...(fact.errorCode !== undefined ? { 'wab.error_code': fact.errorCode } : {}),
        },
      });
    }
    return result;
  }

  private async apply(
    source: string,
    commands: TrackerCommand[],
    size = commands.length,
  ): Promise<ApplyResult> {
    const started = process.hrtime.bigint();
    const result = await this.store.apply(commands);
    recordWrite(
      source,
      size,
      Number(process.hrtime.bigint() - started) / 1e9,
      result.transitionsByState,
    );
    if (result.unmatched > 0) {
      // Statuses of messages that are not ours (other software on the same number) or of a
      // broadcast this deployment never saw: nothing to update, and nothing to retry.
      this.log.warn({ source, unmatched: result.unmatched }, 'facts without a known recipient');
    }
    for (const done of result.completed) {
      this.log.info(
        { tenantId: done.tenantId, correlationId: done.broadcastId, broadcastId: done.broadcastId },
        'broadcast complete',
      );
    }
    this.log.debug(
      {
        source,
        commands: commands.length,
        matched: result.matched,
        transitions: result.transitions,
      },
      'batch recorded',
    );
    return result;
  }
}
