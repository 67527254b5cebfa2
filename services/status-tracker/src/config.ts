import { z } from 'zod';
import { env, loadConfig } from '@wab/service-runtime';

export const SERVICE = 'status-tracker';

/**
 * Every setting of status-tracker, with its default. Nothing else in this service reads process.env; the
 * same keys appear in docker-compose.yml and the Helm chart's values.
 */
export const configSchema = z.object({
  HOST: env.host(),
  PORT: env.port(3003),
  LOG_LEVEL: env.logLevel(),
  ...env.kafka(),
  DATABASE_URL: z.string().optional(),
});

export type TrackerConfig = z.infer<typeof configSchema>;

export function loadTrackerConfig(
  source: Record<string, string | undefined> = process.env,
): TrackerConfig {
  return loadConfig(SERVICE, configSchema, source);
}
