import { z } from 'zod';
import { env, loadConfig } from '@wab/service-runtime';

export const SERVICE = 'dispatcher';

/**
 * Every setting of dispatcher, with its default. Nothing else in this service reads process.env; the
 * same keys appear in docker-compose.yml and the Helm chart's values.
 */
export const configSchema = z.object({
  HOST: env.host(),
  PORT: env.port(3002),
  LOG_LEVEL: env.logLevel(),
  ...env.kafka(),
  WHATSAPP_API_BASE_URL: env.url('http://127.0.0.1:3100'),
  WHATSAPP_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, { message: 'expected a Graph API version such as v23.0' })
    .default('v23.0'),
});

export type DispatcherConfig = z.infer<typeof configSchema>;

export function loadDispatcherConfig(
  source: Record<string, string | undefined> = process.env,
): DispatcherConfig {
  return loadConfig(SERVICE, configSchema, source);
}
