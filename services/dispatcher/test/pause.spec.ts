// Issue 6: a paused broadcast must not hold the dispatcher's in-flight window. With a window of
// 50, broadcast A is paused with 300 requests (6× the window) and B, published after A on the same
// partitions, still completes; A's requests wait parked in PostgreSQL, are re-published on resume
// and sent exactly once (simulator ledger), survive a SIGKILL of the dispatcher while parked, and
// a cancel gives each parked recipient one `cancelled` result (code 900100) and sends nothing.
// Real Kafka, real PostgreSQL, the simulator process; control events published as the gateway does.
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
import { freePort, startNode, waitFor, type RunningProcess } from '@wab/service-runtime/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { PgPoolDatabase } from '../src/adapters/pg-pool-database.adapter.js';
import { CANCELLED_CODE } from '../src/dispatch.service.js';
import { brokers, freshTopics, startSimulatorProcess, type SimulatorProcess } from './helpers.js';

const main = resolve(import.meta.dirname, '../dist/main.js');
const kafka = new Kafka({ brokers, clientId: 'dispatcher-pause-test', logLevel: logLevel.NOTHING });
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://wab:wab-local@127.0.0.1:5433/wab';
const PHONE_NUMBER_ID = '106540352242922';
const MAX_IN_FLIGHT = 50;

interface Ledger {
  accepted: number;
  duplicates: number;
}

