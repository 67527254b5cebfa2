import { Kafka, logLevel, type Admin, type Consumer, type EachMessagePayload } from 'kafkajs';
import { localInfra } from '../src/index.ts';
import { loadKafkaRuntime } from '../src/topics.ts';
import { randomName, until } from './helpers.ts';

const kafka = new Kafka({
  clientId: 'infra-test',
  brokers: localInfra.kafka.brokers,
  logLevel: logLevel.NOTHING,
});

interface Seen {
  offset: string;
  value: string;
}

async function startConsumer(
  groupId: string,
  topic: string,
  seen: Seen[],
): Promise<{ consumer: Consumer; joined: Promise<void> }> {
  // A short fetch wait keeps disconnect() quick (it waits for the in-flight fetch, 5 s by default).
  const consumer = kafka.consumer({ groupId, retry: { retries: 3 }, maxWaitTimeInMs: 200 });
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve());
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    // autoCommit (default): offsets are committed after each processed batch.
    eachMessage: ({ message }: EachMessagePayload) => {
      seen.push({ offset: message.offset, value: message.value?.toString() ?? '' });
      return Promise.resolve();
    },
  });
  return { consumer, joined };
}

describe('Kafka 4.x broker with kafkajs', () => {
  let admin: Admin;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const c of consumers) await c.disconnect().catch(() => undefined);
    await admin.disconnect();
  });

  it('produces, joins a group, commits, and a restarted consumer resumes from the commit', async () => {
    const topic = randomName('t-resume');
    const groupId = randomName('g-resume');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await (await loadKafkaRuntime()).partitionCounts(admin, [topic]);

    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: [0, 1, 2, 3, 4].map((i) => ({ key: `k${i}`, value: `m${i}` })),
      });

      const first: Seen[] = [];
      const a = await startConsumer(groupId, topic, first);
      consumers.push(a.consumer);
      await a.joined;
      await until('the first consumer to read 5 messages', () => first.length >= 5);
      expect(first.map((s) => s.value)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);

      // The group's committed offset is the next one to read.
      await until('offset 5 to be committed', async () => {
        const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
        return offsets[0]?.partitions[0]?.offset === '5';
      });
      await a.consumer.disconnect();

      await producer.send({
        topic,
        messages: [5, 6, 7].map((i) => ({ key: `k${i}`, value: `m${i}` })),
      });

      const second: Seen[] = [];
      const b = await startConsumer(groupId, topic, second);
      consumers.push(b.consumer);
      await b.joined;
      await until('the restarted consumer to read the 3 later messages', () => second.length >= 3);
      // fromBeginning would start at offset 0 without a commit: it starts at the commit instead.
      expect(second.slice(0, 3)).toEqual([
        { offset: '5', value: 'm5' },
        { offset: '6', value: 'm6' },
        { offset: '7', value: 'm7' },
      ]);
      await until('offset 8 to be committed', async () => {
        const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
        return offsets[0]?.partitions[0]?.offset === '8';
      });
      expect(second).toHaveLength(3);
      await b.consumer.disconnect();
    } finally {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    }
  }, 60_000);
});
