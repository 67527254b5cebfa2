export * from './sql-database.js';
export * from './pg-pool-database.js';
export * from './pglite-database.js';
export * from './migrations.js';
