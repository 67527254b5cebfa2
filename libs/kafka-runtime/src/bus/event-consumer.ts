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
  handle: (events: ConsumedEvent<K>[]) => Promise<void>;
  /** Partitions whose batches run concurrently (different partitions only). */
  partitionsConsumedConcurrently?: number;
  maxEventBytes?: number;
  log?: RuntimeLog;
  /** Counts per outcome, for metrics. */
  onOutcome?: (outcome: 'handled' | 'dead-lettered', count: number) => void;
}

export class BatchEventConsumer<K extends TopicKey> {
  private readonly consumer: Consumer;

  constructor(private readonly options: BatchEventConsumerOptions<K>) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
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
          options.onOutcome?.('dead-lettered', deadLetters.length);
        }
        if (valid.length > 0) {
          await options.handle(valid);
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
