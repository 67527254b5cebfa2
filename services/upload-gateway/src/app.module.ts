import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { createKafka, EventPublisher } from '@wab/kafka-runtime';
import { createLogger, ReadinessChecks, ServiceRuntimeModule } from '@wab/service-runtime';
import { GraphApiTemplateCatalog } from './adapters/graph-api-template-catalog.adapter.js';
import { HttpStatusTracker } from './adapters/http-status-tracker.adapter.js';
import { HttpResendWaves } from './adapters/http-resend-waves.adapter.js';
import { ResendController } from './handlers/resend.controller.js';
import { ResendWaves } from './ports/resend-waves.port.js';
import { ResendService } from './resend.service.js';
import { HttpSuppressionList } from './adapters/http-suppression-list.adapter.js';
import { KafkaEventBus } from './adapters/kafka-event-bus.adapter.js';
import { S3ObjectStorage } from './adapters/s3-object-storage.adapter.js';
import { BroadcastDrafts } from './broadcast-drafts.js';
import { BroadcastsService } from './broadcasts.service.js';
import { SERVICE, type GatewayConfig } from './config.js';
import { ScheduleRunner } from './schedule-runner.service.js';
import { ApiKeyGuard } from './handlers/api-key.guard.js';
import { BroadcastsController } from './handlers/broadcasts.controller.js';
import { HttpErrorFilter } from './handlers/http-error.filter.js';
import { SuppressionsController } from './handlers/suppressions.controller.js';
import { TemplatesController } from './handlers/templates.controller.js';
import { EventBus } from './ports/event-bus.port.js';
import { ObjectStorage } from './ports/object-storage.port.js';
import { StatusTracker } from './ports/status-tracker.port.js';
import { SuppressionList } from './ports/suppression-list.port.js';
import { SuppressionsService } from './suppressions.service.js';
import { TemplateCatalog } from './ports/template-catalog.port.js';
import { DryRunService } from './dry-run.service.js';
import { LifecycleService } from './lifecycle.service.js';
import { GraphApiMessageSender } from './adapters/graph-api-message-sender.adapter.js';
import { MessageSender } from './ports/message-sender.port.js';
import { TestSendService } from './test-send.service.js';
import { ProgressService } from './progress.service.js';
import { TemplatesService } from './templates.service.js';
import { LOGGER } from './tokens.js';
import { UploadsService } from './uploads.service.js';

