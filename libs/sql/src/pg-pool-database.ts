import pg from 'pg';
import type { SqlDatabase, SqlExecutor, SqlParam } from './sql-database.js';

/** PostgreSQL through a `pg` connection pool (DATABASE_URL). */
export class PgPoolDatabase implements SqlDatabase {
  readonly engine = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(options: {
    connectionString: string;
    poolSize: number;
    /** Shown in pg_stat_activity: which service holds a connection. */
    applicationName: string;
    onError?: (error: Error) => void;
  }) {
    const { connectionString, poolSize, applicationName, onError } = options;
    this.pool = new pg.Pool({
      connectionString,
      max: poolSize,
      application_name: applicationName,
    });
    // An idle client losing its connection emits on the pool; unhandled, it would end the process.
    this.pool.on('error', (error) => onError?.(error));
  }

  async query<T extends object>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    const result = await this.pool.query<T>(sql, params as unknown[]);
    return result.rows;
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(wrap(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async session<T>(work: (session: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await work(wrap(client));
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function wrap(client: pg.PoolClient): SqlExecutor {
  return {
    query: async <T extends object>(sql: string, params: readonly SqlParam[] = []) =>
      (await client.query<T>(sql, params as unknown[])).rows,
    exec: async (sql: string) => {
      await client.query(sql);
    },
  };
}
