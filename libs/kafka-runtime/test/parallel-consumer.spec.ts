import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { waitFor } from '@wab/service-runtime/testing';
import { ParallelConsumer, partitionCounts, type ParallelMessage } from '../src/index.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({
  brokers,
  clientId: 'parallel-consumer-test',
  logLevel: logLevel.NOTHING,
});

async function freshTopic(admin: Admin, partitions: number): Promise<string> {
  const topic = `test-parallel-${randomUUID()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await partitionCounts(admin, [topic]);
  return topic;
}

async function produce(topic: string, count: number, keys: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: count }, (_, i) => ({
    key: `k${i % keys}`,
    value: String(i),
  }));
  for (let i = 0; i < messages.length; i += 500)
    await producer.send({ topic, messages: messages.slice(i, i + 500) });
  await producer.disconnect();
}

async function committed(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((result?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
}

describe('ParallelConsumer on a real broker', () => {
  const admin = kafka.admin();
  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  it('runs many messages per partition at once, one per key, and commits everything it finished', async () => {
    const topic = await freshTopic(admin, 3);
    await produce(topic, 3000, 300);
    const groupId = `g-${randomUUID()}`;
    const activeKeys = new Set<string>();
    const seenPerKey = new Map<string, number[]>();
    let running = 0;
    let peak = 0;
    let keyViolations = 0;
    let handled = 0;
    const consumer = new ParallelConsumer({
      consumer: kafka.consumer({ groupId }),
      topics: [topic],
      maxInFlight: 200,
      commitIntervalMs: 100,
      handle: async ({ message }: ParallelMessage) => {
        const key = message.key?.toString() ?? '';
        if (activeKeys.has(key)) keyViolations++;
        activeKeys.add(key);
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
        seenPerKey.set(key, [...(seenPerKey.get(key) ?? []), Number(message.value?.toString())]);
        running--;
        activeKeys.delete(key);
        handled++;
      },
    });
    await consumer.start();
    try {
      await waitFor('all 3000 messages handled', () => (handled >= 3000 ? true : undefined), {
        timeoutMs: 60_000,
      });
      const offsets = await waitFor('offsets committed to the end of every partition', async () => {
        const current = await committed(admin, groupId, topic);
        const total = [...current.values()].reduce(
          (sum, offset) => sum + (offset > 0n ? offset : 0n),
          0n,
        );
        return total === 3000n ? current : undefined;
      });
      expect(offsets.size).toBe(3);
    } finally {
      await consumer.stop();
    }
    expect(handled).toBe(3000);
    expect(keyViolations).toBe(0);
    // Far more in flight than the 3 partitions a partition-at-a-time consumer would allow.
    expect(peak).toBeGreaterThan(50);
    for (const values of seenPerKey.values())
      expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it('never commits past a message that has not finished, and a restart resumes from it', async () => {
    const topic = await freshTopic(admin, 1);
    await produce(topic, 200, 200);
    const groupId = `g-${randomUUID()}`;
    let releaseStuck!: () => void;
    const stuck = new Promise<void>((resolve) => (releaseStuck = resolve));
    const handledFirst = new Set<number>();
    const first = new ParallelConsumer({
      consumer: kafka.consumer({ groupId }),
      topics: [topic],
      maxInFlight: 50,
      commitIntervalMs: 50,
      drainTimeoutMs: 100,
      handle: async ({ message }) => {
        const n = Number(message.value?.toString());
        if (n === 37) await stuck; // offset 37 stays unfinished
        handledFirst.add(n);
      },
    });
    await first.start();
    await waitFor('the other 199 handled', () => (handledFirst.size >= 199 ? true : undefined));
    // Give the commit timer several chances to (wrongly) move past offset 37.
    await waitFor('a commit at the watermark', async () => {
      const offset = (await committed(admin, groupId, topic)).get(0);
      return offset === 37n ? offset : undefined;
    });
    const before = (await committed(admin, groupId, topic)).get(0);
    expect(before).toBe(37n);
    await first.stop(); // drain deadline passes with 37 still running: nothing past it is committed
    expect((await committed(admin, groupId, topic)).get(0)).toBe(37n);
    releaseStuck();

    const handledSecond: number[] = [];
    const second = new ParallelConsumer({
      consumer: kafka.consumer({ groupId }),
      topics: [topic],
      maxInFlight: 50,
      commitIntervalMs: 50,
      handle: ({ message }) => {
        handledSecond.push(Number(message.value?.toString()));
        return Promise.resolve();
      },
    });
    await second.start();
    try {
      await waitFor('the restart to consume from the watermark', () =>
        handledSecond.length >= 163 ? true : undefined,
      );
      await waitFor('commit to the end', async () =>
        (await committed(admin, groupId, topic)).get(0) === 200n ? true : undefined,
      );
    } finally {
      await second.stop();
    }
    expect(Math.min(...handledSecond)).toBe(37);
    expect(handledSecond.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 163 }, (_, i) => 37 + i),
    );
  });
});
