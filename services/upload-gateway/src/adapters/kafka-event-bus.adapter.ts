import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ContractEvent, TopicKey } from '@wab/contracts';
import type { EventPublisher } from '@wab/kafka-runtime';
import type { ReadinessChecks } from '@wab/service-runtime';
import { EventBus } from '../ports/event-bus.port.js';

/**
 * KafkaEventBus: the EventPublisher of @wab/kafka-runtime (idempotent producer, acks=all, validated
 * against the contracts). Connects at start-up and flushes then disconnects on shutdown, so a
 * SIGTERM never drops an event whose HTTP request is still waiting for it.
 */
export class KafkaEventBus extends EventBus implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly publisher: EventPublisher,
    readiness?: ReadinessChecks,
  ) {
    super();
    // Not ready (GET /readyz → 503) while the producer is disconnected: starts would fail.
    readiness?.register('kafka', () => publisher.isConnected());
  }

  async onModuleInit(): Promise<void> {
    await this.publisher.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }

  publish(topic: TopicKey, events: ContractEvent | readonly ContractEvent[]): Promise<void> {
    return this.publisher.publish(topic, events);
  }
}
