import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlDatabase, SqlExecutor } from './sql-database.js';

/**
 * Applies a service's `migrations/*.sql` in file-name order, each in its own transaction together
 * with its row in the service's bookkeeping table, so a crash leaves either the whole migration or
 * none of it. Services that share a database use their own table and lock key.
 *
 * Several replicas booting at once: a session advisory lock serialises them (the first applies, the
 * others wait, then find everything recorded). PGlite is one process with one connection, where the
 * lock is trivially uncontended; the code path is the same.
 *
 * A recorded migration whose file changed since is refused at boot (checksum): shipped migrations
 * are never edited, the next change is the next file.
 */
export interface MigrationOptions {
  /** Bookkeeping table of applied migrations (default `schema_migrations`). */
  table?: string;
  /** pg_advisory_lock key that serialises this service's replicas: fixed, one per service. */
  lockKey: number;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function runMigrations(
  db: SqlDatabase,
  directory: string,
  options: MigrationOptions,
): Promise<MigrationResult> {
  const table = options.table ?? 'schema_migrations';
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a plain table name: ${table}`);
  const files = (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort();
  const migrations = await Promise.all(
    files.map(async (name) => {
      const sql = await readFile(join(directory, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
  return db.session(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [options.lockKey]);
    try {
      await session.exec(`CREATE TABLE IF NOT EXISTS ${table} (
        name text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const rows = await session.query<{ name: string; checksum: string }>(
        `SELECT name, checksum FROM ${table}`,
      );
      const recorded = new Map(rows.map((row) => [row.name, row.checksum]));
      const result: MigrationResult = { applied: [], alreadyApplied: [] };
      for (const migration of migrations) {
        const checksum = recorded.get(migration.name);
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new Error(
              `migration ${migration.name} was changed after it was applied (checksum differs); ` +
                'add a new migration instead of editing a shipped one',
            );
          }
          result.alreadyApplied.push(migration.name);
          continue;
        }
        await inTransaction(session, async () => {
          await session.exec(migration.sql);
          await session.query(`INSERT INTO ${table} (name, checksum) VALUES ($1, $2)`, [
            migration.name,
            migration.checksum,
          ]);
        });
        result.applied.push(migration.name);
      }
      return result;
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [options.lockKey]);
    }
  });
}

/** BEGIN/COMMIT on the session's own connection (the advisory lock must stay on that connection). */
async function inTransaction(session: SqlExecutor, work: () => Promise<void>): Promise<void> {
  await session.exec('BEGIN');
  try {
    await work();
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
