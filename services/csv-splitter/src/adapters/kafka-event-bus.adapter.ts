import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { ContractEvent, TopicKey } from '@wab/contracts';
import { createKafka, EventPublisher, type RuntimeLog } from '@wab/kafka-runtime';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { EventBus } from '../ports/event-bus.port.js';
import { LOGGER } from '../tokens.js';
import { ReadinessChecks } from '@wab/service-runtime';

export class KafkaSettings {
  constructor(
    readonly brokers: string[],
    readonly clientId: string,
    readonly topicPrefix: string,
  ) {}
}

/** Routes kafkajs log lines to pino. */
export function runtimeLog(logger: Logger): RuntimeLog {
  return (level, msg, fields) => logger[level](fields ?? {}, msg);
}

/**
 * The process's Kafka client and its one EventPublisher. Connecting is lazy and retried, so the
 * service boots (and answers /healthz) while the broker is still starting.
 */
@Injectable()
export class KafkaEventBus
  extends EventBus
  implements BeforeApplicationShutdown, OnApplicationShutdown
{
  readonly kafka: Kafka;
  readonly publisher: EventPublisher;
  private connecting: Promise<void> | undefined;

  constructor(
    readonly settings: KafkaSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    readiness: ReadinessChecks,
  ) {
    super();
    this.kafka = createKafka({
      brokers: settings.brokers,
      clientId: settings.clientId,
      log: runtimeLog(logger),
    });
    this.publisher = new EventPublisher(this.kafka, { topicPrefix: settings.topicPrefix });
    // Ready once the producer reached the broker; the consumers start in the background after it.
    readiness.register('kafka', () => {
      void this.ready().catch(() => undefined);
      return this.publisher.isConnected();
    });
  }

  /** Resolves once the producer is connected; a failed attempt is retried by the next call. */
  ready(): Promise<void> {
    this.connecting ??= this.publisher.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async publish(topic: TopicKey, events: readonly ContractEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.ready();
    await this.publisher.publish(topic, events);
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Consumers stop in their own beforeApplicationShutdown; anything they published is flushed here.
    if (this.connecting) await this.publisher.flush().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.connecting) return;
    try {
      await this.connecting;
      await this.publisher.disconnect();
    } catch (error) {
      this.logger.warn({ err: error }, 'kafka producer did not disconnect cleanly');
    }
  }
}
