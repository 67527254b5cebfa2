import { resolve } from 'node:path';
import {
  DynamicModule,
  Module,
  RequestMethod,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import {
  createLogger,
  ReadinessChecks,
  ServiceRuntimeModule,
  type Logger,
} from '@wab/service-runtime';
import { runMigrations } from './adapters/migrations.js';
import { PgPoolDatabase } from './adapters/pg-pool-database.adapter.js';
import { PgliteDatabase } from './adapters/pglite-database.adapter.js';
import { PostgresBroadcastGauges } from './adapters/postgres-broadcast-gauges.adapter.js';
import { PostgresBroadcastStore } from './adapters/postgres-broadcast-store.adapter.js';
import { PostgresControlStore } from './adapters/postgres-control-store.adapter.js';
import { PostgresScheduleStore } from './adapters/postgres-schedule-store.adapter.js';
import { KafkaWavePublisher } from './adapters/kafka-wave-publisher.adapter.js';
import { PostgresSuppressionStore } from './adapters/postgres-suppression-store.adapter.js';
import type { SqlDatabase } from './adapters/sql-database.js';
import { DEV_APP_SECRET, DEV_VERIFY_TOKEN, SERVICE, TrackerConfig } from './config.js';
import { JsonBodyMiddleware, RawBodyMiddleware } from './handlers/body.middleware.js';
import { InternalApiController } from './handlers/internal-api.controller.js';
import { InternalAuthMiddleware } from './handlers/internal-auth.middleware.js';
import { ControlConsumer } from './handlers/control.consumer.js';
import { KafkaConsumers } from './handlers/kafka.consumers.js';
import { SuppressionsController } from './handlers/suppressions.controller.js';
import { observeBroadcasts, STALLED_AFTER_SECONDS } from './metrics.js';
import { WebhookController } from './handlers/webhook.controller.js';
import { BroadcastStore } from './ports/broadcast-store.port.js';
import { ControlStore } from './ports/control-store.port.js';
import { ScheduleStore } from './ports/schedule-store.port.js';
import { ScheduleApiController } from './handlers/schedule-api.controller.js';
import { SuppressionStore } from './ports/suppression-store.port.js';
import { SuppressionService } from './suppression.service.js';
import { ProgressService } from './progress.service.js';
import { RecordingService } from './recording.service.js';
import { LOGGER } from './tokens.js';
import { WebhookService } from './webhook.service.js';
import { UnknownWindowService } from './unknown-window.service.js';
import { WavePublisher } from './ports/wave-publisher.port.js';
import { WavesService } from './waves.service.js';

/** `migrations/` beside `src/` and `dist/` (this file is src/app.module.ts or dist/app.module.js). */
export const MIGRATIONS_DIR = resolve(import.meta.dirname, '../migrations');

/** PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise; migrated before anything uses it. */
export async function openDatabase(config: TrackerConfig, log: Logger): Promise<SqlDatabase> {
  const db: SqlDatabase = config.DATABASE_URL
    ? new PgPoolDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE, (error) =>
        log.error({ err: error }, 'idle PostgreSQL connection failed'),
      )
    : await PgliteDatabase.open(config.PGLITE_DATA_DIR);
  const { applied } = await runMigrations(db, MIGRATIONS_DIR);
  log.info(
    {
      engine: db.engine,
      ...(db.engine === 'pglite' ? { dataDir: config.PGLITE_DATA_DIR ?? '(in memory)' } : {}),
      migrationsApplied: applied,
    },
    'database ready',
  );
  return db;
}

/** Records outcomes and webhooks in PostgreSQL; serves progress and reports. Binds ports to adapters; holds no logic. */
@Module({})
export class AppModule implements NestModule {
  static forRoot(config: TrackerConfig): DynamicModule {
    const logger = createLogger(SERVICE, config.LOG_LEVEL);
    if (
      config.WHATSAPP_APP_SECRET === DEV_APP_SECRET ||
      config.WHATSAPP_VERIFY_TOKEN === DEV_VERIFY_TOKEN
    ) {
      logger.warn(
        'WHATSAPP_APP_SECRET or WHATSAPP_VERIFY_TOKEN is the local-development default: set both outside development',
      );
    }
    // One database for every store (PGlite is one in-process instance): opened once, on first use.
    let database: Promise<SqlDatabase> | undefined;
    const openOnce = () => (database ??= openDatabase(config, logger));
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(SERVICE, config)],
      controllers: [
        InternalApiController,
        ScheduleApiController,
        SuppressionsController,
        WebhookController,
      ],
      providers: [
        { provide: LOGGER, useValue: logger },
        {
          provide: BroadcastStore,
          inject: [ReadinessChecks],
          useFactory: async (readiness: ReadinessChecks) => {
            const db = await openOnce();
            const store = new PostgresBroadcastStore(db);
            readiness.register('database', () => store.ping());
            const gauges = new PostgresBroadcastGauges(db, {
              stalledAfterSeconds: STALLED_AFTER_SECONDS,
              rateWindowSeconds: config.RATE_WINDOW_SECONDS,
            });
            observeBroadcasts(
              () => gauges.snapshot(),
              (error) => logger.warn({ err: error }, 'could not read the broadcast gauges'),
            );
            return store;
          },
        },
        {
          provide: ControlStore,
          // After BroadcastStore (which owns closing the database at shutdown).
          inject: [BroadcastStore],
          useFactory: async () => new PostgresControlStore(await openOnce()),
        },
        {
          provide: SuppressionStore,
          // After BroadcastStore (which owns closing the database at shutdown).
          inject: [BroadcastStore],
          useFactory: async () => new PostgresSuppressionStore(await openOnce()),
        },
        SuppressionService,
        {
          provide: ScheduleStore,
          inject: [BroadcastStore],
          useFactory: async () => new PostgresScheduleStore(await openOnce()),
        },
        ControlConsumer,
        RecordingService,
        ProgressService,
        WebhookService,
        KafkaConsumers,
        {
          provide: WavePublisher,
          useValue: new KafkaWavePublisher({
            brokers: config.KAFKA_BROKERS,
            clientId: `${config.KAFKA_CLIENT_ID ?? SERVICE}-waves`,
            topicPrefix: config.KAFKA_TOPIC_PREFIX,
            log: logger.child({ component: 'KafkaWavePublisher' }),
          }),
        },
        WavesService,
        UnknownWindowService,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(RawBodyMiddleware)
      .forRoutes({ path: 'webhooks/whatsapp', method: RequestMethod.POST });
    // All of /internal/* by path, so a future internal controller cannot be left open by omission:
    // the token first, then the body is read.
    consumer
      .apply(InternalAuthMiddleware, JsonBodyMiddleware)
      .forRoutes({ path: 'internal/*path', method: RequestMethod.ALL });
  }
}
