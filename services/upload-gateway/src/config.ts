import { z } from 'zod';
import { env, loadConfig } from '@wab/service-runtime';

export const SERVICE = 'upload-gateway';

/**
 * Every setting of upload-gateway, with its default. Nothing else in this service reads process.env; the
 * same keys appear in docker-compose.yml and the Helm chart's values.
 */
export const configSchema = z.object({
  HOST: env.host(),
  PORT: env.port(3000),
  LOG_LEVEL: env.logLevel(),
  ...env.kafka(),
  S3_ENDPOINT: env.url('http://127.0.0.1:7070'),
  S3_BUCKET: z.string().min(1).default('broadcasts'),
});

export type GatewayConfig = z.infer<typeof configSchema>;

export function loadGatewayConfig(
  source: Record<string, string | undefined> = process.env,
): GatewayConfig {
  return loadConfig(SERVICE, configSchema, source);
}
