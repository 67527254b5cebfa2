import { z } from 'zod';
import { DEFAULT_MAX_RECORD_BYTES } from '@wab/recipients';
import { env, loadConfig } from '@wab/service-runtime';
import { parseApiKeys, type ApiKeyEntry } from './domain/api-keys.js';

export const SERVICE = 'upload-gateway';

const MB = 1024 * 1024;

const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

/** `tenantId:sha256hex,...` → entries; the message names the bad item without echoing any hash. */
const apiKeys = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const parsed = parseApiKeys(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.entries;
  });

/**
 * Every setting of upload-gateway, with its default. Nothing else in this service reads process.env; the
 * same keys appear in docker-compose.yml and the Helm chart's values.
 */
export const configSchema = z
  .object({
    HOST: env.host(),
    PORT: env.port(3000),
    LOG_LEVEL: env.logLevel(),
    ...env.kafka(),

    /**
     * API keys, `tenantId:sha256hex` pairs separated by commas (several per tenant allowed, for rotation).
     * Only hashes are configured: `npm run api-key -w @wab/upload-gateway -- new <tenant>` makes a key and
     * its entry. Empty (the default) means every /v1 request is refused with 401.
     */
    API_KEYS: apiKeys,

    S3_ENDPOINT: env.url('http://127.0.0.1:7070'),
    /** Endpoint put into pre-signed URLs when clients reach the store by another address (default S3_ENDPOINT). */
    S3_PUBLIC_ENDPOINT: env.url().optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    /** Both or neither; neither means the AWS SDK's default credential chain (IAM role, profile, ...). */
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_BUCKET: z.string().min(1).default('broadcasts'),
    S3_FORCE_PATH_STYLE: boolean(true),
    /** Lifetime of pre-signed upload URLs. */
    PRESIGN_EXPIRES_SECONDS: env.positiveInt(900),
    /** Largest CSV accepted (streamed upload → 413; pre-signed upload → 413 at start). */
    MAX_UPLOAD_BYTES: env.positiveInt(100 * MB),
    /** Largest JSON request body. */
    MAX_JSON_BYTES: env.positiveInt(256 * 1024),
    /** Authenticated requests per tenant per minute (averaged), and the burst allowed on top. */
    RATE_LIMIT_PER_MINUTE: env.positiveInt(1200),
    RATE_LIMIT_BURST: env.positiveInt(100),

    STATUS_TRACKER_URL: env.url('http://127.0.0.1:3003'),
    STATUS_TRACKER_TIMEOUT_MS: env.positiveInt(10_000),
    /** Shared token of status-tracker's internal API (sent on every call to it). Required. */
    INTERNAL_API_TOKEN: env.internalApiToken(),

    WHATSAPP_API_BASE_URL: env.url('http://127.0.0.1:3100'),
    WHATSAPP_API_VERSION: z
      .string()
      .regex(/^v\d+\.\d+$/, { message: 'expected a Graph API version such as v23.0' })
      .default('v23.0'),
    WHATSAPP_TOKEN: z.string().min(1, { message: 'expected the Cloud API access token' }),
    WHATSAPP_WABA_ID: z
      .string()
      .regex(/^\d{1,32}$/, { message: 'expected the WhatsApp Business Account id (digits)' }),
    /** How long the template list is served from memory before it is fetched again. */
    TEMPLATE_CACHE_TTL_SECONDS: env.positiveInt(60),
    WHATSAPP_TIMEOUT_MS: env.positiveInt(15_000),

    /**
     * Directory of the web console's static build, served at `/`. Unset: the console built in this
     * repository (tools/console/dist) when present, else no console. `none` turns it off.
     */
    CONSOLE_DIR: z.string().min(1).optional(),

    /** Dry run: the same CSV limits as csv-splitter's (keep them equal, or the dry run disagrees). */
    CSV_MAX_RECORD_BYTES: env.positiveInt(DEFAULT_MAX_RECORD_BYTES),
    PARAMETER_STRICT_WHITESPACE: boolean(true),
    /** Dry run: the sender's quota used for the estimated duration when the request gives none. */
    DRY_RUN_DEFAULT_MPS: env.positiveInt(80),

    /**
     * Scheduled starts: how often this replica asks status-tracker for due schedules (0: never; some
     * other replica does), and the lease of a claim (a replica that dies holding one is replaced
     * after it; a transient start failure is retried after it).
     */
    SCHEDULE_POLL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    SCHEDULE_LEASE_SECONDS: env.positiveInt(60),
  })
  .superRefine((config, ctx) => {
    if ((config.S3_ACCESS_KEY_ID === undefined) !== (config.S3_SECRET_ACCESS_KEY === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.S3_ACCESS_KEY_ID === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY'],
        message: 'set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together, or neither',
      });
    }
  });

export type GatewayConfig = z.infer<typeof configSchema>;
export type { ApiKeyEntry };

export function loadGatewayConfig(
  source: Record<string, string | undefined> = process.env,
): GatewayConfig {
  return loadConfig(SERVICE, configSchema, source);
}
