// Poison events on every topic of a running stack: each lands on the dead-letter topic with its
// reason in `x-dead-letter-reason`, and every consumer carries on: a broadcast started after the
// poison (same single partition per topic, so behind it) is split, sent, recorded, paused and resumed.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeEvent, EVENT_HEADERS, topicName, type TopicKey } from '@wab/contracts';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import {
  fixtureBroadcast,
  GatewayClient,
  startStack,
  waitUntil,
  writeRecipientsCsv,
  type Stack,
} from '../src/index.ts';

const TOPICS: { key: TopicKey; type: string }[] = [
  { key: 'uploaded', type: 'broadcast.uploaded' },
  { key: 'rows', type: 'broadcast.rows' },
  { key: 'sendRequests', type: 'message.send-requested' },
  { key: 'sendResults', type: 'message.send-result' },
  { key: 'broadcastControl', type: 'broadcast.control' },
];

type Kind = 'not-json' | 'schema' | 'unknown-version' | 'oversized';
const KINDS: Kind[] = ['not-json', 'schema', 'unknown-version', 'oversized'];

function envelope(type: string, version: number, payload: unknown): Record<string, unknown> {
  return {
    type,
    version,
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    tenantId: 'acme',
    correlationId: randomUUID(),
    payload,
  };
}

/** The poison value of one kind for one topic's event type. */
function poison(kind: Kind, type: string): Buffer {
  switch (kind) {
    case 'not-json':
      return Buffer.from('{"type": "' + type + '", not json at all');
    case 'schema':
      return Buffer.from(JSON.stringify(envelope(type, 1, { broadcastId: 42, nonsense: true })));
    case 'unknown-version':
      return Buffer.from(JSON.stringify(envelope(type, 99, {})));
    case 'oversized':
      // Over the contracts' 1,000,000-byte event limit, under the broker's default 1 MiB message limit.
      return Buffer.from(JSON.stringify(envelope(type, 1, { padding: 'x'.repeat(1_010_000) })));
  }
}

interface DeadLetter {
  key: string | null;
  sourceTopic: string;
  headerReason: string | undefined;
  reason: string;
}

describe('poison events on every topic', () => {
  let stack: Stack;
  let consumer: Consumer | undefined;
  const deadLetters: DeadLetter[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-poison-'));
  const csv = path.join(dir, 'recipients.csv');

  beforeAll(async () => {
    await writeRecipientsCsv(csv, 200, 5);
    stack = await startStack({
      // One partition per topic: the valid events of the broadcast queue behind the poison.
      partitions: {
        uploaded: 1,
        rows: 1,
        sendRequests: 1,
        sendResults: 1,
        broadcastControl: 1,
        deadLetter: 1,
      },
      simulatorArgs: ['--mps', '1000', '--latency', 'uniform:5:20', '--seed', '4'],
      // Slow enough that the broadcast is still sending when it is paused.
      env: { dispatcher: { SENDER_DEFAULT_MPS: '20' } },
    });
    const kafka = new Kafka({
      brokers: stack.infra.kafka.brokers,
      clientId: 'poison-test',
      logLevel: logLevel.NOTHING,
    });
    consumer = kafka.consumer({ groupId: `poison-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({
      topics: [topicName('deadLetter', stack.topicPrefix)],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: ({ message }) => {
        const decoded = decodeEvent('deadLetter', message.value);
        if (decoded.ok) {
          const header = message.headers?.[EVENT_HEADERS.deadLetterReason];
          deadLetters.push({
            key: decoded.event.payload.source.key,
            sourceTopic: decoded.event.payload.source.topic,
            headerReason:
              header === undefined ? undefined : String(Array.isArray(header) ? header[0] : header),
            reason: decoded.event.payload.reason,
          });
        }
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await stack?.stop();
  });

  it('dead-letters each with its reason, and every consumer handles the valid events after them', async () => {
    const kafka = new Kafka({
      brokers: stack.infra.kafka.brokers,
      clientId: 'poison-producer',
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const sent: { key: string; topic: string; kind: Kind }[] = [];
    try {
      for (const { key: topicKey, type } of TOPICS) {
        const topic = topicName(topicKey, stack.topicPrefix);
        for (const kind of KINDS) {
          const key = `poison-${topicKey}-${kind}-${randomUUID().slice(0, 8)}`;
          await producer.send({ topic, messages: [{ key, value: poison(kind, type) }] });
          sent.push({ key, topic, kind });
        }
      }
    } finally {
      await producer.disconnect();
    }

    // Valid work behind the poison on every topic: upload, split, send, results, pause and resume.
    const client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
    const created = await client.createBroadcast(fixtureBroadcast({ name: 'after poison' }));
    await client.uploadFile(created.id, csv);
    await client.start(created.id);
    await waitUntil(
      'some sends recorded',
      async () =>
        (await client.status(created.id)).counts.accepted +
          (await client.status(created.id)).counts.sent >
        0
          ? true
          : undefined,
      120_000,
    );
    const control = async (action: 'pause' | 'resume') => {
      const response = await fetch(`${stack.gatewayUrl}/v1/broadcasts/${created.id}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'poison test' }),
      });
      expect(response.status).toBeLessThan(300);
    };
    await control('pause');
    await waitUntil(
      'status-tracker shows paused',
      async () =>
        ((await client.status(created.id)).state as string) === 'paused' ? true : undefined,
      60_000,
    );
    await control('resume');
    const final = await client.follow(created.id, () => undefined, { timeoutMs: 180_000 });
    expect(final.state).toBe('completed');
    expect(final.counts.pending).toBe(0);

    // Every poison event is on the dead-letter topic (once per consumer group that read it) with its reason.
    const found = await waitUntil(
      'a dead letter for every poison event',
      () =>
        Promise.resolve(
          sent.every((p) => deadLetters.some((d) => d.key === p.key)) ? deadLetters : undefined,
        ),
      60_000,
    );
    for (const p of sent) {
      const letters = found.filter((d) => d.key === p.key);
      expect(letters.length).toBeGreaterThan(0);
      for (const letter of letters) {
        expect({
          key: p.key,
          topic: letter.sourceTopic,
          reason: letter.reason,
          header: letter.headerReason,
        }).toEqual({
          key: p.key,
          topic: p.topic,
          reason: p.kind,
          header: p.kind,
        });
      }
    }
  });
});
