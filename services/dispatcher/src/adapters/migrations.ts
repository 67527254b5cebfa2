import {
  runMigrations as runSqlMigrations,
  type MigrationResult,
  type SqlDatabase,
} from '@wab/sql';

/** pg_advisory_lock key of this service's migrations ('WABD'): arbitrary, fixed, ours alone. */
export const MIGRATIONS_LOCK_KEY = 0x57_41_42_44;
/** The dispatcher's own bookkeeping table: it may share a database with status-tracker's. */
const TABLE = 'dispatcher_schema_migrations';

/** Applies this service's `migrations/*.sql` (libs/sql: one transaction each, replicas serialised). */
export function runMigrations(db: SqlDatabase, directory: string): Promise<MigrationResult> {
  return runSqlMigrations(db, directory, { table: TABLE, lockKey: MIGRATIONS_LOCK_KEY });
}
