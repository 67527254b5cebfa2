import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { runMigrations } from '../src/adapters/migrations.js';
import { PgPoolDatabase } from '../src/adapters/pg-pool-database.adapter.js';
import { PgliteDatabase } from '../src/adapters/pglite-database.adapter.js';
import { PostgresControlStore } from '../src/adapters/postgres-control-store.adapter.js';
import type { SqlDatabase } from '../src/adapters/sql-database.js';
import type { ControlFact } from '../src/ports/control-store.port.js';
import { DATABASE_URL } from './support.js';

/** broadcast_controls on the real engines: newest event wins, re-delivery is harmless, cancel is final. */
const MIGRATIONS = resolve(import.meta.dirname, '../migrations');

const engines: [string, () => Promise<SqlDatabase>][] = [
  ['PostgreSQL', () => Promise.resolve(new PgPoolDatabase(DATABASE_URL, 4))],
  ['PGlite', () => PgliteDatabase.open()],
];

describe.each(engines)('ControlStore on %s', (_engine, open) => {
  let db: SqlDatabase;
  let store: PostgresControlStore;
  let tenant: string;
  const fact = (action: ControlFact['action'], second: number): ControlFact => ({
    tenantId: tenant,
    broadcastId: 'b1',
    action,
    reason: `${action} by test`,
    eventId: randomUUID(),
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)),
  });

  beforeAll(async () => {
    db = await open();
    await runMigrations(db, MIGRATIONS);
    store = new PostgresControlStore(db);
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(() => {
    tenant = `t-${randomUUID().slice(0, 8)}`;
  });

  it('keeps the newest control per broadcast, whatever the arrival order', async () => {
    expect(await store.get(tenant, 'b1')).toBeUndefined();
    const pause = fact('pause', 1);
    const resume = fact('resume', 2);
    await store.record([resume]);
    await store.record([pause, pause]); // older, and re-delivered: no change
    expect(await store.get(tenant, 'b1')).toMatchObject({ control: 'running' });
    await store.record([fact('pause', 3)]);
    expect(await store.get(tenant, 'b1')).toMatchObject({
      control: 'paused',
      reason: 'pause by test',
    });
    expect(await store.get('other-tenant', 'b1')).toBeUndefined();
  });

  it('never leaves cancelled', async () => {
    await store.record([fact('cancel', 1), fact('resume', 5)]);
    expect(await store.get(tenant, 'b1')).toMatchObject({ control: 'cancelled' });
  });
});
