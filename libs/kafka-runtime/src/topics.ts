import { Kafka, logLevel, type Admin } from 'kafkajs';
import { DEFAULT_PARTITIONS, TOPICS, topicName, type TopicKey } from '@wab/contracts';

export interface EnsureTopicsOptions {
  /** Prepended to every topic name (KAFKA_TOPIC_PREFIX), e.g. `staging.` or a random test prefix. */
  prefix?: string;
  /** Partition counts that differ from DEFAULT_PARTITIONS in @wab/contracts. */
  partitions?: Partial<Record<TopicKey, number>>;
  /**
   * Replication factor of topics that get created. Default: min(3, brokers in the cluster), so a
   * single local broker gets 1 and a production cluster 3.
   */
  replicationFactor?: number;
  /** Only these topics (default: all of TOPICS). */
  only?: readonly TopicKey[];
  /** Receives one human-readable line per topic; default: silent. */
  log?: (line: string) => void;
}

export type TopicAction = 'created' | 'exists' | 'partitions-added';

export interface TopicOutcome {
  key: TopicKey;
  name: string;
  /** Partition count after the call. */
  partitions: number;
  action: TopicAction;
  /** For `partitions-added`: the count before. */
  previousPartitions?: number;
}

/** Every topic key of the pipeline, in pipeline order. */
export const TOPIC_KEYS = Object.keys(TOPICS) as TopicKey[];

/** The partition count asked for each topic: the contract defaults overridden by `overrides`. */
export function plannedPartitions(
  overrides: Partial<Record<TopicKey, number>> = {},
): Record<TopicKey, number> {
  const planned = { ...DEFAULT_PARTITIONS };
  for (const key of TOPIC_KEYS) {
    const count = overrides[key];
    if (count === undefined) continue;
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(
        `partition count for topic "${key}" must be a positive integer, got ${String(count)}`,
      );
    }
    planned[key] = count;
  }
  return planned;
}

/** The topics ensureTopics would create: key, name and partition count (no broker needed). */
export function ensureTopicsPlan(
  prefix = '',
  overrides: Partial<Record<TopicKey, number>> = {},
): { key: TopicKey; name: string; partitions: number }[] {
  const planned = plannedPartitions(overrides);
  return TOPIC_KEYS.map((key) => ({ key, name: topicName(key, prefix), partitions: planned[key] }));
}

/**
 * Creates the pipeline's topics if they are missing. Idempotent: existing topics are left alone,
 * except that a topic with fewer partitions than asked gets partitions added (never removed; note
 * that adding partitions moves keys to other partitions). Safe to run concurrently with itself.
 *
 * `target` is a connected kafkajs Admin (left connected) or a broker list (a client is created and
 * closed here).
 */
export async function ensureTopics(
  target: Admin | string | readonly string[],
  options: EnsureTopicsOptions = {},
): Promise<TopicOutcome[]> {
  if (typeof target !== 'string' && !Array.isArray(target)) {
    return ensureWithAdmin(target as Admin, options);
  }
  const brokers =
    typeof target === 'string' ? splitBrokers(target) : [...(target as readonly string[])];
  const kafka = new Kafka({
    clientId: 'wab-ensure-topics',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureWithAdmin(admin, options);
  } finally {
    await admin.disconnect();
  }
}

async function ensureWithAdmin(
  admin: Admin,
  options: EnsureTopicsOptions,
): Promise<TopicOutcome[]> {
  const prefix = options.prefix ?? '';
  const planned = plannedPartitions(options.partitions);
  const keys = options.only ?? TOPIC_KEYS;
  const log = options.log ?? (() => undefined);

  let replicationFactor = options.replicationFactor;
  if (
    replicationFactor !== undefined &&
    (!Number.isInteger(replicationFactor) || replicationFactor < 1)
  ) {
    throw new Error(
      `replication factor must be a positive integer, got ${String(replicationFactor)}`,
    );
  }

  const existing = new Set(await admin.listTopics());
  const missing = keys.filter((key) => !existing.has(topicName(key, prefix)));
  if (missing.length > 0) {
    if (replicationFactor === undefined) {
      const cluster = await admin.describeCluster();
      replicationFactor = Math.max(1, Math.min(3, cluster.brokers.length));
    }
    const rf = replicationFactor;
    // Resolves false (no throw) when some already exist: another process may have raced us.
    // Not `waitForLeaders`: kafkajs then gives up on the first UNKNOWN_TOPIC_OR_PARTITION, which a
    // KRaft broker answers until the new topic reaches its metadata cache. partitionCounts waits.
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((key) => ({
        topic: topicName(key, prefix),
        numPartitions: planned[key],
        replicationFactor: rf,
      })),
    });
  }

  const names = keys.map((key) => topicName(key, prefix));
  const current = await partitionCounts(admin, names);

  const outcomes: TopicOutcome[] = [];
  const grow: { topic: string; count: number }[] = [];
  for (const key of keys) {
    const name = topicName(key, prefix);
    const have = current.get(name) ?? 0;
    const want = planned[key];
    if (have < want) {
      grow.push({ topic: name, count: want });
      outcomes.push({
        key,
        name,
        partitions: want,
        action: 'partitions-added',
        previousPartitions: have,
      });
    } else {
      outcomes.push({
        key,
        name,
        partitions: have,
        action: missing.includes(key) ? 'created' : 'exists',
      });
    }
  }
  if (grow.length > 0) {
    await admin.createPartitions({ topicPartitions: grow, validateOnly: false, timeout: 10_000 });
    await waitForPartitions(admin, grow);
  }
  for (const o of outcomes) {
    if (o.action === 'partitions-added') {
      log(
        `topic ${o.name}: had ${o.previousPartitions} partitions, added up to ${o.partitions} (keys move between partitions)`,
      );
    } else {
      log(`topic ${o.name}: ${o.action} (${o.partitions} partitions)`);
    }
  }
  return outcomes;
}

