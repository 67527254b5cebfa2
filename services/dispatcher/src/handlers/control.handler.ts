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
import { UnparkService } from '../unpark.service.js';

/** How long to wait for the control topic to be read up to its end at start before going ahead. */
const CATCH_UP_TIMEOUT_MS = 30_000;

/**
 * `broadcast-control` → BroadcastControls. Every replica must see every pause, resume and cancel,
 * so each process reads the whole topic in a consumer group of its own (a fresh id per process:
 * nothing is shared, nothing committed matters) from the beginning, which also rebuilds the state
 * after a restart. Invalid events are skipped here: the other consumers of the topic dead-letter them.
 *
 * Catching up: the topic's end offsets are read before consuming; once every partition was read
 * up to them, BroadcastControls is marked current. Until then dispatching and unparking wait (a
 * broadcast paused before this start would otherwise look active for a moment and be sent or
 * unparked). Past CATCH_UP_TIMEOUT_MS it goes ahead anyway, with a warning.
 * A resume or cancel triggers an unpark sweep (UnparkService).
 */
@Injectable()
export class ControlHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer: Consumer | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: DispatcherConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly controls: BroadcastControls,
    private readonly unpark: UnparkService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `${this.config.DISPATCHER_GROUP_ID}.controls.${randomUUID()}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
    });
    this.consumer = consumer;
    await consumer.connect();
    const topic = topicName('broadcastControl', this.config.KAFKA_TOPIC_PREFIX);
    // Partition → the offset of the last event published before this start (-1: none).
    const pending = new Map<number, number>();
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const p of await admin.fetchTopicOffsets(topic))
        if (Number(p.high) > Number(p.low)) pending.set(p.partition, Number(p.high) - 1);
    } catch (error) {
      this.log.warn({ error: String(error) }, 'could not read the control topic end offsets');
    } finally {
      await admin.disconnect();
    }
    const caughtUp = () => {
      clearTimeout(timeout);
      this.controls.caughtUp();
    };
    const timeout = setTimeout(() => {
      this.log.warn(
        { partitions: [...pending.keys()] },
        'control topic not read to its end in time: going ahead',
      );
      caughtUp();
    }, CATCH_UP_TIMEOUT_MS);
    timeout.unref();
    if (pending.size === 0) caughtUp();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        const decoded = decodeEvent('broadcastControl', message.value);
        if (decoded.ok && decoded.event.type === 'broadcast.control') {
          this.controls.apply(decoded.event.payload);
          if (decoded.event.payload.action !== 'pause') void this.unpark.trigger();
          this.log.info(
            {
              correlationId: decoded.event.correlationId,
              action: decoded.event.payload.action,
              target: decoded.event.payload.target,
            },
            'broadcast control applied',
          );
        }
        const last = pending.get(partition);
        if (last !== undefined && Number(message.offset) >= last) {
          pending.delete(partition);
          if (pending.size === 0) caughtUp();
        }
        return Promise.resolve();
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
