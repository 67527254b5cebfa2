import { spawn } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { localInfra, loadKafkaRuntime, repoRoot } from '../src/index.ts';
import { randomName } from './helpers.ts';

const kafka = new Kafka({
  clientId: 'infra-test-topics',
  brokers: localInfra.kafka.brokers,
  logLevel: logLevel.NOTHING,
});
const runtime = await loadKafkaRuntime();
type TopicKey = (typeof runtime.TOPIC_KEYS)[number];
const keys = runtime.TOPIC_KEYS;
const DEFAULT_PARTITIONS = runtime.plannedPartitions();
/** Topic names follow @wab/contracts: prefix + the contract name (e.g. send-requests). */
const names = Object.fromEntries(
  runtime.ensureTopicsPlan('').map((p) => [p.key, p.name]),
) as Record<TopicKey, string>;
const topicName = (key: TopicKey, prefix: string): string => `${prefix}${names[key]}`;

async function partitionCounts(admin: Admin, prefix: string): Promise<Record<string, number>> {
  const meta = await admin.fetchTopicMetadata({ topics: keys.map((k) => topicName(k, prefix)) });
  return Object.fromEntries(meta.topics.map((t) => [t.name, t.partitions.length]));
}

describe('ensureTopics (@wab/kafka-runtime) on the local broker', () => {
  let admin: Admin;
  const prefixes: string[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    const all = prefixes.flatMap((p) => keys.map((k) => topicName(k, p)));
    await admin.deleteTopics({ topics: all }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates every pipeline topic with the contract partition counts, idempotently, and grows partitions', async () => {
    const { ensureTopics } = runtime;
    const prefix = `${randomName('it')}.`;
    prefixes.push(prefix);

    const created = await ensureTopics(admin, { prefix, partitions: { rows: 2, sendRequests: 4 } });
    expect(created.map((o) => o.action)).toEqual(keys.map(() => 'created'));
    const want = { ...DEFAULT_PARTITIONS, rows: 2, sendRequests: 4 };
    expect(await partitionCounts(admin, prefix)).toEqual(
      Object.fromEntries(keys.map((k) => [topicName(k, prefix), want[k]])),
    );

    const again = await ensureTopics(localInfra.kafka.brokers, {
      prefix,
      partitions: { rows: 2, sendRequests: 4 },
    });
    expect(again.map((o) => o.action)).toEqual(keys.map(() => 'exists'));

    const lines: string[] = [];
    const grown = await ensureTopics(admin, {
      prefix,
      partitions: { rows: 3, sendRequests: 4 },
      log: (l) => lines.push(l),
    });
    expect(grown.find((o) => o.key === 'rows')).toMatchObject({
      action: 'partitions-added',
      previousPartitions: 2,
      partitions: 3,
    });
    expect(lines.join('\n')).toMatch(/rows: had 2 partitions, added up to 3/);
    expect((await partitionCounts(admin, prefix))[topicName('rows', prefix)]).toBe(3);
  }, 60_000);

  it('runs as the CLI the Helm Job uses, configured by environment', async () => {
    const prefix = `${randomName('cli')}.`;
    prefixes.push(prefix);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BROKERS: localInfra.kafka.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS_SEND_REQUESTS: '5',
      TOPIC_PARTITIONS_ROWS: '1',
      KAFKA_REPLICATION_FACTOR: '1',
    };
    const cli = path.join(repoRoot, 'libs/kafka-runtime/dist/create-topics.cli.js');
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve) => {
        const child = spawn(process.execPath, [cli], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.once('close', (c) => resolve({ code: c, output: out }));
      },
    );
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toContain(`topic ${prefix}send-requests: created (5 partitions)`);
    const counts = await partitionCounts(admin, prefix);
    expect(counts[topicName('sendRequests', prefix)]).toBe(5);
    expect(counts[topicName('rows', prefix)]).toBe(1);
    expect(counts[topicName('uploaded', prefix)]).toBe(DEFAULT_PARTITIONS.uploaded);
  }, 60_000);
});
