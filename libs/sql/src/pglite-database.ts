import { PGlite } from '@electric-sql/pglite';
import type { SqlDatabase, SqlExecutor, SqlParam } from './sql-database.js';

/**
 * Embedded PostgreSQL (PGlite): the default when DATABASE_URL is absent. In memory, or persisted in
 * PGLITE_DATA_DIR. One connection: PGlite serialises queries and transactions itself (a transaction
 * holds the instance exclusively), so a single-process deployment needs nothing else.
 */
export class PgliteDatabase implements SqlDatabase {
  readonly engine = 'pglite' as const;

  private constructor(private readonly db: PGlite) {}

  static async open(dataDir?: string): Promise<PgliteDatabase> {
    const db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
    return new PgliteDatabase(db);
  }

  async query<T extends object>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params as unknown[])).rows;
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      work({
        query: async <R extends object>(sql: string, params: readonly SqlParam[] = []) =>
          (await tx.query<R>(sql, params as unknown[])).rows,
        exec: async (sql: string) => {
          await tx.exec(sql);
        },
      }),
    );
  }

  /** PGlite has one connection: the instance itself is the session. */
  session<T>(work: (session: SqlExecutor) => Promise<T>): Promise<T> {
    return work(this);
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}
