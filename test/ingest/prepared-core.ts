/**
 * An in-memory DuckDB connection prepared as the normalise core prepares its own (the parsing
 * macros loaded), for the tests of the calling file (or describe block), closed after them.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';
import { prepare } from '../../lambdas/normalise/core';

export function usePreparedCore(threads: number): { readonly db: DuckDBConnection } {
  let inst: DuckDBInstance | undefined;
  let db: DuckDBConnection | undefined;
  beforeAll(async () => {
    inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    db = await inst.connect();
    await prepare(db);
  });
  afterAll(() => {
    db?.closeSync();
    inst?.closeSync();
  });
  return {
    get db(): DuckDBConnection {
      if (db === undefined) throw new Error('the prepared connection exists only while its tests run');
      return db;
    },
  };
}
