import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { localInfra } from '../src/index.ts';

const SQL = `SELECT n, n * n AS square FROM generate_series(1, 3) AS n ORDER BY n`;
const expected = [
  { n: 1, square: 1 },
  { n: 2, square: 4 },
  { n: 3, square: 9 },
];

describe('SQL databases', () => {
  it('runs a query against the local PostgreSQL server (DATABASE_URL)', async () => {
    const client = new pg.Client({ connectionString: localInfra.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number; square: number }>(SQL);
      expect(rows).toEqual(expected);
      const version = await client.query<{ server_version_num: string }>('SHOW server_version_num');
      expect(Number(version.rows[0]!.server_version_num)).toBeGreaterThanOrEqual(130000);
      await client.query('CREATE TEMP TABLE t (id int PRIMARY KEY, v text)');
      await client.query(
        'INSERT INTO t VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v',
        [1, 'a'],
      );
      await client.query(
        'INSERT INTO t VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v',
        [1, 'b'],
      );
      expect((await client.query('SELECT v FROM t')).rows).toEqual([{ v: 'b' }]);
    } finally {
      await client.end();
    }
  });

  it('runs the same query against PGlite (in-process PostgreSQL)', async () => {
    const db = await PGlite.create();
    try {
      const { rows } = await db.query<{ n: number; square: number }>(SQL);
      expect(rows).toEqual(expected);
    } finally {
      await db.close();
    }
  }, 30_000);
});
