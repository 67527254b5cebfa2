import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { BatchEventConsumer, withEventSpan, type ConsumedEvent } from '@wab/kafka-runtime';
import type { Logger } from 'pino';
import { KafkaEventBus } from '../adapters/kafka-event-bus.adapter.js';
import { ComposeService } from '../compose.service.js';
import { LOGGER } from '../tokens.js';
import { BackgroundStarter } from './consumer-lifecycle.js';

/** Consumer group of the compose stage on `rows`. Persisted identifier: renaming it re-composes retained chunks. */
export const COMPOSE_GROUP = 'csv-splitter-compose';

/**
 * `rows` → compose. Only broadcast.rows chunks matter here; the other events on `rows` are for
 * status-tracker. The batch is committed after every send request it caused is durable.
 */
@Injectable()
export class RowsHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly starter: BackgroundStarter;

  constructor(
    private readonly bus: KafkaEventBus,
    private readonly compose: ComposeService,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.starter = new BackgroundStarter(
      COMPOSE_GROUP,
      () =>
        new BatchEventConsumer({
          kafka: bus.kafka,
          // Prefixed like the topics: runs under different prefixes never share a group.
          groupId: `${bus.settings.topicPrefix}${COMPOSE_GROUP}`,
          topic: 'rows',
          topicPrefix: bus.settings.topicPrefix,
          publisher: bus.publisher,
          partitionsConsumedConcurrently: 2,
          log: (level, msg, fields) => logger[level](fields ?? {}, msg),
          handle: (events) => this.handle(events),
        }),
      logger,
      () => bus.ready(),
    );
  }

  async handle(events: ConsumedEvent<'rows'>[]): Promise<void> {
    for (const item of events) {
      const { event } = item;
      switch (event.type) {
        case 'broadcast.rows':
          // One chunk at a time: bounded memory and back-pressure from the broker. Its send
          // requests carry the chunk's trace (that of the upload which caused it).
          await withEventSpan(item, () => this.compose.compose(event));
          break;
        case 'broadcast.split-started':
        case 'broadcast.row-skipped':
        case 'broadcast.split-completed':
        case 'broadcast.split-failed':
          break;
      }
    }
  }

  onApplicationBootstrap(): void {
    this.starter.begin();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.starter.end();
  }
}