function sendRequest(broadcastId: string, row: number, phoneBase: number) {
  return createEnvelope(
    'message.send-requested',
    {
      broadcastId,
      recipientId: recipientId(broadcastId, row),
      rowNumber: row,
      to: String(14155550000 + phoneBase + row),
      phoneNumberId: PHONE_NUMBER_ID,
      template: {
        name: 'order_update',
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

describe('a paused broadcast holds no window (parked requests), over real Kafka and PostgreSQL', () => {
  let prefix: string;
  let sim: SimulatorProcess;
  let dispatcher: RunningProcess;
  let producer: Producer;
  const db = new PgPoolDatabase(DATABASE_URL, 2);
  const groupId = `dispatcher-${randomUUID()}`;
  let port = 0;
  const results = new Map<string, EventOf<'message.send-result'>>();
  const resultCount = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });

  const startDispatcher = async () => {
    port = await freePort();
    dispatcher = startNode(main, {
      PORT: String(port),
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DISPATCHER_GROUP_ID: groupId,
      WHATSAPP_API_BASE_URL: sim.url,
      WHATSAPP_TOKEN: 'dev-token',
      SENDER_DEFAULT_MPS: '200',
      DISPATCH_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
      DATABASE_URL,
      // info: the test waits for 'broadcast control applied' before publishing the requests.
      LOG_LEVEL: 'info',
    });
    await waitFor('dispatcher /healthz', async () =>
      (await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined,
    );
  };
  const ledger = () => sim.get<Ledger>('/_sim/ledger');
  const parkedCount = async (broadcastId: string) => {
    const [row] = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM parked_requests WHERE broadcast_id = $1',
      [broadcastId],
    );
    return Number(row?.n ?? 0);
  };
  const resultsOf = (broadcastId: string) =>
    [...results.values()].filter((r) => r.payload.broadcastId === broadcastId);
  const requests = (broadcastId: string, count: number, phoneBase: number) =>
    Array.from({ length: count }, (_, i) => sendRequest(broadcastId, i + 1, phoneBase));
  const publish = async (events: EventOf<'message.send-requested'>[]) => {
    await producer.send({
      topic: topicName('sendRequests', prefix),
      messages: events.map((event) => encodeEvent(event)),
    });
  };
  /** As upload-gateway's LifecycleService publishes an operator's action. */
  const control = async (broadcastId: string, action: 'pause' | 'resume' | 'cancel') => {
    const event = createEnvelope(
      'broadcast.control',
      {
        action,
        target: { kind: 'broadcast', broadcastId },
        reason: `${action} requested by an operator`,
      },
      { tenantId: 'acme', correlationId: broadcastId },
    );
    await producer.send({
      topic: topicName('broadcastControl', prefix),
      messages: [encodeEvent(event)],
    });
  };
  /** Pauses, then publishes the requests once the dispatcher applied the pause. */
  const pausedWith = async (broadcastId: string, events: EventOf<'message.send-requested'>[]) => {
    await control(broadcastId, 'pause');
    await waitFor('the dispatcher to apply the pause', () =>
      dispatcher
        .output()
        .split('\n')
        .some(
          (line) =>
            line.includes('broadcast control applied') &&
            line.includes(broadcastId) &&
            line.includes('"pause"'),
        )
        ? true
        : undefined,
    );
    await publish(events);
    await waitFor(
      'every request parked',
      async () => ((await parkedCount(broadcastId)) === events.length ? true : undefined),
      { timeoutMs: 30_000 },
    );
  };

  beforeAll(async () => {
    prefix = await freshTopics();
    sim = await startSimulatorProcess(['--mps', '250', '--latency', 'uniform:20:120']);
    producer = kafka.producer();
    await producer.connect();
    await startDispatcher();
    await consumer.connect();
    await consumer.subscribe({ topics: [topicName('sendResults', prefix)], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const decoded = decodeEvent('sendResults', message.value);
        if (decoded.ok && decoded.event.type === 'message.send-result') {
          const id = decoded.event.payload.recipientId;
          results.set(id, decoded.event);
          resultCount.set(id, (resultCount.get(id) ?? 0) + 1);
        }
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await consumer.disconnect();
    await producer.disconnect();
    dispatcher.child.kill('SIGTERM');
    await dispatcher.exited;
    await sim.stop();
    await db.close();
  });

  it('B completes while A (6× the window) stays paused; on resume every A recipient is sent once', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const aRequests = requests(a, MAX_IN_FLIGHT * 6, 0);
    const before = await ledger();
    await pausedWith(a, aRequests);
    // B after A on the same six partitions: before parking, A's held requests filled the window
    // (and its 1.25× outstanding limit paused every partition), so B waited for A's resume.
    await publish(requests(b, 100, 10_000));
    await waitFor("B's results", () => (resultsOf(b).length >= 100 ? true : undefined), {
      timeoutMs: 30_000,
    });
    expect(resultsOf(b).every((r) => r.payload.outcome.status === 'accepted')).toBe(true);
    expect(resultsOf(a)).toHaveLength(0);
    expect(await parkedCount(a)).toBe(aRequests.length);
    expect((await ledger()).accepted - before.accepted).toBe(100);

    await control(a, 'resume');
    await waitFor(
      "A's results after the resume",
      () => (resultsOf(a).length >= aRequests.length ? true : undefined),
      { timeoutMs: 60_000 },
    );
    const after = await ledger();
    expect(after.accepted - before.accepted).toBe(100 + aRequests.length);
    expect(after.duplicates).toBe(0);
    expect(resultsOf(a).every((r) => r.payload.outcome.status === 'accepted')).toBe(true);
    expect(aRequests.every((r) => resultCount.get(r.payload.recipientId) === 1)).toBe(true);
    expect(await parkedCount(a)).toBe(0);
  });

  it('parked requests survive a SIGKILL of the dispatcher: after restart and resume, each sent once', async () => {
    const c = randomUUID();
    const cRequests = requests(c, 200, 20_000);
    const before = await ledger();
    await pausedWith(c, cRequests);
    dispatcher.child.kill('SIGKILL');
    await dispatcher.exited;
    await startDispatcher();
    // The restarted dispatcher re-reads the control topic (C is still paused): nothing goes.
    expect(await parkedCount(c)).toBe(cRequests.length);
    await control(c, 'resume');
    await waitFor(
      "C's results after restart and resume",
      () => (resultsOf(c).length >= cRequests.length ? true : undefined),
      { timeoutMs: 90_000 },
    );
    const after = await ledger();
    expect(after.accepted - before.accepted).toBe(cRequests.length);
    expect(after.duplicates).toBe(0);
    expect(resultsOf(c).every((r) => r.payload.outcome.status === 'accepted')).toBe(true);
    // The requests the killed dispatcher had not committed are replayed too; one that parks while
    // the resume's sweep deletes its row is parked again, and the next sweep (5 s) re-publishes it:
    // the attempt record then answers it without calling Meta (the ledger above stays exact).
    await waitFor('no C request left parked', async () =>
      (await parkedCount(c)) === 0 ? true : undefined,
    );
    expect((await ledger()).accepted - before.accepted).toBe(cRequests.length);
  });

  it('cancel of a paused broadcast: each parked recipient gets one cancelled result, none sent', async () => {
    const d = randomUUID();
    const dRequests = requests(d, 150, 30_000);
    const before = await ledger();
    await pausedWith(d, dRequests);
    await control(d, 'cancel');
    await waitFor(
      "D's cancelled results",
      () => (resultsOf(d).length >= dRequests.length ? true : undefined),
      { timeoutMs: 60_000 },
    );
    await waitFor('the parked rows gone', async () =>
      (await parkedCount(d)) === 0 ? true : undefined,
    );
    expect(
      resultsOf(d).every(
        (r) =>
          r.payload.outcome.status === 'failed' && r.payload.outcome.error.code === CANCELLED_CODE,
      ),
    ).toBe(true);
    expect(dRequests.every((r) => resultCount.get(r.payload.recipientId) === 1)).toBe(true);
    expect((await ledger()).accepted - before.accepted).toBe(0);
  });
});
