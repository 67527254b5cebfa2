import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { TopicKey } from '@wab/contracts';
import {
  BatchEventConsumer,
  createKafka,
  EventPublisher,
  withEventSpans,
  type ConsumedEvent,
  type RuntimeLog,
} from '@wab/kafka-runtime';
import { ReadinessChecks, SERVICE_CONFIG, traceparentOf, type Logger } from '@wab/service-runtime';
import { SERVICE, type TrackerConfig } from '../config.js';
import { RecordingService } from '../recording.service.js';
import { LOGGER } from '../tokens.js';

/**
 * Kafka entry points: three consumer groups, each a BatchEventConsumer (decode every event against
 * the contracts, dead-letter the invalid ones, hand the valid ones over as one batch).
 *
 * At-least-once: a batch is recorded in one database transaction and the offsets are committed only
 * after it committed. A crash in between re-delivers the batch, which the store's merge makes
 * harmless. Group names are persisted identifiers (committed offsets): never rename them. They carry
 * KAFKA_TOPIC_PREFIX like the topics, so deployments (and test runs) sharing a cluster under different
 * prefixes never join each other's groups.
 *
 * Consumers start in the background after boot, so the HTTP API (and /healthz) come up even while
 * the broker is still starting; they are stopped before the database is closed at shutdown.
 */
export const CONSUMER_GROUPS = {
  uploaded: 'status-tracker-uploaded',
  rows: 'status-tracker-rows',
  sendResults: 'status-tracker-results',
} as const;

@Injectable()
export class KafkaConsumers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly publisher: EventPublisher;
  private readonly consumers: BatchEventConsumer<TopicKey>[];
  private starting: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly prefix: string;
  private running = false;

  constructor(
    recording: RecordingService,
    @Inject(SERVICE_CONFIG) config: TrackerConfig,
    @Inject(LOGGER) logger: Logger,
    readiness: ReadinessChecks,
  ) {
    this.log = logger.child({ component: 'KafkaConsumers' });
    this.prefix = config.KAFKA_TOPIC_PREFIX;
    // Ready once every consumer group has joined; kafkajs reconnects by itself after that.
    readiness.register('kafka', () => this.running);
    const runtimeLog: RuntimeLog = (level, msg, fields) => this.log[level](fields ?? {}, msg);
    const kafka = createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? SERVICE,
      log: runtimeLog,
    });
    this.publisher = new EventPublisher(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX });
    const common = {
      kafka,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      publisher: this.publisher,
      log: runtimeLog,
      partitionsConsumedConcurrently: 3,
    };
    const events = <K extends TopicKey>(batch: ConsumedEvent<K>[]) =>
      batch.map((item) => item.event);
    this.consumers = [
      new BatchEventConsumer({
        ...common,
        groupId: `${config.KAFKA_TOPIC_PREFIX}${CONSUMER_GROUPS.uploaded}`,
        topic: 'uploaded',
        handle: async (batch) => {
          await recording.recordUploaded(events(batch));
        },
      }),
      new BatchEventConsumer({
        ...common,
        groupId: `${config.KAFKA_TOPIC_PREFIX}${CONSUMER_GROUPS.rows}`,
        topic: 'rows',
        handle: async (batch) => {
          await recording.recordRows(events(batch));
        },
      }),
      new BatchEventConsumer({
        ...common,
        groupId: `${config.KAFKA_TOPIC_PREFIX}${CONSUMER_GROUPS.sendResults}`,
        topic: 'sendResults',
        // Tracing on: a span per result in its recipient's trace, lasting the batch's write; its
        // context is stored on the recipient for the status webhooks that follow.
        handle: (batch) =>
          withEventSpans(batch, 'send-result apply', async (contexts) => {
            await recording.recordSendResults(events(batch), contexts?.map(traceparentOf));
          }),
      }),
    ];
  }

  onApplicationBootstrap(): void {
    this.starting = this.start();
  }

  private async start(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        await this.publisher.connect();
        await Promise.all(this.consumers.map((consumer) => consumer.start()));
        this.running = true;
        this.log.info({ groups: Object.values(CONSUMER_GROUPS), prefix: this.prefix }, 'consuming');
        return;
      } catch (error) {
        const delayMs = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
        this.log.error(
          { err: error, attempt, retryInMs: delayMs },
          'could not start the Kafka consumers',
        );
        await Promise.allSettled(this.consumers.map((consumer) => consumer.stop()));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  /** Stops taking batches: the one in flight finishes and commits its offsets first. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.running = false;
    this.wake?.();
    await this.starting?.catch(() => undefined);
    await Promise.allSettled(this.consumers.map((consumer) => consumer.stop()));
    await this.publisher.disconnect().catch(() => undefined);
  }
}
