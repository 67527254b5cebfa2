// Parked requests on real PostgreSQL (and PGlite): parking is batched and idempotent per recipient,
// two "replicas" (two pools on one database) taking at once take each row exactly once, a failed
// re-publish leaves the rows parked, and rows of another send-requests topic are never touched.
import { randomUUID } from 'node:crypto';
import { createEnvelope, formatCallbackData, recipientId, type EventOf } from '@wab/contracts';
import { runMigrations } from '../src/adapters/migrations.js';
import { PgPoolDatabase } from '../src/adapters/pg-pool-database.adapter.js';
import { PgliteDatabase } from '../src/adapters/pglite-database.adapter.js';
import { PostgresParkedRequests } from '../src/adapters/postgres-parked-requests.adapter.js';
import type { SqlDatabase } from '../src/adapters/sql-database.js';
import { MIGRATIONS_DIR } from '../src/app.module.js';

type Request = EventOf<'message.send-requested'>;
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://wab:wab-local@127.0.0.1:5433/wab';
const SENDER = '106540352242922';

function request(broadcastId: string, row: number): Request {
  return createEnvelope(
    'message.send-requested',
    {
      broadcastId,
      recipientId: recipientId(broadcastId, row),
      rowNumber: row,
      to: String(14155550000 + row),
      phoneNumberId: SENDER,
      template: { name: 'hello_world', language: { code: 'en_US' } },
      bizOpaqueCallbackData: formatCallbackData(broadcastId, row),
      attempt: 1,
    },
    { tenantId: 'acme', correlationId: broadcastId },
  );
}

describe.each([
  ['PostgreSQL', () => Promise.resolve(new PgPoolDatabase(DATABASE_URL, 4) as SqlDatabase)],
  ['PGlite', async () => (await PgliteDatabase.open()) as SqlDatabase],
])('parked requests on %s', (engine, open) => {
  let db: SqlDatabase;
  let other: SqlDatabase;
  // A topic of this run only: the shared database may hold other runs' rows.
  const topic = `t${randomUUID().slice(0, 8)}.send-requests`;
  let a: PostgresParkedRequests;
  let b: PostgresParkedRequests;

  beforeAll(async () => {
    db = await open();
    other = engine === 'PostgreSQL' ? await open() : db;
    await Promise.all([runMigrations(db, MIGRATIONS_DIR), runMigrations(other, MIGRATIONS_DIR)]);
    a = new PostgresParkedRequests(db, topic);
    b = new PostgresParkedRequests(other, topic);
  });

  afterAll(async () => {
    await db.close();
    if (other !== db) await other.close();
  });

  it('parks a batch once per recipient, and two replicas take each row exactly once', async () => {
    const broadcast = randomUUID();
    const requests = Array.from({ length: 1000 }, (_, i) => request(broadcast, i + 1));
    // Every request twice (a replay): still one row each.
    await Promise.all([...requests, ...requests].map((r) => a.park(r)));
    const target = { broadcastId: broadcast, phoneNumberId: SENDER };
    expect(await a.targets()).toContainEqual({ ...target, count: 1000 });

    const taken: Request[] = [];
    const drain = async (store: PostgresParkedRequests) => {
      let total = 0;
      for (;;) {
        const n = await store.take(target, 100, async (batch) => {
          await new Promise((resolve) => setTimeout(resolve, 5)); // publish takes a moment
          taken.push(...batch);
        });
        total += n;
        if (n === 0) return total;
      }
    };
    const [byA, byB] = await Promise.all([drain(a), drain(b)]);
    expect(byA + byB).toBe(1000);
    if (engine === 'PostgreSQL') expect(Math.min(byA, byB)).toBeGreaterThan(0);
    expect(new Set(taken.map((r) => r.payload.recipientId)).size).toBe(1000);
    // The whole event comes back as parked (same id: the attempt record and consumers dedupe on it).
    const first = taken.find((r) => r.payload.rowNumber === 1);
    expect(first).toEqual(requests[0]);
    expect((await a.targets()).filter((t) => t.broadcastId === broadcast)).toEqual([]);
  });

  it('a failed re-publish leaves the rows parked; another topic never sees them', async () => {
    const broadcast = randomUUID();
    await Promise.all(Array.from({ length: 20 }, (_, i) => a.park(request(broadcast, i + 1))));
    const target = { broadcastId: broadcast, phoneNumberId: SENDER };
    await expect(
      a.take(target, 50, () => Promise.reject(new Error('broker down'))),
    ).rejects.toThrow('broker down');
    expect(await a.targets()).toContainEqual({ ...target, count: 20 });

    const elsewhere = new PostgresParkedRequests(db, `${topic}.other`);
    expect((await elsewhere.targets()).some((t) => t.broadcastId === broadcast)).toBe(false);
    expect(await elsewhere.take(target, 50, () => Promise.resolve())).toBe(0);

    let handed = 0;
    expect(
      await a.take(target, 50, (batch) => {
        handed = batch.length;
        return Promise.resolve();
      }),
    ).toBe(20);
    expect(handed).toBe(20);
  });
});
