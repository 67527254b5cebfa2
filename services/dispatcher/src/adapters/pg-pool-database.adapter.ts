import { PgPoolDatabase as SharedPgPoolDatabase } from '@wab/sql';

/** PostgreSQL through a `pg` pool, labelled with this service's name in pg_stat_activity. */
export class PgPoolDatabase extends SharedPgPoolDatabase {
  constructor(connectionString: string, poolSize: number, onError?: (error: Error) => void) {
    super({
      connectionString,
      poolSize,
      applicationName: 'dispatcher',
      ...(onError ? { onError } : {}),
    });
  }
}
