import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * Nest's own log output through the service's pino logger, so that every line a service writes is
 * one JSON object (Nest's ConsoleLogger prints coloured text). Nest's start-up chatter (modules
 * initialised, routes mapped) goes to `debug`; everything else keeps its level. Nest passes the
 * context (the class name) as the last string argument of each call.
 */
const BOOT_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = contextOf(rest);
    this.write(context && BOOT_CONTEXTS.has(context) ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
  setLogLevels(_levels: LogLevel[]): void {
    // The pino logger's level (LOG_LEVEL) decides.
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const context = contextOf(rest);
    const fields: Record<string, unknown> = context ? { context } : {};
    // error(message, stack, context): the stack is the first extra string when there are two.
    if (level === 'error' && typeof rest[0] === 'string' && rest.length >= 2)
      fields.stack = rest[0];
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null)
      this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}

function contextOf(rest: unknown[]): string | undefined {
  const last = rest[rest.length - 1];
  return typeof last === 'string' ? last : undefined;
}

/**
 * Node's process warnings (deprecations, a library's negative timeout, ...) as JSON lines of the
 * service's logger instead of plain text on stderr. Node's default printer is itself a 'warning'
 * listener; it is replaced, not doubled.
 */
export function routeProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    logger.warn(
      { warning: warning.name, code: (warning as { code?: string }).code },
      warning.message,
    );
  });
}
