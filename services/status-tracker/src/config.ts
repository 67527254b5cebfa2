import { z } from 'zod';
import { env, loadConfig } from '@wab/service-runtime';

export const SERVICE = 'status-tracker';

/**
 * Local-development defaults of the webhook secrets: the simulator's default app secret, so that
 * `npm run demo` works with nothing set. Deployments set their own (the chart refuses to start without);
 * the service logs a warning at boot while either default is in use.
 */
export const DEV_APP_SECRET = 'dev-app-secret';
export const DEV_VERIFY_TOKEN = 'dev-verify-token';

/** An optional setting where an empty value (`DATABASE_URL=` in a compose file) means "not set". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * Every setting of status-tracker, with its default. Nothing else in this service reads process.env; the
 * same keys appear in docker-compose.yml and the Helm chart's values.
 */
export const configSchema = z.object({
  HOST: env.host(),
  PORT: env.port(3003),
  LOG_LEVEL: env.logLevel(),
  ...env.kafka(),
  /** PostgreSQL connection string; absent or empty → embedded PGlite (same schema, same SQL). */
  DATABASE_URL: optional(
    z.string().regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// URL' }),
  ),
  DATABASE_POOL_SIZE: env.positiveInt(10),
  /** PGlite only: data directory; absent → in memory (lost at exit). */
  PGLITE_DATA_DIR: optional(z.string()),
  /** HMAC-SHA256 key of Meta's `X-Hub-Signature-256` (the App Secret, not the verify token). */
  WHATSAPP_APP_SECRET: z
    .string()
    .min(8, { message: 'expected the app secret (at least 8 characters)' })
    .default(DEV_APP_SECRET),
  /** Echo token of the webhook subscription handshake (`hub.verify_token`). */
  WHATSAPP_VERIFY_TOKEN: z
    .string()
    .min(8, { message: 'expected a verify token of at least 8 characters' })
    .default(DEV_VERIFY_TOKEN),
  /**
   * Shared token of the internal API: every `/internal/*` request must carry
   * `authorization: Bearer <token>` (upload-gateway and csv-splitter send it). Required, no default.
   */
  INTERNAL_API_TOKEN: env.internalApiToken(),
  /** Window over which the progress rate (terminal outcomes per second) is measured. */
  RATE_WINDOW_SECONDS: env.positiveInt(60),
  /**
   * How long an `unknown` outcome (timeout, dispatcher killed mid-call) may wait for the status
   * webhook that reconciles it; after that it is handled per UNKNOWN_POLICY.
   */
  UNKNOWN_RECONCILE_SECONDS: env.positiveInt(600),
  /**
   * `report` (default): it stays `unknown` (terminal) and the report says no webhook came; never resent.
   * `resend`: reported as with `report`, then resent once in a new wave (a child broadcast) as soon as
   * its broadcast is over. Risk: an `unknown` may have reached Meta without any webhook arriving
   * (webhook outage, late delivery), so `resend` can message such a recipient twice.
   */
  UNKNOWN_POLICY: z.enum(['report', 'resend']).default('report'),
  /**
   * With UNKNOWN_POLICY=resend, only unknowns reported within this many seconds are resent (default
   * one day), so switching the policy on does not resend the unknowns of old broadcasts.
   */
  UNKNOWN_RESEND_MAX_AGE_SECONDS: env.positiveInt(86_400),
  /** Largest POST /webhooks/whatsapp body accepted (Meta batches up to ~1,000 statuses). */
  WEBHOOK_MAX_BODY_BYTES: env.positiveInt(3 * 1024 * 1024),
});

export type TrackerConfig = z.infer<typeof configSchema>;

export function loadTrackerConfig(
  source: Record<string, string | undefined> = process.env,
): TrackerConfig {
  return loadConfig(SERVICE, configSchema, source);
}
