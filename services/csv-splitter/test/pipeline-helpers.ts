import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { decodeEvent, encodeEvent, topicName, type ContractEvent, type EventsByTopic } from '@wab/contracts';
import { ensureTopics } from '@wab/kafka-runtime';
import { freePort, startNode, waitFor, type RunningProcess } from '@wab/service-runtime/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';

/** Local dev values (tools/infra): tests may not import tools, so they repeat the defaults here. */
export const infra = {
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  s3: {
    endpoint: process.env.S3_ENDPOINT ?? 'http://127.0.0.1:7070',
    region: process.env.S3_REGION ?? 'us-east-1',
    accessKeyId: process.env.S3_ACCESS_KEY_ID ?? 'wab-local',
    secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? 'wab-local-secret-not-for-production',
    bucket: process.env.S3_BUCKET ?? 'broadcasts',
  },
};

export const kafka = new Kafka({ brokers: infra.brokers, clientId: 'csv-splitter-test', logLevel: logLevel.NOTHING });

export const s3 = new S3Client({
  endpoint: infra.s3.endpoint,
  region: infra.s3.region,
  forcePathStyle: true,
  credentials: { accessKeyId: infra.s3.accessKeyId, secretAccessKey: infra.s3.secretAccessKey },
});

export async function putObject(key: string, body: Buffer | string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: infra.s3.bucket })).catch(() => undefined);
  await s3.send(new PutObjectCommand({ Bucket: infra.s3.bucket, Key: key, Body: body }));
}

/** A fresh topic prefix with the topics this service touches. */
export async function freshTopics(): Promise<string> {
  const prefix = `t-${randomUUID().slice(0, 8)}.`;
  await ensureTopics(infra.brokers, {
    prefix,
    only: ['uploaded', 'rows', 'sendRequests', 'deadLetter'],
    partitions: { uploaded: 2, rows: 3, sendRequests: 4, deadLetter: 1 },
  });
  return prefix;
}

export async function startSplitter(prefix: string, extra: Record<string, string> = {}): Promise<{ proc: RunningProcess; port: number }> {
  const port = await freePort();
  const proc = startNode(resolve(import.meta.dirname, '../dist/main.js'), {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    KAFKA_BROKERS: infra.brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    S3_ENDPOINT: infra.s3.endpoint,
    S3_REGION: infra.s3.region,
    S3_ACCESS_KEY_ID: infra.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: infra.s3.secretAccessKey,
    S3_BUCKET: infra.s3.bucket,
    // The splitter alone: no status-tracker to ask for the suppression list (tools/stack covers it).
    SUPPRESSION_CHECK: 'false',
    INTERNAL_API_TOKEN: 'test-internal-api-token-0123456789abcdef',
    ...extra,
  });
  await waitFor('csv-splitter /healthz', async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined));
  return { proc, port };
}

export async function stopSplitter(proc: RunningProcess): Promise<void> {
  proc.child.kill('SIGTERM');
  const exited = await proc.exited;
  if (exited.code !== 0) throw new Error(`csv-splitter exited with ${JSON.stringify(exited)}:\n${proc.output()}`);
}

export async function publishUploaded(prefix: string, events: ContractEvent[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic: topicName('uploaded', prefix), messages: events.map((e) => encodeEvent(e)) });
  } finally {
    await producer.disconnect();
  }
}

/** Collects every valid event of `rows` and `send-requests` under the prefix. */
export class Collector {
  readonly rows: EventsByTopic['rows'][] = [];
  readonly sendRequests: EventsByTopic['sendRequests'][] = [];
  private consumer: Consumer | undefined;

  async start(prefix: string): Promise<void> {
    const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [topicName('rows', prefix), topicName('sendRequests', prefix)], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        if (topic === topicName('rows', prefix)) {
          const decoded = decodeEvent('rows', message.value);
          if (!decoded.ok) throw new Error(`invalid rows event: ${decoded.errors.join('; ')}`);
          this.rows.push(decoded.event);
        } else {
          const decoded = decodeEvent('sendRequests', message.value);
          if (!decoded.ok) throw new Error(`invalid send request: ${decoded.errors.join('; ')}`);
          this.sendRequests.push(decoded.event);
        }
        return Promise.resolve();
      },
    });
  }

  forBroadcast(broadcastId: string) {
    const rows = this.rows.filter((e) => e.payload.broadcastId === broadcastId);
    return {
      rows,
      sendRequests: this.sendRequests.filter((e) => e.payload.broadcastId === broadcastId),
      end: rows.find((e) => e.type === 'broadcast.split-completed' || e.type === 'broadcast.split-failed'),
    };
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
