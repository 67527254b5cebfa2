/**
 * BatchEventConsumer: consumes a contract topic a batch at a time, for stages whose work is cheap
 * per event and best done in bulk (database writes, chunk rendering).
 *
 * Every message is decoded against libs/contracts; one that fails (not JSON, schema, unknown type or
 * version, oversized) is published to the dead-letter topic with the reason in a header and skipped,
 * so a poison event never stalls its partition. Valid events go to `handle` as one array per batch.
 * Offsets are resolved and committed only after `handle` (and any dead letters) resolved: whatever
 * the handler produced must be durable by then (EventPublisher.publish resolves on acks=all).
 * A handler error is retried by kafkajs with backoff; the batch is consumed again (at-least-once).
 */
import {
  createDeadLetter,
  decodeEvent,
  topicName,
  type EventsByTopic,
  type TopicKey,
} from '@wab/contracts';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { kafkaMetrics, withConsumerSpan } from '@wab/service-runtime';
import { connectionProbe } from './connection.js';
import type { RuntimeLog } from './kafka.js';
import type { EventPublisher } from './publisher.js';

export interface ConsumedEvent<K extends TopicKey> {
  event: EventsByTopic[K];
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export interface BatchEventConsumerOptions<K extends TopicKey> {
  kafka: Kafka;
  groupId: string;
  topic: K;
  topicPrefix?: string;
  publisher: EventPublisher;
  /**
   * Handles one batch. Long handlers must call `heartbeat()` now and then (kafkajs has no background
   * heartbeat: a handler silent for longer than the session timeout is thrown out of the group) and
   * may stop early when `isRunning()` turns false (shutdown or rebalance).
   */
  handle: (
    events: ConsumedEvent<K>[],
    control: { heartbeat: () => Promise<void>; isRunning: () => boolean },
  ) => Promise<void>;
  /** Partitions whose batches run concurrently (different partitions only). */
  partitionsConsumedConcurrently?: number;
  maxEventBytes?: number;
  /** How often to heartbeat while `handle` runs (default 3000 ms, kafkajs' heartbeatInterval). */
  heartbeatIntervalMs?: number;
  log?: RuntimeLog;
  /** Counts per outcome, for metrics. */
  onOutcome?: (outcome: 'handled' | 'dead-lettered', count: number) => void;
}

export class BatchEventConsumer<K extends TopicKey> {
  private readonly consumer: Consumer;
  /** Readiness probe: the consumer is connected and has not crashed. */
  readonly isConnected: () => boolean;

  constructor(private readonly options: BatchEventConsumerOptions<K>) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      // Heartbeats continue while a handler runs (keepAlive below), so a short session is safe and
      // a crashed member's partitions move to the others within 10 s.
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    this.isConnected = connectionProbe(this.consumer);
  }

  async start(): Promise<void> {
    const { options } = this;
    await this.consumer.connect();
    await this.consumer.subscribe({
      topic: topicName(options.topic, options.topicPrefix),
      fromBeginning: true,
    });
    await this.consumer.run({
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatchAutoResolve: true,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const valid: ConsumedEvent<K>[] = [];
        const deadLetters = [];
        for (const message of batch.messages) {
          const decoded = decodeEvent(options.topic, message.value, {
            maxBytes: options.maxEventBytes,
          });
          if (decoded.ok) {
            valid.push({
              event: decoded.event,
              topic: batch.topic,
              partition: batch.partition,
              message,
            });
          } else {
            options.log?.('warn', 'invalid event dead-lettered', {
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
              reason: decoded.reason,
              errors: decoded.errors.slice(0, 3),
            });
            deadLetters.push(
              createDeadLetter(
                { ...message, topic: batch.topic, partition: batch.partition },
                { reason: decoded.reason, errors: decoded.errors },
                { consumer: options.groupId },
              ),
            );
          }
        }
        if (deadLetters.length > 0) {
          await options.publisher.publish('deadLetter', deadLetters);
          kafkaMetrics.consumed.inc(
            { topic: batch.topic, outcome: 'dead_lettered' },
            deadLetters.length,
          );
          options.onOutcome?.('dead-lettered', deadLetters.length);
        }
        if (valid.length > 0) {
          // kafkajs heartbeats only between batches: keep the membership alive while a long
          // handler (a million-row split) runs, or the group would evict this consumer mid-file.
          const keepAlive = setInterval(() => {
            payload.heartbeat().catch(() => undefined);
          }, options.heartbeatIntervalMs ?? 3000);
          try {
            // One CONSUMER span per batch, continuing the trace of its first event (a batch of one
            // upload or one chunk is the common case); what the handler publishes joins that trace.
            await withConsumerSpan(
              `${batch.topic} process`,
              valid[0]!.message.headers,
              { 'messaging.system': 'kafka', 'messaging.batch.message_count': valid.length },
              () =>
                options.handle(valid, {
                  heartbeat: () => payload.heartbeat(),
                  isRunning: () => payload.isRunning() && !payload.isStale(),
                }),
            );
          } finally {
            clearInterval(keepAlive);
          }
          kafkaMetrics.consumed.inc({ topic: batch.topic, outcome: 'handled' }, valid.length);
          options.onOutcome?.('handled', valid.length);
        }
        await payload.heartbeat();
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
