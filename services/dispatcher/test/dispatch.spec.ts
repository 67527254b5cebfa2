import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  createEnvelope,
  decodeEvent,
  encodeEvent,
  formatCallbackData,
  recipientId,
  topicName,
  type EventOf,
} from '@wab/contracts';
import { startNode, freePort, waitFor, type RunningProcess } from '@wab/service-runtime/testing';
import { Kafka, logLevel } from 'kafkajs';
import { brokers, freshTopics, startSimulatorProcess, type SimulatorProcess } from './helpers.js';

const main = resolve(import.meta.dirname, '../dist/main.js');
const kafka = new Kafka({ brokers, clientId: 'dispatcher-test', logLevel: logLevel.NOTHING });
const PHONE_NUMBER_ID = '106540352242922';

function sendRequest(
  broadcastId: string,
  row: number,
  overrides: { template?: string; phoneBase?: number } = {},
): EventOf<'message.send-requested'> {
  return createEnvelope(
    'message.send-requested',
    {
      broadcastId,
      recipientId: recipientId(broadcastId, row),
      rowNumber: row,
      to: String(14155550000 + (overrides.phoneBase ?? 0) + row),
      phoneNumberId: PHONE_NUMBER_ID,
      template: {
        name: overrides.template ?? 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: `Customer ${row}` },
              { type: 'text', text: `A-${row}` },
            ],
          },
        ],
      },
      bizOpaqueCallbackData: formatCallbackData(broadcastId, row),
      attempt: 1,
    },
    { tenantId: 'acme', correlationId: broadcastId },
  );
}

interface Ledger {
  accepted: number;
  uniqueRecipients: number;
  duplicates: number;
  errors: Record<string, number>;
}

