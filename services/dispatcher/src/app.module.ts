import { DynamicModule, Module } from '@nestjs/common';
import { createKafka, EventPublisher } from '@wab/kafka-runtime';
import { createLogger, ServiceRuntimeModule, type Logger } from '@wab/service-runtime';
import type { Kafka } from 'kafkajs';
import { topicName } from '@wab/contracts';
import { KafkaGroupSize } from './adapters/group-size.adapter.js';
import { UndiciCloudApi } from './adapters/undici-cloud-api.adapter.js';
import { SERVICE, type DispatcherConfig } from './config.js';
import { DispatchService, resultEvent } from './dispatch.service.js';
import { PacerRegistry } from './domain/pacer-registry.js';
import { SendRequestsHandler } from './handlers/send-requests.handler.js';
import { CloudApi } from './ports/cloud-api.port.js';
import { IN_FLIGHT, KAFKA, LOGGER } from './tokens.js';
import { PrometheusDispatchObserver } from './adapters/prometheus-metrics.adapter.js';

/** Sends one Cloud API call per recipient, many in flight, paced to each sender. Binds ports to adapters; holds no logic. */
@Module({})
export class AppModule {
  static forRoot(config: DispatcherConfig): DynamicModule {
    const logger = createLogger(SERVICE, config.LOG_LEVEL);
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(SERVICE, config)],
      providers: [
        { provide: LOGGER, useValue: logger },
        {
          provide: KAFKA,
          useFactory: () =>
            createKafka({
              brokers: config.KAFKA_BROKERS,
              clientId: config.KAFKA_CLIENT_ID ?? SERVICE,
              log: (level, msg, fields) => logger[level](fields ?? {}, msg),
            }),
        },
        {
          provide: EventPublisher,
          inject: [KAFKA],
          useFactory: (kafka: Kafka) =>
            new EventPublisher(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX }),
        },
        {
          provide: CloudApi,
          useFactory: () =>
            new UndiciCloudApi({
              baseUrl: config.WHATSAPP_API_BASE_URL,
              version: config.WHATSAPP_API_VERSION,
              token: config.WHATSAPP_TOKEN,
              connections: config.DISPATCH_MAX_IN_FLIGHT,
              timeoutMs: config.CLOUD_API_TIMEOUT_MS,
            }),
        },
        {
          provide: PacerRegistry,
          useFactory: () =>
            new PacerRegistry((id) => config.SENDER_MPS.get(id) ?? config.SENDER_DEFAULT_MPS),
        },
        {
          provide: KafkaGroupSize,
          inject: [KAFKA, PacerRegistry, LOGGER],
          useFactory: (kafka: Kafka, pacers: PacerRegistry, log: Logger) =>
            new KafkaGroupSize(kafka, {
              groupId: config.DISPATCHER_GROUP_ID,
              topic: topicName('sendRequests', config.KAFKA_TOPIC_PREFIX),
              onShare: (share) => pacers.setShare(share),
              log: (level, msg, fields) => log[level](fields ?? {}, msg),
            }),
        },
        {
          provide: DispatchService,
          inject: [CloudApi, PacerRegistry, EventPublisher, LOGGER, IN_FLIGHT],
          useFactory: (
            cloudApi: CloudApi,
            pacers: PacerRegistry,
            publisher: EventPublisher,
            log: Logger,
            inFlight: { count: () => number },
          ) =>
            new DispatchService(
              cloudApi,
              pacers,
              {
                publishResult: (request, outcome, attempts, latencyMs) =>
                  publisher.publish(
                    'sendResults',
                    resultEvent(request, outcome, attempts, latencyMs),
                  ),
              },
              log,
              {
                maxAttempts: config.DISPATCH_MAX_ATTEMPTS,
                observer: new PrometheusDispatchObserver(pacers, () => inFlight.count()),
              },
            ),
        },
        // Filled by SendRequestsHandler once its consumer exists (metrics read it at scrape time).
        { provide: IN_FLIGHT, useValue: { count: () => 0 } },
        SendRequestsHandler,
      ],
    };
  }
}
