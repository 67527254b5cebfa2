// The attempt record on real PostgreSQL (and PGlite): claims are atomic under concurrency and across
// "replicas" (two stores on one database), final outcomes survive for re-publishing, released
// claims can be taken again, and the migrations are safe to run by several replicas at once.
import { randomUUID } from 'node:crypto';
import { runMigrations } from '../src/adapters/migrations.js';
import { PgPoolDatabase } from '../src/adapters/pg-pool-database.adapter.js';
import { PgliteDatabase } from '../src/adapters/pglite-database.adapter.js';
import { PostgresAttemptStore } from '../src/adapters/postgres-attempt-store.adapter.js';
import type { SqlDatabase } from '../src/adapters/sql-database.js';
import { MIGRATIONS_DIR } from '../src/app.module.js';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://wab:wab-local@127.0.0.1:5433/wab';

describe.each([
  ['PostgreSQL', () => Promise.resolve(new PgPoolDatabase(DATABASE_URL, 4) as SqlDatabase)],
  ['PGlite', async () => (await PgliteDatabase.open()) as SqlDatabase],
])('attempt record on %s', (engine, open) => {
  let db: SqlDatabase;
  let other: SqlDatabase;
  let a: PostgresAttemptStore;
  let b: PostgresAttemptStore;

  beforeAll(async () => {
    db = await open();
    other = engine === 'PostgreSQL' ? await open() : db;
    // Two replicas booting at once: the advisory lock serialises them.
    await Promise.all([runMigrations(db, MIGRATIONS_DIR), runMigrations(other, MIGRATIONS_DIR)]);
    a = new PostgresAttemptStore(db, 'replica-a');
    b = new PostgresAttemptStore(other, 'replica-b');
  });

  afterAll(async () => {
    await a.close();
    if (other !== db) await b.close();
  });

  it('exactly one of two replicas racing for each recipient wins the claim', async () => {
    const broadcast = randomUUID();
    const ids = Array.from({ length: 600 }, (_, i) => `${broadcast}:${i + 1}`);
    const results = await Promise.all(
      ids.flatMap((id) => [a.claim(id, broadcast), b.claim(id, broadcast)]),
    );
    for (let i = 0; i < ids.length; i++) {
      const pair = [results[2 * i], results[2 * i + 1]];
      expect(pair.filter((r) => r?.kind === 'claimed')).toHaveLength(1);
      expect(pair.filter((r) => r?.kind === 'taken')).toEqual([
        { kind: 'taken', state: 'sending' },
      ]);
    }
  });

  it('the same recipient twice in one batch: the first claims, the second sees it taken', async () => {
    const broadcast = randomUUID();
    const id = `${broadcast}:1`;
    const [first, second] = await Promise.all([a.claim(id, broadcast), a.claim(id, broadcast)]);
    expect(first).toEqual({ kind: 'claimed', claims: 1 });
    expect(second).toEqual({ kind: 'taken', state: 'sending' });
  });

  it('keeps the final outcome for a replay, and lets a released claim be taken again', async () => {
    const broadcast = randomUUID();
    const done = `${broadcast}:1`;
    const released = `${broadcast}:2`;
    await a.claim(done, broadcast);
    await a.finish(done, { status: 'accepted', wamid: 'wamid.X' });
    await a.claim(released, broadcast);
    await a.release(released);

    expect(await b.claim(done, broadcast)).toEqual({
      kind: 'taken',
      state: 'accepted',
      outcome: { status: 'accepted', wamid: 'wamid.X' },
    });
    expect(await b.claim(released, broadcast)).toEqual({ kind: 'claimed', claims: 2 });
    expect(await a.claim(released, broadcast)).toEqual({ kind: 'taken', state: 'sending' });
  });
});
