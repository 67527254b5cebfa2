import 'reflect-metadata';
import { INestApplication, LoggerService, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from './config.js';
import { createLogger } from './logger.js';
import { installHttpTracing } from './http-tracing.js';
import { httpMetricsMiddleware, setBuildInfo } from './metrics.js';
import { PinoNestLogger, routeProcessWarnings } from './nest-logger.js';
import { startTracing } from './tracing.js';

export interface ServiceBootOptions {
  service: string;
  /**
   * Builds the root module from the validated configuration; may throw ConfigError. `configure`, when
   * given, runs on the created app before it listens (global middleware such as helmet, body parsers
   * with limits, the OpenAPI document), with the configuration at hand.
   */
  createModule: () => {
    module: unknown;
    host: string;
    port: number;
    /** LOG_LEVEL of the service (default info): Nest's own lines and process warnings follow it. */
    logLevel?: string;
    configure?: (app: INestApplication) => void | Promise<void>;
  };
  /** Nest's logger; default: Nest's lines as JSON through pino (PinoNestLogger). */
  logger?: LoggerService | false;
  /** Reported in wab_build_info. */
  version?: string;
  /** How long draining may take after SIGTERM before the process exits anyway (default 25 s). */
  shutdownTimeoutMs?: number;
  /**
   * Extra NestFactory.create options, e.g. `{ rawBody: true }` for a route that verifies a signature
   * over the exact request bytes (Meta's webhooks): the body parser runs before any module code.
   */
  appOptions?: Omit<NestApplicationOptions, 'logger' | 'bufferLogs'>;
}

/**
 * Boots a service: loads configuration (a ConfigError ends the process with exit code 78, EX_CONFIG,
 * and a message naming the bad keys), starts HTTP, and closes gracefully on SIGTERM/SIGINT: Nest's
 * shutdown hooks stop consumers and drain in-flight work, then the process exits with code 0.
 */
export async function bootService(
  options: ServiceBootOptions,
): Promise<INestApplication | undefined> {
  let built: ReturnType<ServiceBootOptions['createModule']>;
  try {
    built = options.createModule();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 78;
      return undefined;
    }
    throw error;
  }
  const runtimeLog = createLogger(options.service, built.logLevel ?? 'info');
  routeProcessWarnings(runtimeLog);
  // Traces: W3C context always propagated through Kafka headers; spans exported over OTLP only when
  // the standard OTEL_* variables ask for it (read here, as every OpenTelemetry SDK does).
  const tracing = startTracing(options.service, { env: process.env });
  if (tracing.enabled) runtimeLog.info('tracing: exporting spans over OTLP');
  const app = await NestFactory.create(built.module as never, {
    ...options.appOptions,
    logger: options.logger ?? new PinoNestLogger(runtimeLog.child({ component: 'nest' })),
    bufferLogs: false,
  });
  // RED metrics for every route (recorded on response finish, labelled by route template).
  app.use(httpMetricsMiddleware);
  // A SERVER span per request (http-tracing.ts), only while tracing is on: off, nothing is added.
  if (tracing.enabled) installHttpTracing(app);
  setBuildInfo(options.version ?? '0.1.0');
  await built.configure?.(app);
  const log = (msg: string, extra: object = {}) => runtimeLog.info(extra, msg);
  // Signals are handled here rather than with app.enableShutdownHooks(): Nest re-raises the signal
  // after closing, so the process would end "killed by SIGTERM" even after a clean drain. app.close()
  // runs the same onModuleDestroy/beforeApplicationShutdown/onApplicationShutdown hooks.
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    log('shutting down', { signal });
    const timeoutMs = options.shutdownTimeoutMs ?? 25_000;
    const force = setTimeout(() => {
      runtimeLog.error({ timeoutMs }, 'shutdown took longer than the timeout, exiting anyway');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    app
      .close()
      .then(() => tracing.shutdown())
      .then(
        () => {
          log('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          runtimeLog.error({ err: error }, 'error during shutdown');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  await app.listen(built.port, built.host);
  log('listening', { host: built.host, port: built.port });
  return app;
}
