import type { OnApplicationShutdown } from '@nestjs/common';
import { createEnvelope } from '@wab/contracts';
import { createKafka, EventPublisher } from '@wab/kafka-runtime';
import type { Logger } from '@wab/service-runtime';
import { waveUploadedPayload } from '../domain/wave-event.js';
import type { WaveRecord } from '../ports/broadcast-store.port.js';
import { WavePublisher } from '../ports/wave-publisher.port.js';

/** WavePublisher on Kafka: its own idempotent producer, connected on first use (most deployments never resend). */
export class KafkaWavePublisher extends WavePublisher implements OnApplicationShutdown {
  private readonly publisher: EventPublisher;
  private connecting: Promise<void> | undefined;

  constructor(options: { brokers: string[]; clientId: string; topicPrefix: string; log: Logger }) {
    super();
    const kafka = createKafka({
      brokers: options.brokers,
      clientId: options.clientId,
      log: (level, msg, fields) => options.log[level](fields ?? {}, msg),
    });
    this.publisher = new EventPublisher(kafka, { topicPrefix: options.topicPrefix });
  }

  async publishUploaded(wave: WaveRecord): Promise<void> {
    this.connecting ??= this.publisher.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    await this.connecting;
    await this.publisher.publish(
      'uploaded',
      createEnvelope('broadcast.uploaded', waveUploadedPayload(wave), {
        tenantId: wave.tenantId,
        correlationId: wave.id,
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connecting) await this.publisher.disconnect().catch(() => undefined);
  }
}
