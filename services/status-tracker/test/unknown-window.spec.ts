// The unknown-outcome window (policy `report`) on PGlite, with the real migrations: a recipient
// still `unknown` past the window keeps its state and gets a reason saying no webhook came; a
// recent one is left alone; the sweep is idempotent.
import { runMigrations } from '../src/adapters/migrations.js';
import { PgliteDatabase } from '../src/adapters/pglite-database.adapter.js';
import {
  PostgresBroadcastStore,
  UNKNOWN_REPORTED_PREFIX,
} from '../src/adapters/postgres-broadcast-store.adapter.js';
import { MIGRATIONS_DIR } from '../src/app.module.js';

describe('unknown-outcome window', () => {
  it('reports unknowns older than the window, once, and leaves their state unknown', async () => {
    const db = await PgliteDatabase.open();
    await runMigrations(db, MIGRATIONS_DIR);
    const store = new PostgresBroadcastStore(db);
    await db.exec(`
      INSERT INTO recipients (tenant_id, broadcast_id, row_number, state, error_reason, updated_at) VALUES
        ('acme', 'b1', 1, 'unknown', 'timeout after request was written', now() - interval '20 minutes'),
        ('acme', 'b1', 2, 'unknown', NULL, now() - interval '1 minute'),
        ('acme', 'b1', 3, 'delivered', NULL, now() - interval '20 minutes')`);
    expect(await store.reportStaleUnknown(600)).toBe(1);
    expect(await store.reportStaleUnknown(600)).toBe(0);
    const rows = await db.query<{ row_number: number; state: string; error_reason: string | null }>(
      'SELECT row_number, state, error_reason FROM recipients ORDER BY row_number',
    );
    expect(rows[0]).toEqual({
      row_number: 1,
      state: 'unknown',
      error_reason: `${UNKNOWN_REPORTED_PREFIX} 600 s: timeout after request was written`,
    });
    expect(rows[1]?.error_reason).toBeNull();
    expect(rows[2]?.error_reason).toBeNull();
    await store.close();
  });
});
