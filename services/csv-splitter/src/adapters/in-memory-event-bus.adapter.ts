import { validateEvent, type ContractEvent, type TopicKey } from '@wab/contracts';
import { EventBus } from '../ports/event-bus.port.js';

/** Records published events (validated like the Kafka adapter) for unit tests. */
export class InMemoryEventBus extends EventBus {
  readonly published: { topic: TopicKey; event: ContractEvent }[] = [];

  publish(topic: TopicKey, events: readonly ContractEvent[]): Promise<void> {
    for (const event of events) {
      const errors = validateEvent(event);
      if (errors.length > 0)
        return Promise.reject(new Error(`invalid ${event.type}: ${errors.join('; ')}`));
      this.published.push({ topic, event });
    }
    return Promise.resolve();
  }

  events(topic: TopicKey): ContractEvent[] {
    return this.published.filter((p) => p.topic === topic).map((p) => p.event);
  }
}
