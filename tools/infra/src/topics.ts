// Topic creation is shared with the services and the Helm chart: it lives in @wab/kafka-runtime.
// The infra CLI runs from TypeScript source, possibly before anything was built, so build that
// library (and the libraries under it) when its dist is missing or older than its source.
import fs from 'node:fs';
import path from 'node:path';
import { localInfra, repoRoot } from './config.ts';
import { run } from './proc.ts';

type KafkaRuntime = typeof import('@wab/kafka-runtime');
export type TopicOutcome = Awaited<ReturnType<KafkaRuntime['ensureTopics']>>[number];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

async function buildIfStale(project: string): Promise<void> {
  const dir = path.join(repoRoot, project);
  const out = path.join(dir, 'dist', 'index.js');
  const srcNewest = Math.max(
    newestMtime(path.join(dir, 'src')),
    fs.statSync(path.join(dir, 'package.json')).mtimeMs,
  );
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= srcNewest) return;
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.build.json')], {
      cwd: dir,
      timeoutMs: 180_000,
    });
  } catch (error) {
    // tsc still emits on type errors; only a missing output is fatal here (the project's own
    // typecheck target reports its errors).
    if (!fs.existsSync(out)) throw error;
    process.stderr.write(
      `infra: warning: building ${project} reported errors; using its dist as emitted\n`,
    );
  }
}

let loaded: Promise<KafkaRuntime> | undefined;

export function loadKafkaRuntime(): Promise<KafkaRuntime> {
  loaded ??= (async () => {
    // In dependency order: kafka-runtime imports contracts and service-runtime (metrics).
    await buildIfStale('libs/contracts');
    await buildIfStale('libs/service-runtime');
    await buildIfStale('libs/kafka-runtime');
    return import('@wab/kafka-runtime');
  })();
  return loaded;
}

export interface TopicsOptions {
  prefix?: string;
  log?: (line: string) => void;
}

/**
 * Creates the pipeline topics on the local broker. Prefix and partition counts come from the same
 * environment variables as the Helm chart's Job (KAFKA_TOPIC_PREFIX, TOPIC_PARTITIONS_<KEY>).
 */
export async function createLocalTopics(options: TopicsOptions = {}): Promise<TopicOutcome[]> {
  const runtime = await loadKafkaRuntime();
  const fromEnv = runtime.topicsConfigFromEnv({
    KAFKA_BROKERS: localInfra.kafka.brokers.join(','),
    ...process.env,
  });
  return runtime.ensureTopics(fromEnv.brokers, {
    ...fromEnv.options,
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
