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
import {
  kafkaMetrics,
  withBatchSpan,
  withConsumerSpan,
  withMessageSpans,
  type Context,
} from '@wab/service-runtime';
import { connectionProbe } from './connection.js';
import type { RuntimeLog } from './kafka.js';
import type { EventPublisher } from './publisher.js';

export interface ConsumedEvent<K extends TopicKey> {
  event: EventsByTopic[K];
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Runs the work for one event of a batch in a CONSUMER span continuing that event's trace (its
 * `traceparent` header): whatever `work` publishes carries the event's trace, so a fan-out (one
 * upload → many chunks → many send requests) stays in the trace of the event that caused it. The
 * trace context is propagated even with tracing off (a no-op span carrying the incoming context).
 */
export function withEventSpan<K extends TopicKey, T>(
  item: ConsumedEvent<K>,
  work: () => Promise<T>,
  name = `${item.topic} process`,
): Promise<T> {
  return withConsumerSpan(
    name,
    item.message.headers,
    {
      'messaging.system': 'kafka',
      'messaging.destination.partition.id': item.partition,
      'messaging.kafka.offset': item.message.offset,
    },
    () => work(),
  );
}

/**
 * For a batch applied in bulk (one write for all events): one span per event, child of that event's
 * trace, lasting as long as `work`. `work` gets each event's span context, in order (undefined while
 * tracing is off: then nothing is created).
 */
export function withEventSpans<K extends TopicKey, T>(
  items: readonly ConsumedEvent<K>[],
  name: string,
  work: (contexts: readonly Context[] | undefined) => Promise<T>,
): Promise<T> {
  return withMessageSpans(
    name,
    items.map((item) => item.message.headers),
    { 'messaging.system': 'kafka' },
    work,
  );
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
            // Tracing on: one CONSUMER span for the batch, linked to every event's trace. Each
            // event's own work continues its own trace: handlers wrap it in withEventSpan (one event
            // at a time) or withEventSpans (bulk), see below.
            await withBatchSpan(
              `${batch.topic} process batch`,
              valid.map((item) => item.message.headers),
              {
                'messaging.system': 'kafka',
                'messaging.destination.partition.id': batch.partition,
              },
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
