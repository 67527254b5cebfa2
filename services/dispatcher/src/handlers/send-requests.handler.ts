import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { createDeadLetter, decodeEvent, topicName } from '@wab/contracts';
import {
  connectionProbe,
  EventPublisher,
  ParallelConsumer,
  type ParallelMessage,
} from '@wab/kafka-runtime';
import { kafkaMetrics, ReadinessChecks, SERVICE_CONFIG, type Logger } from '@wab/service-runtime';
import type { Kafka } from 'kafkajs';
import { KafkaGroupSize } from '../adapters/group-size.adapter.js';
import type { DispatcherConfig } from '../config.js';
import { DispatchService } from '../dispatch.service.js';
import { CloudApi } from '../ports/cloud-api.port.js';
import { IN_FLIGHT, KAFKA, LOGGER } from '../tokens.js';
import { UnparkService } from '../unpark.service.js';

/**
 * Kafka entry point: `send-requests` through a ParallelConsumer (thousands of calls in flight,
 * one per recipient key at a time, offsets committed only up to the contiguous finished offset).
 * Each message is decoded against the contract (invalid → dead-letter topic, never retried) and
 * handed to DispatchService, which resolves only once the send-result is durable in Kafka.
 */
@Injectable()
export class SendRequestsHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer: ParallelConsumer | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: DispatcherConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly publisher: EventPublisher,
    private readonly dispatcher: DispatchService,
    private readonly cloudApi: CloudApi,
    private readonly readiness: ReadinessChecks,
    @Inject(IN_FLIGHT) private readonly inFlightGauge: { count: () => number },
    private readonly groupSize: KafkaGroupSize,
    private readonly unpark: UnparkService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.publisher.connect();
    const consumer = this.kafka.consumer({
      groupId: this.config.DISPATCHER_GROUP_ID,
      // eachBatch only hands work over, so heartbeats flow every few seconds even with thousands of
      // calls in flight: a short session lets the group move a crashed replica's partitions in 10 s.
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      rebalanceTimeout: 60_000,
      // Small fetches: every fetched message is registered (memory); ~100 send requests per partition.
      maxBytesPerPartition: 64 * 1024,
      // When the window is full every partition is paused, and kafkajs then sleeps maxWaitTimeInMs
      // (default 5 s) before it looks again, so a resume waited up to 5 s: sends stalled in bursts
      // (capacity benchmark: committed offsets flat for 2–4 s at a time). 100 ms bounds that gap;
      // the broker's long poll also answers within it when a partition has no data.
      maxWaitTimeInMs: 100,
    });
    const consumerConnected = connectionProbe(consumer);
    this.readiness.register('kafka', () => consumerConnected() && this.publisher.isConnected());
    await consumer.connect();
    // Replicas share each sender's quota by partition share (domain/pacer.ts); listen before run.
    await this.groupSize.start(consumer);
    this.consumer = new ParallelConsumer({
      consumer,
      topics: [topicName('sendRequests', this.config.KAFKA_TOPIC_PREFIX)],
      maxInFlight: this.config.DISPATCH_MAX_IN_FLIGHT,
      handle: (item) => this.handle(item),
      log: (level, msg, fields) => this.log[level](fields ?? {}, msg),
      onError: (error, item) =>
        this.log.error(
          { error: String(error), partition: item.partition, offset: item.message.offset },
          'send request handler failed',
        ),
    });
    await this.consumer.start();
    const parallel = this.consumer;
    this.inFlightGauge.count = () => parallel.inFlight();
    this.log.info({ maxInFlight: this.config.DISPATCH_MAX_IN_FLIGHT }, 'consuming send-requests');
    // Re-publishes parked requests (needs the publisher, hence started here and stopped first).
    this.unpark.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Stop taking work, let in-flight calls finish and publish their results, commit, then close.
    await this.unpark.stop();
    await this.consumer?.stop();
    await this.groupSize.stop();
    await this.publisher.disconnect();
    await this.cloudApi.close();
  }

  inFlight(): number {
    return this.consumer?.inFlight() ?? 0;
  }

  private async handle({ topic, partition, message }: ParallelMessage): Promise<void> {
    const decoded = decodeEvent('sendRequests', message.value);
    if (!decoded.ok) {
      this.log.warn(
        {
          topic,
          partition,
          offset: message.offset,
          reason: decoded.reason,
          errors: decoded.errors.slice(0, 3),
        },
        'invalid send request dead-lettered',
      );
      kafkaMetrics.consumed.inc({ topic, outcome: 'dead_lettered' });
      await this.publisher.publish(
        'deadLetter',
        createDeadLetter({ ...message, topic, partition }, decoded, {
          consumer: this.config.DISPATCHER_GROUP_ID,
        }),
      );
      return;
    }
    if (decoded.event.type !== 'message.send-requested') return;
    await this.dispatcher.dispatch(decoded.event);
    kafkaMetrics.consumed.inc({ topic, outcome: 'handled' });
  }
}
