// The SQL port shared with the other service that owns tables (libs/sql).
export type { SqlDatabase, SqlExecutor, SqlParam } from '@wab/sql';
export { isRetryableSqlError } from '@wab/sql';
