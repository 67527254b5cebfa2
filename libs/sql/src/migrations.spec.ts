import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from './migrations.js';
import { PgliteDatabase } from './pglite-database.js';

describe('runMigrations (on PGlite, real embedded PostgreSQL)', () => {
  it('applies each file once, in order, in the service’s own table, and refuses an edited one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wab-sql-'));
    writeFileSync(join(dir, '001_a.sql'), 'CREATE TABLE a (id int PRIMARY KEY);');
    writeFileSync(join(dir, '002_b.sql'), 'CREATE TABLE b (id int REFERENCES a (id));');
    const db = await PgliteDatabase.open();
    try {
      const options = { table: 'svc_schema_migrations', lockKey: 42 };
      expect(await runMigrations(db, dir, options)).toEqual({
        applied: ['001_a.sql', '002_b.sql'],
        alreadyApplied: [],
      });
      expect(await runMigrations(db, dir, options)).toEqual({
        applied: [],
        alreadyApplied: ['001_a.sql', '002_b.sql'],
      });
      const rows = await db.query<{ name: string }>(
        'SELECT name FROM svc_schema_migrations ORDER BY name',
      );
      expect(rows.map((r) => r.name)).toEqual(['001_a.sql', '002_b.sql']);
      writeFileSync(join(dir, '002_b.sql'), 'CREATE TABLE b (id bigint);');
      await expect(runMigrations(db, dir, options)).rejects.toThrow(
        /002_b.sql was changed after it was applied/,
      );
    } finally {
      await db.close();
    }
  });

  it('rolls a failing migration back whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wab-sql-'));
    writeFileSync(join(dir, '001_bad.sql'), 'CREATE TABLE c (id int); SELECT no_such_function();');
    const db = await PgliteDatabase.open();
    try {
      await expect(runMigrations(db, dir, { lockKey: 7 })).rejects.toThrow();
      expect(await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'c'")).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
