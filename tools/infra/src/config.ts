// Where everything lives and which ports it uses. Defaults are fixed so that every project, test
// and demo finds the same local stack; each can be overridden by an environment variable.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repository root: this file is tools/infra/src/config.ts (or tools/infra/dist/config.js). */
export const repoRoot = path.resolve(fileURLToPath(new URL('../../../', import.meta.url)));

function envInt(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
  }
  return n;
}

function envDir(name: string, fallback: string): string {
  const raw = process.env[name]?.trim();
  return path.resolve(repoRoot, raw ? raw : fallback);
}

/** State (data directories, pid files, logs): git-ignored. */
export const infraDir = envDir('INFRA_DIR', '.infra');
/** Downloaded and built artefacts (Kafka jars, versitygw binary): git-ignored, kept between runs. */
export const toolsDir = envDir('INFRA_TOOLS_DIR', '.tools');
export const logsDir = path.join(infraDir, 'logs');

export const KAFKA_VERSION = process.env.INFRA_KAFKA_VERSION?.trim() || '4.1.1';
export const VERSITYGW_VERSION = process.env.INFRA_VERSITYGW_VERSION?.trim() || 'v1.8.0';

export const ports = {
  kafka: envInt('INFRA_KAFKA_PORT', 9092),
  kafkaController: envInt('INFRA_KAFKA_CONTROLLER_PORT', 9093),
  s3: envInt('INFRA_S3_PORT', 7070),
  postgres: envInt('INFRA_PG_PORT', 5433),
};

/**
 * LOCAL DEVELOPMENT CREDENTIALS ONLY. They protect nothing: the services listen on 127.0.0.1 and
 * these values are in git on purpose so every test and demo can use them. Never reuse them anywhere.
 */
export const devCredentials = {
  s3AccessKeyId: 'wab-local',
  s3SecretAccessKey: 'wab-local-secret-not-for-production',
  pgUser: 'wab',
  pgPassword: 'wab-local',
  pgDatabase: 'wab',
};

export interface InfraInfo {
  kafka: { brokers: string[] };
  s3: {
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    bucket: string;
    /** versitygw serves path-style URLs (http://host:port/bucket/key). */
    forcePathStyle: true;
  };
  postgres: {
    host: string;
    port: number;
    user: string;
    password: string;
    database: string;
    /** postgres://user:password@127.0.0.1:5433/wab */
    url: string;
  };
  /** Same as postgres.url. */
  DATABASE_URL: string;
}

/** Connection info of the local stack (stable: defaults unless INFRA_* variables say otherwise). */
export const localInfra: InfraInfo = Object.freeze({
  kafka: { brokers: [`127.0.0.1:${ports.kafka}`] },
  s3: {
    endpoint: `http://127.0.0.1:${ports.s3}`,
    region: 'us-east-1',
    accessKeyId: devCredentials.s3AccessKeyId,
    secretAccessKey: devCredentials.s3SecretAccessKey,
    bucket: process.env.INFRA_S3_BUCKET?.trim() || 'broadcasts',
    forcePathStyle: true as const,
  },
  postgres: {
    host: '127.0.0.1',
    port: ports.postgres,
    user: devCredentials.pgUser,
    password: devCredentials.pgPassword,
    database: devCredentials.pgDatabase,
    url: `postgres://${devCredentials.pgUser}:${devCredentials.pgPassword}@127.0.0.1:${ports.postgres}/${devCredentials.pgDatabase}`,
  },
  DATABASE_URL: `postgres://${devCredentials.pgUser}:${devCredentials.pgPassword}@127.0.0.1:${ports.postgres}/${devCredentials.pgDatabase}`,
});

/**
 * Environment variables describing the local stack, for starting services against it. Names follow
 * the services' configuration (KAFKA_BROKERS, S3_*, DATABASE_URL).
 */
export function infraEnv(info: InfraInfo = localInfra): Record<string, string> {
  return {
    KAFKA_BROKERS: info.kafka.brokers.join(','),
    S3_ENDPOINT: info.s3.endpoint,
    S3_REGION: info.s3.region,
    S3_ACCESS_KEY_ID: info.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: info.s3.secretAccessKey,
    S3_BUCKET: info.s3.bucket,
    S3_FORCE_PATH_STYLE: 'true',
    DATABASE_URL: info.DATABASE_URL,
  };
}
