import { Injectable } from '@nestjs/common';
import { createEnvelope, type EventOf } from '@wab/contracts';
import { composeSendRequests } from './domain/compose.js';
import { EventBus } from './ports/event-bus.port.js';

/**
 * The compose stage: a broadcast.rows chunk → one message.send-requested per recipient on
 * send-requests (keyed by recipientId). Resolves once all are durable, so the caller may commit the
 * chunk; a re-delivered chunk yields the same recipient ids, which the dispatcher de-duplicates.
 */
@Injectable()
export class ComposeService {
  constructor(private readonly bus: EventBus) {}

  async compose(chunk: EventOf<'broadcast.rows'>): Promise<number> {
    const context = { tenantId: chunk.tenantId, correlationId: chunk.correlationId };
    const events = composeSendRequests(chunk).map((request) =>
      createEnvelope('message.send-requested', request, context),
    );
    await this.bus.publish('sendRequests', events);
    return events.length;
  }
}
