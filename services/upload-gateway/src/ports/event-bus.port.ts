import type { ContractEvent, TopicKey } from '@wab/contracts';

/**
 * Publishing contract events. `publish` resolves only once the events are durable (Kafka acks=all),
 * so an HTTP 202 is never answered for an event that could still be lost. Abstract class = type and DI token.
 */
export abstract class EventBus {
  abstract publish(
    topic: TopicKey,
    events: ContractEvent | readonly ContractEvent[],
  ): Promise<void>;
}
