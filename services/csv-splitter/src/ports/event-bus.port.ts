import type { ContractEvent, TopicKey } from '@wab/contracts';

/** Publishes contract events; resolves only once they are durable (acks=all), so callers may commit input after it. */
export abstract class EventBus {
  abstract publish(topic: TopicKey, events: readonly ContractEvent[]): Promise<void>;
}