/** Metadata reaches the brokers asynchronously: wait until every grown topic shows its new count. */
async function waitForPartitions(
  admin: Admin,
  grown: { topic: string; count: number }[],
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const counts = await partitionCounts(
      admin,
      grown.map((g) => g.topic),
    );
    if (grown.every((g) => (counts.get(g.topic) ?? 0) >= g.count)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `partitions were added but the metadata still shows the old counts after 15 s: ${grown.map((g) => g.topic).join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How long a fresh topic may take to show up, with leaders, in the metadata of the broker asked. */
const METADATA_DEADLINE_MS = 30_000;

/**
 * Partition count per topic, once every partition of every topic has a leader. In KRaft a topic the
 * controller has just created reaches each broker's metadata cache a moment later, and a broker
 * that has just started may not know existing topics yet: it answers UNKNOWN_TOPIC_OR_PARTITION or
 * LEADER_NOT_AVAILABLE (both retriable), sometimes after kafkajs's own retries are used up. So we
 * ask again until the metadata is complete or the deadline passes.
 */
export async function partitionCounts(
  admin: Admin,
  topics: string[],
): Promise<Map<string, number>> {
  const deadline = Date.now() + METADATA_DEADLINE_MS;
  let last = 'no answer yet';
  for (;;) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      const incomplete = meta.topics.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (incomplete.length === 0) {
        return new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
      }
      last = `no leader yet for ${incomplete.map((t) => t.name).join(', ')}`;
    } catch (error) {
      if (!isRetriable(error)) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `topic metadata incomplete after ${METADATA_DEADLINE_MS / 1000} s (${last}): ${topics.join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** kafkajs marks protocol errors as retriable, and wraps them when its own retries run out. */
function isRetriable(error: unknown): boolean {
  for (
    let e: unknown = error;
    e instanceof Error;
    e = (e as { originalError?: unknown }).originalError
  ) {
    const { retriable, type } = e as { retriable?: boolean; type?: string };
    if (retriable === true) return true;
    if (type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE') return true;
    if (e.name === 'KafkaJSNumberOfRetriesExceeded') continue;
  }
  return false;
}

function splitBrokers(list: string): string[] {
  const brokers = list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) throw new Error('no Kafka broker given');
  return brokers;
}

/** `sendRequests` → `SEND_REQUESTS`: the suffix of the TOPIC_PARTITIONS_<KEY> variable. */
export function envSuffix(key: TopicKey): string {
  return key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

export interface TopicsEnvConfig {
  brokers: string[];
  options: EnsureTopicsOptions;
}

/**
 * Reads the topic settings from the environment (the Helm chart's topics Job and the local infra
 * use the same variables): KAFKA_BROKERS (comma-separated, required), KAFKA_TOPIC_PREFIX,
 * TOPIC_PARTITIONS_<KEY> (e.g. TOPIC_PARTITIONS_SEND_REQUESTS), KAFKA_REPLICATION_FACTOR.
 * Throws naming the bad variable.
 */
export function topicsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TopicsEnvConfig {
  const rawBrokers = env.KAFKA_BROKERS?.trim();
  if (!rawBrokers) throw new Error('KAFKA_BROKERS is required (comma-separated host:port list)');
  const brokers = splitBrokers(rawBrokers);
  const partitions: Partial<Record<TopicKey, number>> = {};
  for (const key of TOPIC_KEYS) {
    const name = `TOPIC_PARTITIONS_${envSuffix(key)}`;
    const raw = env[name]?.trim();
    if (!raw) continue;
    partitions[key] = positiveInt(name, raw);
  }
  const options: EnsureTopicsOptions = { prefix: env.KAFKA_TOPIC_PREFIX ?? '', partitions };
  const rf = env.KAFKA_REPLICATION_FACTOR?.trim();
  if (rf) options.replicationFactor = positiveInt('KAFKA_REPLICATION_FACTOR', rf);
  return { brokers, options };
}

function positiveInt(name: string, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}
