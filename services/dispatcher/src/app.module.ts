import { DynamicModule, Module } from '@nestjs/common';
import { createKafka, EventPublisher } from '@wab/kafka-runtime';
import { createLogger, ServiceRuntimeModule, type Logger } from '@wab/service-runtime';
import type { Kafka } from 'kafkajs';
import { topicName } from '@wab/contracts';
import { KafkaGroupSize } from './adapters/group-size.adapter.js';
import { UndiciCloudApi } from './adapters/undici-cloud-api.adapter.js';
import { SERVICE, type DispatcherConfig } from './config.js';
import { DispatchService, resultEvent } from './dispatch.service.js';
import { BroadcastControls } from './domain/broadcast-controls.js';
import { ControlHandler } from './handlers/control.handler.js';
import { PacerRegistry } from './domain/pacer-registry.js';
import { SendRequestsHandler } from './handlers/send-requests.handler.js';
import { CloudApi } from './ports/cloud-api.port.js';
import { IN_FLIGHT, KAFKA, LOGGER, SQL_DATABASE } from './tokens.js';
import { PrometheusDispatchObserver } from './adapters/prometheus-metrics.adapter.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { runMigrations } from './adapters/migrations.js';
import { PgPoolDatabase } from './adapters/pg-pool-database.adapter.js';
import { PgliteDatabase } from './adapters/pglite-database.adapter.js';
import { PostgresAttemptStore } from './adapters/postgres-attempt-store.adapter.js';
import type { SqlDatabase } from './adapters/sql-database.js';
import { AttemptStore } from './ports/attempt-store.port.js';
import { AttemptStoreCloser } from './adapters/attempt-store.closer.js';
import { PostgresParkedRequests } from './adapters/postgres-parked-requests.adapter.js';
import { ParkedRequests } from './ports/parked-requests.port.js';
import { UnparkService } from './unpark.service.js';

/** `migrations/` beside `src/` and `dist/` (this file is src/app.module.ts or dist/app.module.js). */
export const MIGRATIONS_DIR = resolve(import.meta.dirname, '../migrations');

/**
 * The attempt record's database: DISPATCH_DATABASE_URL, else DATABASE_URL, else embedded PGlite
 * (one replica only: PGlite is in-process, so replicas would not see each other's claims).
 * Migrated (under an advisory lock) before the first claim.
 */
export async function openAttemptDatabase(
  config: DispatcherConfig,
  log: Logger,
): Promise<SqlDatabase> {
  const url = config.DISPATCH_DATABASE_URL ?? config.DATABASE_URL;
  const db: SqlDatabase = url
    ? new PgPoolDatabase(url, config.DISPATCH_DATABASE_POOL_SIZE, (error) =>
        log.error({ err: error }, 'idle PostgreSQL connection failed'),
      )
    : await PgliteDatabase.open(config.DISPATCH_PGLITE_DATA_DIR);
  const { applied } = await runMigrations(db, MIGRATIONS_DIR);
  log.info(
    {
      engine: db.engine,
      ...(db.engine === 'pglite'
        ? { dataDir: config.DISPATCH_PGLITE_DATA_DIR ?? '(in memory: single replica, dev only)' }
        : {}),
      migrationsApplied: applied,
    },
    'attempt record ready',
  );
  return db;
}

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
        // One database for the attempt record and the parked requests (closed by AttemptStoreCloser).
        { provide: SQL_DATABASE, useFactory: () => openAttemptDatabase(config, logger) },
        {
          provide: AttemptStore,
          inject: [SQL_DATABASE],
          useFactory: (db: SqlDatabase) =>
            new PostgresAttemptStore(
              db,
              `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
            ),
        },
        {
          provide: ParkedRequests,
          inject: [SQL_DATABASE],
          useFactory: (db: SqlDatabase) =>
            new PostgresParkedRequests(db, topicName('sendRequests', config.KAFKA_TOPIC_PREFIX)),
        },
        {
          provide: PrometheusDispatchObserver,
          inject: [PacerRegistry, IN_FLIGHT],
          useFactory: (pacers: PacerRegistry, inFlight: { count: () => number }) =>
            new PrometheusDispatchObserver(pacers, () => inFlight.count()),
        },
        {
          provide: UnparkService,
          inject: [
            ParkedRequests,
            LOGGER,
            BroadcastControls,
            EventPublisher,
            PrometheusDispatchObserver,
          ],
          useFactory: (
            parked: ParkedRequests,
            log: Logger,
            controls: BroadcastControls,
            publisher: EventPublisher,
            observer: PrometheusDispatchObserver,
          ) =>
            new UnparkService(parked, log, {
              controls,
              republish: (requests) => publisher.publish('sendRequests', requests),
              observer,
            }),
        },
        {
          provide: DispatchService,
          inject: [
            CloudApi,
            PacerRegistry,
            EventPublisher,
            LOGGER,
            AttemptStore,
            BroadcastControls,
            ParkedRequests,
            PrometheusDispatchObserver,
            UnparkService,
          ],
          useFactory: (
            cloudApi: CloudApi,
            pacers: PacerRegistry,
            publisher: EventPublisher,
            log: Logger,
            attempts: AttemptStore,
            controls: BroadcastControls,
            parked: ParkedRequests,
            observer: PrometheusDispatchObserver,
            unpark: UnparkService,
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
                attempts,
                accountPauseMs: config.SENDER_ACCOUNT_PAUSE_SECONDS * 1000,
                controls,
                parked,
                resumedWhileParking: () => void unpark.trigger(),
                observer,
              },
            ),
        },
        // Filled by SendRequestsHandler once its consumer exists (metrics read it at scrape time).
        { provide: IN_FLIGHT, useValue: { count: () => 0 } },
        // Current once the control topic was read to its end (ControlHandler): dispatching and
        // unparking wait for it, so a restart never sends or unparks a paused broadcast.
        { provide: BroadcastControls, useValue: new BroadcastControls({ catchingUp: true }) },
        ControlHandler,
        SendRequestsHandler,
        AttemptStoreCloser,
      ],
    };
  }
}
