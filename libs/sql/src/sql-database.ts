/**
 * The one seam between the store and its engine: PostgreSQL through a `pg` pool, or PGlite (real
 * Postgres compiled to WebAssembly, in-process). Both speak the same SQL, so the store, its schema
 * and its migrations exist once; only connection handling differs.
 */
export type SqlParam = string | number | boolean | Date | null | readonly unknown[] | object;

export interface SqlExecutor {
  /** One statement with $n parameters; rows as objects. */
  query<T extends object>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly engine: 'postgres' | 'pglite';
  /** Runs `work` in one transaction (BEGIN … COMMIT, ROLLBACK on error) on one connection. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs `work` on one dedicated connection outside a transaction (session advisory locks). */
  session<T>(work: (session: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** PostgreSQL error codes worth retrying the whole transaction for. */
const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

export function isRetryableSqlError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}
