import { Controller, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { createEnvelope, encodeEvent } from '@wab/contracts';
import { Kafka, type Producer } from 'kafkajs';
import { outcomeOf, requestBody, type SendRequested } from './outcome.js';
import { settings } from './settings.js';

const PRODUCER = Symbol('PRODUCER');

@Controller()
export class SendRequestsController {
  constructor(@Inject(PRODUCER) private readonly producer: Producer) {}

  /** One message at a time per partition (ServerKafka awaits this before the next message). */
  @EventPattern(settings.sendRequestsTopic)
  async handle(@Payload() value: object): Promise<void> {
    // ServerKafka has already JSON-parsed the value; the naive way trusts it as it is.
    const request = value as SendRequested;
    if (request.type !== 'message.send-requested') return;
    const { payload } = request;
    const startedAt = Date.now();
    const response = await fetch(
      `${settings.apiBaseUrl}/${settings.apiVersion}/${payload.phoneNumberId}/messages`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${settings.token}`,
          'content-type': 'application/json',
        },
        body: requestBody(request),
      },
    );
    const outcome = outcomeOf(response.status, await response.text());
    const result = createEnvelope(
      'message.send-result',
      {
        broadcastId: payload.broadcastId,
        recipientId: payload.recipientId,
        rowNumber: payload.rowNumber,
        phoneNumberId: payload.phoneNumberId,
        outcome,
        attempts: 1,
        latencyMs: Date.now() - startedAt,
      },
      { tenantId: request.tenantId, correlationId: request.correlationId },
    );
    await this.producer.send({ topic: settings.sendResultsTopic, messages: [encodeEvent(result)] });
  }
}

class ProducerLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PRODUCER) private readonly producer: Producer) {}
  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}

@Module({
  controllers: [SendRequestsController],
  providers: [
    {
      provide: PRODUCER,
      useFactory: async () => {
        const producer = new Kafka({
          clientId: 'naive-dispatcher-results',
          brokers: settings.brokers,
        }).producer();
        await producer.connect();
        return producer;
      },
    },
    ProducerLifecycle,
  ],
})
export class NaiveModule {}
