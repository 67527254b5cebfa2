import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { decodeEvent, topicName } from '@wab/contracts';
import { SERVICE_CONFIG, type Logger } from '@wab/service-runtime';
import type { Consumer, Kafka } from 'kafkajs';
import type { DispatcherConfig } from '../config.js';
import { BroadcastControls } from '../domain/broadcast-controls.js';
import { KAFKA, LOGGER } from '../tokens.js';

/**
 * `broadcast-control` → BroadcastControls. Every replica must see every pause, resume and cancel,
 * so each process reads the whole topic in a consumer group of its own (a fresh id per process:
 * nothing is shared, nothing committed matters) from the beginning, which also rebuilds the state
 * after a restart. Invalid events are skipped here: the other consumers of the topic dead-letter them.
 */
@Injectable()
export class ControlHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer: Consumer | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: DispatcherConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly controls: BroadcastControls,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `${this.config.DISPATCHER_GROUP_ID}.controls.${randomUUID()}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({
      topic: topicName('broadcastControl', this.config.KAFKA_TOPIC_PREFIX),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: ({ message }) => {
        const decoded = decodeEvent('broadcastControl', message.value);
        if (decoded.ok && decoded.event.type === 'broadcast.control') {
          this.controls.apply(decoded.event.payload);
          this.log.info(
            {
              correlationId: decoded.event.correlationId,
              action: decoded.event.payload.action,
              target: decoded.event.payload.target,
            },
            'broadcast control applied',
          );
        }
        return Promise.resolve();
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
