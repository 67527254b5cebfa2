/**
 * EventPublisher: validated, batched, durable publishing of contract events.
 *
 * - `publish` resolves only when the broker has acknowledged the event with acks=all, so a consumer
 *   that commits after awaiting it never commits input whose output could still be lost.
 * - Events are validated against libs/contracts before they leave (ContractViolationError otherwise).
 * - Calls within `lingerMs` are gathered into one `sendBatch`, and only one batch is in flight at a
 *   time. That gives throughput (kafkajs has no linger of its own, kafka-notes §1.6) and keeps the
 *   idempotent producer clear of kafkajs #1005, which loses messages under concurrent sends.
 */
import { encodeEvent, topicName, type ContractEvent, type TopicKey } from '@wab/contracts';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { injectTraceHeaders, kafkaMetrics } from '@wab/service-runtime';
import { connectionProbe } from './connection.js';

export interface PublisherOptions {
  topicPrefix?: string;
  lingerMs?: number;
  maxBatchMessages?: number;
  /** Extra Kafka headers per event (the active W3C trace context is always added). */
  headersFor?: (event: ContractEvent) => Record<string, string>;
}

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class EventPublisher {
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private connected = false;
  /** Readiness probe: the producer is connected to the cluster. */
  readonly isConnected: () => boolean;

  constructor(
    kafka: Kafka,
    private readonly options: PublisherOptions = {},
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.isConnected = connectionProbe(this.producer);
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  /** Publishes events to the topic `key` (prefixed); resolves once all are acknowledged. */
  publish(key: TopicKey, events: ContractEvent | readonly ContractEvent[]): Promise<void> {
    const list = Array.isArray(events)
      ? (events as readonly ContractEvent[])
      : [events as ContractEvent];
    const topic = topicName(key, this.options.topicPrefix);
    const encoded = list.map((event) => {
      const record = encodeEvent(event);
      return {
        key: record.key,
        value: record.value,
        // traceparent/tracestate of the active span: the consumer continues this trace.
        headers: {
          ...record.headers,
          ...injectTraceHeaders(),
          ...this.options.headersFor?.(event),
        },
      } satisfies Message;
    });
    return this.publishRaw(topic, encoded);
  }

  /** Publishes already-encoded messages (dead letters of unreadable input use this). */
  publishRaw(topic: string, messages: Message[]): Promise<void> {
    if (!this.connected)
      return Promise.reject(new Error('EventPublisher.publish before connect()'));
    const done = messages.map(
      (message) =>
        new Promise<void>((resolve, reject) =>
          this.queue.push({ topic, message, resolve, reject }),
        ),
    );
    if (this.queue.length >= (this.options.maxBatchMessages ?? 2000)) this.flushSoon(0);
    else this.flushSoon(this.options.lingerMs ?? 5);
    return Promise.all(done).then(() => undefined);
  }

  /** Sends whatever is queued and waits for it. */
  async flush(): Promise<void> {
    this.flushSoon(0);
    await this.sending;
    if (this.queue.length > 0) await this.flush();
  }

  async disconnect(): Promise<void> {
    await this.flush();
    await this.producer.disconnect();
    this.connected = false;
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sending = this.sending.then(() => this.sendQueued());
    }, delayMs);
  }

  private async sendQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatchMessages ?? 2000);
      const byTopic = new Map<string, Message[]>();
      for (const item of batch) {
        const messages = byTopic.get(item.topic);
        if (messages) messages.push(item.message);
        else byTopic.set(item.topic, [item.message]);
      }
      try {
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        for (const [topic, messages] of byTopic)
          kafkaMetrics.produced.inc({ topic }, messages.length);
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
  }
}
