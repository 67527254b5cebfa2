import { z } from 'zod';
import { env, loadConfig } from '@wab/service-runtime';

export const SERVICE = 'dispatcher';

/** `id=rate,id=rate`: per-sender messages per second, overriding SENDER_DEFAULT_MPS. */
const senderRates = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const rates = new Map<string, number>();
    for (const item of value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [id, rate] = item.split('=');
      const parsed = Number(rate);
      if (!id || !Number.isFinite(parsed) || parsed <= 0) {
        ctx.addIssue({
          code: 'custom',
          message: `expected "phoneNumberId=messagesPerSecond" pairs, bad item "${item}"`,
        });
        return z.NEVER;
      }
      rates.set(id, parsed);
    }
    return rates;
  });

/** An optional setting where an empty value (`DATABASE_URL=` in a compose file) means "not set". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * Every setting of the dispatcher, with its default. Nothing else in this service reads
 * process.env; the same keys appear in docker-compose.yml and the Helm chart's values.
 */
export const configSchema = z.object({
  HOST: env.host(),
  PORT: env.port(3002),
  LOG_LEVEL: env.logLevel(),
  ...env.kafka(),
  DISPATCHER_GROUP_ID: z.string().min(1).default('dispatcher'),
  WHATSAPP_API_BASE_URL: env.url('http://127.0.0.1:3100'),
  WHATSAPP_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, { message: 'expected a Graph API version such as v23.0' })
    .default('v23.0'),
  WHATSAPP_TOKEN: z
    .string({ message: 'expected the Cloud API access token' })
    .min(1, { message: 'expected the Cloud API access token' }),
  /** Cloud API calls in flight at once in this replica (Little's law: rate × latency, with headroom). */
  DISPATCH_MAX_IN_FLIGHT: env.positiveInt(2000),
  /** Calls per recipient request before a transient error becomes a failure. */
  DISPATCH_MAX_ATTEMPTS: env.positiveInt(6),
  CLOUD_API_TIMEOUT_MS: env.positiveInt(30_000),
  SENDER_DEFAULT_MPS: z.coerce.number().positive().default(80),
  SENDER_MPS: senderRates,
  /** How long an account-level error (190, 368, 131048, 132015, ...) pauses the sender. */
  SENDER_ACCOUNT_PAUSE_SECONDS: z.coerce.number().positive().default(60),
  /**
   * The attempt record (no recipient messaged twice): PostgreSQL, the dispatcher's own database or
   * the shared one (DATABASE_URL); absent or empty → embedded PGlite, for a single replica only.
   */
  DISPATCH_DATABASE_URL: optional(
    z.string().regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// URL' }),
  ),
  DATABASE_URL: optional(
    z.string().regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// URL' }),
  ),
  DISPATCH_DATABASE_POOL_SIZE: env.positiveInt(5),
  /** PGlite only: data directory of the attempt record; absent → in memory (lost at exit: dev only). */
  DISPATCH_PGLITE_DATA_DIR: optional(z.string()),
});

export type DispatcherConfig = z.infer<typeof configSchema>;

export function loadDispatcherConfig(
  source: Record<string, string | undefined> = process.env,
): DispatcherConfig {
  return loadConfig(SERVICE, configSchema, source);
}
