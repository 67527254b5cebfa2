import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { BatchEventConsumer, withEventSpan, type ConsumedEvent } from '@wab/kafka-runtime';
import type { Logger } from 'pino';
import { KafkaEventBus } from '../adapters/kafka-event-bus.adapter.js';
import { SplitService } from '../split.service.js';
import { LOGGER } from '../tokens.js';
import { BackgroundStarter } from './consumer-lifecycle.js';

/** Consumer group of the split stage on `uploaded`. Persisted identifier: renaming it re-splits retained files. */
export const SPLIT_GROUP = 'csv-splitter';

export class SplitConcurrency {
  constructor(readonly partitions: number) {}
}

/**
 * `uploaded` → split. Offsets are committed by BatchEventConsumer only after the handler resolved,
 * i.e. after every event of the split is durable on `rows`: a crash mid-file re-splits the file
 * (same row numbers and chunk indexes, so downstream upserts). Broadcasts in one batch are split one
 * after another; different partitions run concurrently (SPLIT_CONCURRENCY).
 */
@Injectable()
export class UploadedHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly starter: BackgroundStarter;
  private readonly abort = new AbortController();

  constructor(
    private readonly bus: KafkaEventBus,
    private readonly split: SplitService,
    concurrency: SplitConcurrency,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.starter = new BackgroundStarter(
      SPLIT_GROUP,
      () =>
        new BatchEventConsumer({
          kafka: bus.kafka,
          // Prefixed like the topics (as status-tracker's groups): deployments and test runs sharing a
          // cluster under different prefixes must never join each other's group.
          groupId: `${bus.settings.topicPrefix}${SPLIT_GROUP}`,
          topic: 'uploaded',
          topicPrefix: bus.settings.topicPrefix,
          publisher: bus.publisher,
          partitionsConsumedConcurrently: concurrency.partitions,
          log: (level, msg, fields) => logger[level](fields ?? {}, msg),
          handle: (events) => this.handle(events),
        }),
      logger,
      () => bus.ready(),
    );
  }

  async handle(events: ConsumedEvent<'uploaded'>[]): Promise<void> {
    await this.bus.ready();
    for (const item of events) {
      // Each split in the trace of its upload: every chunk it publishes carries that trace.
      await withEventSpan(item, async () => {
        const { event } = item;
        switch (event.type) {
          case 'broadcast.uploaded':
            await this.split.splitUploaded(event, this.abort.signal);
            break;
          case 'broadcast.requested':
            await this.split.splitRequested(event, this.abort.signal);
            break;
        }
      });
    }
  }

  onApplicationBootstrap(): void {
    this.starter.begin();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // A split in progress is abandoned (not committed) rather than finished: it is re-split later.
    this.abort.abort();
    await this.starter.end();
  }
}
