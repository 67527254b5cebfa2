import { randomUUID } from 'node:crypto';
import { PostgresControlStore } from '../src/adapters/postgres-control-store.adapter.js';
import type { SqlDatabase } from '../src/adapters/sql-database.js';
import type { ControlFact } from '../src/ports/control-store.port.js';
import { ENGINES } from './support.js';

/** broadcast_controls on the real engines: newest event wins, re-delivery is harmless, cancel is final. */

describe.each(ENGINES)('ControlStore on %s', (_engine, open) => {
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
