import { DynamicModule, Module } from '@nestjs/common';
import { createLogger, ServiceRuntimeModule } from '@wab/service-runtime';
import {
  HttpSuppressionList,
  NoSuppressionList,
} from './adapters/http-suppression-list.adapter.js';
import { KafkaEventBus, KafkaSettings } from './adapters/kafka-event-bus.adapter.js';
import { S3ObjectStorage } from './adapters/s3-object-storage.adapter.js';
import { HttpWaveRows } from './adapters/http-wave-rows.adapter.js';
import { WaveRows } from './ports/wave-rows.port.js';
import { ComposeService } from './compose.service.js';
import { SERVICE, SplitterConfig } from './config.js';
import { RowsHandler } from './handlers/rows.handler.js';
import { SplitConcurrency, UploadedHandler } from './handlers/uploaded.handler.js';
import { EventBus } from './ports/event-bus.port.js';
import { ObjectStorage } from './ports/object-storage.port.js';
import { SuppressionList } from './ports/suppression-list.port.js';
import { SplitService } from './split.service.js';
import { LOGGER, SplitSettings } from './tokens.js';

/** Streams uploaded CSVs into validated recipient rows and send requests. Binds ports to adapters; holds no logic. */
@Module({})
export class AppModule {
  static forRoot(config: SplitterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(SERVICE, config)],
      providers: [
        { provide: LOGGER, useValue: createLogger(SERVICE, config.LOG_LEVEL) },
        {
          provide: KafkaSettings,
          useValue: new KafkaSettings(
            config.KAFKA_BROKERS,
            config.KAFKA_CLIENT_ID ?? SERVICE,
            config.KAFKA_TOPIC_PREFIX,
          ),
        },
        KafkaEventBus,
        { provide: EventBus, useExisting: KafkaEventBus },
        {
          provide: ObjectStorage,
          useValue: new S3ObjectStorage({
            endpoint: config.S3_ENDPOINT,
            region: config.S3_REGION,
            forcePathStyle: config.S3_FORCE_PATH_STYLE,
            ...(config.S3_ACCESS_KEY_ID ? { accessKeyId: config.S3_ACCESS_KEY_ID } : {}),
            ...(config.S3_SECRET_ACCESS_KEY
              ? { secretAccessKey: config.S3_SECRET_ACCESS_KEY }
              : {}),
          }),
        },
        {
          provide: SplitSettings,
          useValue: new SplitSettings(
            config.SPLIT_CHUNK_SIZE,
            config.CSV_MAX_RECORD_BYTES,
            config.PARAMETER_STRICT_WHITESPACE,
          ),
        },
        { provide: SplitConcurrency, useValue: new SplitConcurrency(config.SPLIT_CONCURRENCY) },
        {
          provide: SuppressionList,
          useValue: config.SUPPRESSION_CHECK
            ? new HttpSuppressionList({
                baseUrl: config.STATUS_TRACKER_URL,
                timeoutMs: config.STATUS_TRACKER_TIMEOUT_MS,
                token: config.INTERNAL_API_TOKEN,
              })
            : new NoSuppressionList(),
        },
        {
          provide: WaveRows,
          useValue: new HttpWaveRows(
            config.STATUS_TRACKER_URL,
            config.STATUS_TRACKER_TIMEOUT_MS,
            config.INTERNAL_API_TOKEN,
          ),
        },
        SplitService,
        ComposeService,
        UploadedHandler,
        RowsHandler,
      ],
    };
  }
}
