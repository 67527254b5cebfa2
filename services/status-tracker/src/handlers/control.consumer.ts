import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BatchEventConsumer, createKafka, EventPublisher } from '@wab/kafka-runtime';
import { SERVICE_CONFIG, type Logger } from '@wab/service-runtime';
import { SERVICE, type TrackerConfig } from '../config.js';
import { ControlStore, type ControlFact } from '../ports/control-store.port.js';
import { RecordingService } from '../recording.service.js';
import { LOGGER } from '../tokens.js';

/**
 * `broadcast-control` → broadcast_controls: the operator's pause/resume/cancel, shown as the
 * broadcast's state (`paused`, `cancelled`) on top of the computed one; a cancel also turns the
 * recipients still `pending` into `cancelled`. Sender-wide controls are the
 * dispatcher's business and are not shown per broadcast here.
 *
 * At-least-once: the batch is recorded in one transaction before its offsets are committed; a
 * re-delivered event changes nothing (the store keeps the newest event per broadcast). The group name
 * is a persisted identifier (committed offsets) and carries KAFKA_TOPIC_PREFIX like the topics.
 */
export const CONTROL_GROUP = 'status-tracker-control';

@Injectable()
export class ControlConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly publisher: EventPublisher;
  private readonly consumer: BatchEventConsumer<'broadcastControl'>;
  private starting: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    store: ControlStore,
    recording: RecordingService,
    @Inject(SERVICE_CONFIG) config: TrackerConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'ControlConsumer' });
    const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: object) =>
      this.log[level](fields ?? {}, msg);
    const kafka = createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID ?? SERVICE}-control`,
      log,
    });
    this.publisher = new EventPublisher(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX });
    this.consumer = new BatchEventConsumer({
      kafka,
      groupId: `${config.KAFKA_TOPIC_PREFIX}${CONTROL_GROUP}`,
      topic: 'broadcastControl',
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      publisher: this.publisher,
      log,
      handle: async (batch) => {
        const facts: ControlFact[] = [];
        for (const { event } of batch) {
          const { target, action, reason } = event.payload;
          if (target.kind !== 'broadcast') continue;
          facts.push({
            tenantId: event.tenantId,
            broadcastId: target.broadcastId,
            action,
            reason,
            eventId: event.id,
            occurredAt: new Date(event.occurredAt),
          });
        }
        await store.record(facts);
        // After the control is committed (the sweep reads it): recipients still pending end
        // `cancelled`. A crash in between re-delivers the batch, which records and sweeps again.
        const cancels = facts.filter((fact) => fact.action === 'cancel');
        if (cancels.length > 0) await recording.recordCancelled(cancels);
        for (const fact of facts) {
          this.log.info(
            { correlationId: fact.broadcastId, tenantId: fact.tenantId, action: fact.action },
            'broadcast control recorded',
          );
        }
      },
    });
  }

  onApplicationBootstrap(): void {
    this.starting = this.start();
  }

  private async start(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        await this.publisher.connect();
        await this.consumer.start();
        return;
      } catch (error) {
        const delayMs = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
        this.log.error(
          { err: error, attempt, retryInMs: delayMs },
          'could not start the control consumer',
        );
        await this.consumer.stop().catch(() => undefined);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.starting?.catch(() => undefined);
    await this.consumer.stop().catch(() => undefined);
    await this.publisher.disconnect().catch(() => undefined);
  }
}