describe('dispatcher against the simulator, over real Kafka', () => {
  let prefix: string;
  let sim: SimulatorProcess;
  let dispatcher: RunningProcess;
  const broadcastId = randomUUID();
  const results = new Map<string, EventOf<'message.send-result'>>();
  /** Every result event per recipient (a replay publishes another one). */
  const resultCount = new Map<string, number>();
  const deadLetters: string[] = [];
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });

  beforeAll(async () => {
    prefix = await freshTopics();
    sim = await startSimulatorProcess(['--mps', '150', '--latency', 'uniform:20:120']);
    const port = await freePort();
    dispatcher = startNode(main, {
      PORT: String(port),
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DISPATCHER_GROUP_ID: `dispatcher-${randomUUID()}`,
      WHATSAPP_API_BASE_URL: sim.url,
      WHATSAPP_TOKEN: 'dev-token',
      SENDER_DEFAULT_MPS: '150',
      DISPATCH_MAX_IN_FLIGHT: '300',
      // The attempt record on the real PostgreSQL of the infrastructure.
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://wab:wab-local@127.0.0.1:5433/wab',
      SENDER_ACCOUNT_PAUSE_SECONDS: '1',
      LOG_LEVEL: 'warn',
    });
    await waitFor('dispatcher /healthz', async () =>
      (await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined,
    );
    await consumer.connect();
    await consumer.subscribe({
      topics: [topicName('sendResults', prefix), topicName('deadLetter', prefix)],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        if (topic === topicName('deadLetter', prefix)) {
          deadLetters.push(message.value?.toString() ?? '');
          return Promise.resolve();
        }
        const decoded = decodeEvent('sendResults', message.value);
        if (decoded.ok && decoded.event.type === 'message.send-result') {
          results.set(decoded.event.payload.recipientId, decoded.event);
          const id = decoded.event.payload.recipientId;
          resultCount.set(id, (resultCount.get(id) ?? 0) + 1);
        }
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await consumer.disconnect();
    dispatcher.child.kill('SIGTERM');
    await dispatcher.exited;
    await sim.stop();
  });

  it('sends each request once, paced to the sender limit, and publishes one result per request', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const count = 1200;
    const events = Array.from({ length: count }, (_, i) => sendRequest(broadcastId, i + 1));
    events.push(sendRequest(broadcastId, count + 1, { template: 'no_such_template' }));
    const topic = topicName('sendRequests', prefix);
    await producer.send({ topic, messages: events.map((event) => encodeEvent(event)) });
    // A poison message: not JSON at all. It must be dead-lettered without stalling its partition.
    await producer.send({ topic, messages: [{ key: 'poison', value: 'this is not json' }] });
    await producer.disconnect();

    await waitFor(
      'a result for every request',
      () => (results.size >= count + 1 ? true : undefined),
      { timeoutMs: 60_000 },
    );
    await waitFor('the poison message dead-lettered', () =>
      deadLetters.length >= 1 ? true : undefined,
    );

    const ledger = await sim.get<Ledger>('/_sim/ledger');
    expect(ledger.accepted).toBe(count);
    expect(ledger.uniqueRecipients).toBe(count);
    expect(ledger.duplicates).toBe(0);
    expect(ledger.errors['130429'] ?? 0).toBe(0);

    const accepted = [...results.values()].filter((r) => r.payload.outcome.status === 'accepted');
    expect(accepted).toHaveLength(count);
    const failed = results.get(recipientId(broadcastId, count + 1));
    expect(failed?.payload.outcome).toMatchObject({
      status: 'failed',
      error: { code: 132001 },
      category: 'account',
      retryable: false,
    });

    // Paced: the simulator's own 150/s bucket (checked on arrival) never refused a call (above), and
    // the accepted-per-second buckets stay at the limit. They are stamped when the response leaves
    // the simulator (arrival + 20–120 ms of simulated latency), so one bucket can hold a few calls
    // that arrived in the previous second: allow that jitter, nothing more.
    const { perSecond } = await sim.get<{ perSecond: { second: number; accepted: number }[] }>(
      '/_sim/ledger/rate',
    );
    expect(perSecond.length).toBeGreaterThan(5);
    expect(Math.max(...perSecond.map((r) => r.accepted))).toBeLessThanOrEqual(150 * 1.1);
    expect(deadLetters[0]).toContain('not-json');
  });

  it('slows down on a 130429 storm and still sends everything exactly once', async () => {
    await fetch(`${sim.url}/_sim/faults`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ throttleStorm: { durationMs: 1500, rate: 1 } }),
    });
    const before = await sim.get<Ledger>('/_sim/ledger');
    const stormBroadcast = randomUUID();
    const producer = kafka.producer();
    await producer.connect();
    const count = 300;
    await producer.send({
      topic: topicName('sendRequests', prefix),
      messages: Array.from({ length: count }, (_, i) =>
        encodeEvent(sendRequest(stormBroadcast, i + 1, { phoneBase: 5000 })),
      ),
    });
    await producer.disconnect();
    await waitFor(
      'results for the storm broadcast',
      () =>
        [...results.keys()].filter((id) => id.startsWith(stormBroadcast)).length >= count
          ? true
          : undefined,
      { timeoutMs: 60_000 },
    );
    const after = await sim.get<Ledger>('/_sim/ledger');
    expect(after.accepted - before.accepted).toBe(count);
    expect(after.duplicates).toBe(0);
    expect((after.errors['130429'] ?? 0) - (before.errors['130429'] ?? 0)).toBeGreaterThan(0);
    const stormResults = [...results.values()].filter(
      (r) => r.payload.broadcastId === stormBroadcast,
    );
    expect(stormResults.every((r) => r.payload.outcome.status === 'accepted')).toBe(true);
    expect(Math.max(...stormResults.map((r) => r.payload.attempts))).toBeGreaterThan(1);
  });

  const publish = async (events: EventOf<'message.send-requested'>[]) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topicName('sendRequests', prefix),
      messages: events.map((event) => encodeEvent(event)),
    });
    await producer.disconnect();
  };
  const resultsOf = (broadcast: string) =>
    [...results.values()].filter((r) => r.payload.broadcastId === broadcast);

  it('a replayed request (redelivery, crash, rebalance) is answered from the attempt record, not resent', async () => {
    const replayed = randomUUID();
    const count = 60;
    const events = Array.from({ length: count }, (_, i) =>
      sendRequest(replayed, i + 1, { phoneBase: 20_000 }),
    );
    const before = await sim.get<Ledger>('/_sim/ledger');
    await publish(events);
    await waitFor('first results', () => (resultsOf(replayed).length >= count ? true : undefined), {
      timeoutMs: 60_000,
    });
    // The same requests again, as Kafka redelivers them after a crash before the offset commit.
    await publish(events);
    await waitFor(
      'a second result for every replayed request',
      () =>
        events.every((e) => (resultCount.get(e.payload.recipientId) ?? 0) >= 2) ? true : undefined,
      { timeoutMs: 60_000 },
    );
    const after = await sim.get<Ledger>('/_sim/ledger');
    expect(after.accepted - before.accepted).toBe(count);
    expect(after.duplicates).toBe(0);
    // The re-published outcome is the recorded one: the same wamid.
    expect(resultsOf(replayed).every((r) => r.payload.outcome.status === 'accepted')).toBe(true);
  });

  it('an expired token pauses the sender: few calls, nothing failed, all sent once it is restored', async () => {
    const paused = randomUUID();
    const count = 100;
    const patch = (body: object) =>
      fetch(`${sim.url}/_sim/faults`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const before = await sim.get<Ledger>('/_sim/ledger');
    await patch({ tokenExpired: true });
    await publish(
      Array.from({ length: count }, (_, i) => sendRequest(paused, i + 1, { phoneBase: 30_000 })),
    );
    await waitFor(
      'the sender to hit 190 a few times (1 s pauses)',
      async () => {
        const ledger = await sim.get<Ledger>('/_sim/ledger');
        return (ledger.errors['190'] ?? 0) - (before.errors['190'] ?? 0) >= 3 ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(resultsOf(paused)).toHaveLength(0);
    await patch({ tokenExpired: false });
    await waitFor(
      'every request sent',
      () => (resultsOf(paused).length >= count ? true : undefined),
      {
        timeoutMs: 60_000,
      },
    );
    const after = await sim.get<Ledger>('/_sim/ledger');
    expect(resultsOf(paused).every((r) => r.payload.outcome.status === 'accepted')).toBe(true);
    expect(after.accepted - before.accepted).toBe(count);
    expect(after.duplicates).toBe(0);
    // One probe per pause, not one call per recipient: far fewer 190s than recipients.
    expect((after.errors['190'] ?? 0) - (before.errors['190'] ?? 0)).toBeLessThan(count / 4);
  });
});
