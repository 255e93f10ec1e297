/**
 * SQL files under sql/: read once by CDK at synth time (embedded in the state machine) and by the
 * local runtime at run time, so both execute the same text. The hash goes into the evidence manifest.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const SQL_DIR = new URL('../sql/', import.meta.url).pathname;

export interface SqlFile {
  /** File name without extension: the query's name in results and evidence. */
  name: string;
  /** Path relative to the repository root, e.g. sql/metrics/price_improvement.sql */
  path: string;
  sql: string;
  sha256: string;
}

/** Every .sql file of one folder of sql/, sorted by name. */
export function sqlFiles(folder: string): SqlFile[] {
  const dir = join(SQL_DIR, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const sql = readFileSync(join(dir, f), 'utf8');
      return {
        name: f.replace(/\.sql$/, ''),
        path: relative(join(SQL_DIR, '..'), join(dir, f)),
        sql,
        sha256: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

const VIEWS_DIR = join(SQL_DIR, 'views');

/** The analyst views (sql/views/*.sql), in file-name order so a view can build on an earlier one: created by the local engine and, at deploy, in Athena. */
export function viewFiles(): string[] {
  if (!existsSync(VIEWS_DIR)) return [];
  return readdirSync(VIEWS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => join(VIEWS_DIR, f));
}
