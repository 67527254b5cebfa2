import 'reflect-metadata';
import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from './config.js';

export interface ServiceBootOptions {
  service: string;
  /** Builds the root module from the validated configuration; may throw ConfigError. */
  createModule: () => { module: unknown; host: string; port: number };
  logger?: LoggerService | false;
  /** How long draining may take after SIGTERM before the process exits anyway (default 25 s). */
  shutdownTimeoutMs?: number;
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
  const app = await NestFactory.create(built.module as never, {
    logger: options.logger ?? ['error', 'warn', 'log'],
    bufferLogs: false,
  });
  const log = (msg: string, extra: object = {}) =>
    process.stdout.write(
      `${JSON.stringify({ level: 'info', time: Date.now(), service: options.service, msg, ...extra })}\n`,
    );
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
      process.stderr.write(
        `${options.service}: shutdown took longer than ${timeoutMs} ms, exiting anyway\n`,
      );
      process.exit(1);
    }, timeoutMs);
    force.unref();
    app.close().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`${options.service}: error during shutdown: ${String(error)}\n`);
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
