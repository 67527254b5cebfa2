import { z } from 'zod';
import { DEFAULT_MAX_RECORD_BYTES } from '@wab/recipients';
import { env, loadConfig } from '@wab/service-runtime';

export const SERVICE = 'csv-splitter';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * Every setting of csv-splitter, with its default. Nothing else in this service reads process.env; the
 * same keys appear in docker-compose.yml and the Helm chart's values.
 */
export const configSchema = z.object({
  HOST: env.host(),
  PORT: env.port(3001),
  LOG_LEVEL: env.logLevel(),
  ...env.kafka(),
  S3_ENDPOINT: env.url('http://127.0.0.1:7070'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Absent: the AWS SDK's default credential chain (instance role, ~/.aws, ...). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_BUCKET: z.string().min(1).default('broadcasts'),
  S3_FORCE_PATH_STYLE: bool(true),
  /** Recipients per broadcast.rows event (the contract allows at most 2000). */
  SPLIT_CHUNK_SIZE: env
    .positiveInt(1000)
    .refine((n) => n <= 2000, { message: 'expected at most 2000 (the broadcast.rows limit)' }),
  /**
   * A CSV record longer than this is a malformed row and ends the file (csv-parse cannot resynchronise);
   * it bounds memory on an unclosed quote. Keep equal to upload-gateway's (its dry run).
   */
  CSV_MAX_RECORD_BYTES: env.positiveInt(DEFAULT_MAX_RECORD_BYTES),
  /** Refuse parameters with newlines, tabs or > 4 consecutive spaces (Cloud API error 132018). */
  PARAMETER_STRICT_WHITESPACE: bool(true),
  /** Broadcasts split concurrently (different partitions of `uploaded`). */
  SPLIT_CONCURRENCY: env.positiveInt(2),
  /** status-tracker's internal API: the compose stage checks each chunk against the suppression list. */
  STATUS_TRACKER_URL: env.url('http://127.0.0.1:3003'),
  STATUS_TRACKER_TIMEOUT_MS: env.positiveInt(10_000),
  /** Shared token of status-tracker's internal API (suppression checks, wave rows). Required. */
  INTERNAL_API_TOKEN: env.internalApiToken(),
  /** false: no suppression check (the splitter alone, without status-tracker; never in production). */
  SUPPRESSION_CHECK: bool(true),
});

export type SplitterConfig = z.infer<typeof configSchema>;

export function loadSplitterConfig(
  source: Record<string, string | undefined> = process.env,
): SplitterConfig {
  return loadConfig(SERVICE, configSchema, source);
}
