import { Inject, Injectable } from '@nestjs/common';
import { createEnvelope, type EventOf } from '@wab/contracts';
import type { Logger } from 'pino';
import { composeChunk } from './domain/compose.js';
import { splitterMetrics } from './metrics.js';
import { EventBus } from './ports/event-bus.port.js';
import { SuppressionList } from './ports/suppression-list.port.js';
import { LOGGER } from './tokens.js';

/**
 * The compose stage: a broadcast.rows chunk → one message.send-requested per recipient on
 * send-requests (keyed by recipientId). Resolves once all are durable, so the caller may commit the
 * chunk; a re-delivered chunk yields the same recipient ids, which the dispatcher de-duplicates.
 *
 * Recipients on the tenant's suppression list (status-tracker; one check per chunk) get a
 * broadcast.row-skipped `opted-out` on `rows` instead: status-tracker moves them from pending to
 * skipped. If the list cannot be read the chunk fails and is retried, never sent unchecked.
 */
@Injectable()
export class ComposeService {
  private readonly log: Logger;

  constructor(
    private readonly bus: EventBus,
    private readonly suppressions: SuppressionList,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'ComposeService' });
  }

  async compose(chunk: EventOf<'broadcast.rows'>): Promise<number> {
    const context = { tenantId: chunk.tenantId, correlationId: chunk.correlationId };
    const suppressed = await this.suppressions.find(
      chunk.tenantId,
      chunk.payload.rows.map((row) => row.e164),
    );
    const { requests, skipped } = composeChunk(chunk, suppressed);
    if (skipped.length > 0) {
      await this.bus.publish(
        'rows',
        skipped.map((payload) => createEnvelope('broadcast.row-skipped', payload, context)),
      );
      splitterMetrics.optedOut.inc(skipped.length);
      this.log.info(
        {
          correlationId: chunk.correlationId,
          broadcastId: chunk.payload.broadcastId,
          chunkIndex: chunk.payload.chunkIndex,
          optedOut: skipped.length,
        },
        'recipients on the suppression list skipped',
      );
    }
    if (requests.length > 0) {
      await this.bus.publish(
        'sendRequests',
        requests.map((request) => createEnvelope('message.send-requested', request, context)),
      );
    }
    return requests.length;
  }
}