/** HTTP API: templates, broadcasts, uploads, progress read-through. Binds ports to adapters; holds no logic. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    const logger = createLogger(SERVICE, config.LOG_LEVEL);
    if (config.API_KEYS.length === 0) {
      logger.warn('API_KEYS is empty: every /v1 request will be refused with 401');
    }
    const child = (component: string) => logger.child({ component });
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(SERVICE, config)],
      controllers: [
        TemplatesController,
        BroadcastsController,
        SuppressionsController,
        ResendController,
      ],
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        ApiKeyGuard,
        {
          provide: TemplateCatalog,
          useFactory: () =>
            new GraphApiTemplateCatalog({
              baseUrl: config.WHATSAPP_API_BASE_URL,
              version: config.WHATSAPP_API_VERSION,
              wabaId: config.WHATSAPP_WABA_ID,
              token: config.WHATSAPP_TOKEN,
              timeoutMs: config.WHATSAPP_TIMEOUT_MS,
            }),
        },
        {
          provide: ObjectStorage,
          useFactory: () =>
            new S3ObjectStorage({
              endpoint: config.S3_ENDPOINT,
              ...(config.S3_PUBLIC_ENDPOINT ? { publicEndpoint: config.S3_PUBLIC_ENDPOINT } : {}),
              region: config.S3_REGION,
              bucket: config.S3_BUCKET,
              forcePathStyle: config.S3_FORCE_PATH_STYLE,
              ...(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
                ? {
                    credentials: {
                      accessKeyId: config.S3_ACCESS_KEY_ID,
                      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
                    },
                  }
                : {}),
            }),
        },
        {
          provide: StatusTracker,
          useFactory: () =>
            new HttpStatusTracker({
              baseUrl: config.STATUS_TRACKER_URL,
              timeoutMs: config.STATUS_TRACKER_TIMEOUT_MS,
              token: config.INTERNAL_API_TOKEN,
            }),
        },
        {
          provide: ResendWaves,
          useFactory: () =>
            new HttpResendWaves({
              baseUrl: config.STATUS_TRACKER_URL,
              timeoutMs: config.STATUS_TRACKER_TIMEOUT_MS,
              token: config.INTERNAL_API_TOKEN,
            }),
        },
        {
          provide: ResendService,
          inject: [ResendWaves, EventBus],
          useFactory: (waves: ResendWaves, events: EventBus) =>
            new ResendService(waves, events, child('ResendService')),
        },
        {
          provide: SuppressionList,
          useFactory: () =>
            new HttpSuppressionList({
              baseUrl: config.STATUS_TRACKER_URL,
              timeoutMs: config.STATUS_TRACKER_TIMEOUT_MS,
              token: config.INTERNAL_API_TOKEN,
            }),
        },
        {
          provide: SuppressionsService,
          inject: [SuppressionList],
          useFactory: (list: SuppressionList) => new SuppressionsService(list),
        },
        {
          provide: EventBus,
          inject: [ReadinessChecks],
          useFactory: (readiness: ReadinessChecks) => {
            const log = child('kafka');
            const kafka = createKafka({
              brokers: config.KAFKA_BROKERS,
              clientId: config.KAFKA_CLIENT_ID ?? SERVICE,
              log: (level, msg, fields) => log[level](fields ?? {}, msg),
            });
            return new KafkaEventBus(
              new EventPublisher(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX }),
              readiness,
            );
          },
        },
        {
          provide: BroadcastDrafts,
          inject: [ObjectStorage],
          useFactory: (storage: ObjectStorage) => new BroadcastDrafts(storage),
        },
        {
          provide: TemplatesService,
          inject: [TemplateCatalog],
          useFactory: (catalog: TemplateCatalog) =>
            new TemplatesService(catalog, child('TemplatesService'), {
              ttlMs: config.TEMPLATE_CACHE_TTL_SECONDS * 1000,
            }),
        },
        {
          provide: BroadcastsService,
          inject: [TemplatesService, BroadcastDrafts, StatusTracker, EventBus],
          useFactory: (
            templates: TemplatesService,
            drafts: BroadcastDrafts,
            tracker: StatusTracker,
            events: EventBus,
          ) =>
            new BroadcastsService(templates, drafts, tracker, events, child('BroadcastsService'), {
              presignExpiresSeconds: config.PRESIGN_EXPIRES_SECONDS,
              maxUploadBytes: config.MAX_UPLOAD_BYTES,
            }),
        },
        {
          provide: ScheduleRunner,
          inject: [BroadcastsService, StatusTracker],
          useFactory: (broadcasts: BroadcastsService, tracker: StatusTracker) =>
            new ScheduleRunner(broadcasts, tracker, child('ScheduleRunner'), {
              pollMs: config.SCHEDULE_POLL_MS,
              leaseSeconds: config.SCHEDULE_LEASE_SECONDS,
            }),
        },
        {
          provide: UploadsService,
          inject: [BroadcastDrafts, StatusTracker],
          useFactory: (drafts: BroadcastDrafts, tracker: StatusTracker) =>
            new UploadsService(drafts, tracker, child('UploadsService'), {
              maxUploadBytes: config.MAX_UPLOAD_BYTES,
            }),
        },
        {
          provide: ProgressService,
          inject: [StatusTracker],
          useFactory: (tracker: StatusTracker) => new ProgressService(tracker),
        },
        {
          provide: LifecycleService,
          inject: [StatusTracker, EventBus],
          useFactory: (tracker: StatusTracker, events: EventBus) =>
            new LifecycleService(tracker, events, child('LifecycleService')),
        },
        {
          provide: DryRunService,
          inject: [BroadcastDrafts, TemplatesService, SuppressionList],
          useFactory: (
            drafts: BroadcastDrafts,
            templates: TemplatesService,
            suppressions: SuppressionList,
          ) =>
            new DryRunService(
              drafts,
              templates,
              {
                maxRecordBytes: config.CSV_MAX_RECORD_BYTES,
                strictWhitespace: config.PARAMETER_STRICT_WHITESPACE,
                defaultMps: config.DRY_RUN_DEFAULT_MPS,
              },
              suppressions,
            ),
        },
        {
          provide: MessageSender,
          useFactory: () =>
            new GraphApiMessageSender({
              baseUrl: config.WHATSAPP_API_BASE_URL,
              version: config.WHATSAPP_API_VERSION,
              token: config.WHATSAPP_TOKEN,
              timeoutMs: config.WHATSAPP_TIMEOUT_MS,
            }),
        },
        {
          provide: TestSendService,
          inject: [BroadcastDrafts, TemplatesService, MessageSender],
          useFactory: (
            drafts: BroadcastDrafts,
            templates: TemplatesService,
            sender: MessageSender,
          ) =>
            new TestSendService(drafts, templates, sender, child('TestSendService'), {
              maxRecordBytes: config.CSV_MAX_RECORD_BYTES,
              strictWhitespace: config.PARAMETER_STRICT_WHITESPACE,
            }),
        },
      ],
    };
  }
}
