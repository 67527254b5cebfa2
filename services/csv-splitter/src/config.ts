import { z } from 'zod';
import { env, loadConfig } from '@wab/service-runtime';

export const SERVICE = 'csv-splitter';

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
  S3_BUCKET: z.string().min(1).default('broadcasts'),
});

export type SplitterConfig = z.infer<typeof configSchema>;

export function loadSplitterConfig(
  source: Record<string, string | undefined> = process.env,
): SplitterConfig {
  return loadConfig(SERVICE, configSchema, source);
}
