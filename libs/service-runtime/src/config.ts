import { z } from 'zod';

/**
 * Raised when the environment does not describe a valid configuration. The message names every bad
 * key and says what was expected, so a service fails at boot with something an operator can act on.
 */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly issues: readonly string[],
  ) {
    super(`${service}: invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Keys whose values must never be echoed back, even in a configuration error. */
const SECRET_KEY = /TOKEN|SECRET|PASSWORD|API_KEY|CREDENTIAL/i;

/**
 * Validates `env` against `schema`, the one place a service reads its environment. Each issue names
 * the key (`PORT: expected a whole number from 1 to 65535, got "abc"`); secrets are never echoed.
 */
export function loadConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    const raw = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    const shown =
      raw === undefined
        ? 'it is not set'
        : SECRET_KEY.test(key)
          ? 'got a value (hidden)'
          : `got ${JSON.stringify(raw)}`;
    return `${key}: ${issue.message}; ${shown}`;
  });
  throw new ConfigError(service, issues);
}

/** Common field builders so every service spells its configuration the same way. */
export const env = {
  port: (fallback: number) =>
    z.coerce
      .number({ message: 'expected a whole number from 1 to 65535' })
      .int({ message: 'expected a whole number from 1 to 65535' })
      .min(1, { message: 'expected a whole number from 1 to 65535' })
      .max(65535, { message: 'expected a whole number from 1 to 65535' })
      .default(fallback),
  host: (fallback = '127.0.0.1') =>
    z.string().min(1, { message: 'expected a host name or address' }).default(fallback),
  positiveInt: (fallback: number) =>
    z.coerce
      .number({ message: 'expected a positive whole number' })
      .int({ message: 'expected a positive whole number' })
      .positive({ message: 'expected a positive whole number' })
      .default(fallback),
  /** A comma-separated list such as `localhost:9092,localhost:9094`. */
  list: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0),
      )
      .refine((items) => items.length > 0, {
        message: 'expected a comma-separated list with at least one item',
      }),
  url: (fallback?: string) =>
    fallback === undefined
      ? z.url({ message: 'expected an absolute URL' })
      : z.url({ message: 'expected an absolute URL' }).default(fallback),
  /**
   * The shared token of status-tracker's internal API (`/internal/*`): required, at least 32
   * characters. A secret: never logged, and a configuration error never echoes it.
   */
  internalApiToken: () =>
    z
      .string({ message: 'expected the internal API token (at least 32 characters)' })
      .min(32, { message: 'expected the internal API token (at least 32 characters)' }),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Kafka broker list and topic-name prefix: the same keys in every service, compose and the chart. */
  kafka: () => ({
    KAFKA_BROKERS: env.list('127.0.0.1:9092'),
    KAFKA_CLIENT_ID: z.string().optional(),
    KAFKA_TOPIC_PREFIX: z.string().default(''),
  }),
};
