// @wab/infra: the Docker-free local stack (Kafka 4 KRaft, versitygw S3, PostgreSQL) for tests,
// benchmarks and demos. ensureInfra() is meant for Jest globalSetup: it starts whatever is not
// running (idempotent, safe to call from several processes at once) and returns connection info.
import path from 'node:path';
import { infraDir, localInfra, ports, type InfraInfo } from './config.ts';
import { kafkaHealthy, kafkaLog, kafkaPid, startKafka, stopKafka } from './kafka.ts';
import { pgHealthy, pgLog, pgPid, startPostgres, stopPostgres } from './postgres.ts';
import { processTree, rssBytes, withLock } from './proc.ts';
import { s3Healthy, s3Log, s3Pid, startS3, stopS3 } from './s3.ts';
import { createLocalTopics } from './topics.ts';

export {
  localInfra,
  infraEnv,
  devCredentials,
  repoRoot,
  infraDir,
  toolsDir,
  type InfraInfo,
} from './config.ts';
export { InfraError } from './proc.ts';
/** Broker stop/start on their own: the chaos suite restarts the broker under a running pipeline. */
export { startKafka, stopKafka, kafkaHealthy } from './kafka.ts';
export { createLocalTopics, loadKafkaRuntime } from './topics.ts';

export type Component = 'kafka' | 's3' | 'postgres';
export const COMPONENTS: readonly Component[] = ['kafka', 's3', 'postgres'];

export interface EnsureInfraOptions {
  /** Which components to start (default: all). */
  components?: readonly Component[];
  /** Create the pipeline topics (default: true when Kafka is included). */
  topics?: boolean;
  /** Progress lines (default: silent). */
  log?: (line: string) => void;
}

const lockFile = path.join(infraDir, 'infra.lock');
const LOCK_TIMEOUT_MS = 20 * 60_000; // a cold start builds versitygw and downloads jars

const starters: Record<Component, () => Promise<'running' | 'started'>> = {
  kafka: startKafka,
  s3: startS3,
  postgres: startPostgres,
};

/** Starts what is not running yet, waits until it is ready, and returns the connection info. */
export async function ensureInfra(options: EnsureInfraOptions = {}): Promise<InfraInfo> {
  const components = options.components ?? COMPONENTS;
  const log = options.log ?? (() => undefined);
  await withLock(lockFile, LOCK_TIMEOUT_MS, async () => {
    // Start in parallel: Kafka's JVM start dominates; the others fit inside it.
    const results = await Promise.allSettled(
      components.map(async (c) => {
        const t0 = Date.now();
        const state = await starters[c]();
        log(
          `${c}: ${state === 'running' ? 'already running' : `started in ${((Date.now() - t0) / 1000).toFixed(1)} s`}`,
        );
      }),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    if (failures.length > 0) {
      const error = new Error(failures.map((f) => f.message).join('\n\n'));
      error.name = 'InfraError';
      throw error;
    }
    if (components.includes('kafka') && options.topics !== false) {
      await createLocalTopics({ log: (line) => log(line) });
    }
  });
  return localInfra;
}

/** Stops every component (graceful, then killed after a deadline). Idempotent. */
export async function stopInfra(log: (line: string) => void = () => undefined): Promise<void> {
  await withLock(lockFile, LOCK_TIMEOUT_MS, async () => {
    const results = await Promise.allSettled([
      stopKafka().then((s) => log(`kafka: ${s}`)),
      stopS3().then((s) => log(`s3: ${s}`)),
      stopPostgres().then((s) => log(`postgres: ${s}`)),
    ]);
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    if (failures.length > 0) throw new Error(failures.join('\n'));
  });
}

export interface ComponentStatus {
  component: Component;
  healthy: boolean;
  port: number;
  pid?: number;
  /** RSS of the main process. */
  rssBytes?: number;
  /** Sum of RSS over the process and its children (PostgreSQL forks helpers; shared memory counts several times). */
  treeRssBytes?: number;
  processes?: number;
  log: string;
}

export async function infraStatus(): Promise<ComponentStatus[]> {
  const probes: Record<
    Component,
    { healthy: () => Promise<boolean>; pid: () => number | undefined; port: number; log: string }
  > = {
    kafka: { healthy: () => kafkaHealthy(1500), pid: kafkaPid, port: ports.kafka, log: kafkaLog },
    s3: { healthy: () => s3Healthy(1500), pid: s3Pid, port: ports.s3, log: s3Log },
    postgres: { healthy: () => pgHealthy(1500), pid: pgPid, port: ports.postgres, log: pgLog() },
  };
  return Promise.all(
    COMPONENTS.map(async (component) => {
      const p = probes[component];
      const pid = p.pid();
      const status: ComponentStatus = {
        component,
        healthy: await p.healthy(),
        port: p.port,
        log: p.log,
      };
      if (pid !== undefined) {
        status.pid = pid;
        status.rssBytes = rssBytes(pid);
        const tree = processTree(pid);
        status.processes = tree.length;
        status.treeRssBytes = tree.reduce((sum, q) => sum + (rssBytes(q) ?? 0), 0);
      }
      return status;
    }),
  );
}
