/**
 * The normalise Lambda's SQL lives in lambdas/normalise/sql/*.sql; TypeScript only fills the
 * `{{placeholders}}` with lists generated from the schema (column expressions, literals).
 */
import { readFileSync } from 'node:fs';

const DIR = new URL('./sql/', import.meta.url);
const cache = new Map<string, string>();

export type SqlFile =
  | 'macros'
  | 'stage'
  | 'write'
  | 'relines'
  | 'dupkeys'
  | 'fate'
  | 'drop_lines'
  | 'conflicts'
  | 'rejects'
  | 'rejects_scratch'
  | 'rejects_conflicts'
  | 'orphans'
  | 'fix_rejects'
  | 'fix_rejects_tables';

export function sqlFile(name: SqlFile): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`${name}.sql`, DIR), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Fills every {{name}}; a placeholder without a value is a programming error. */
export function fill(name: SqlFile, values: Record<string, string>): string {
  return sqlFile(name).replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    const v = values[k];
    if (v === undefined) throw new Error(`sql/${name}.sql: no value for {{${k}}}`);
    return v;
  });
}

/** A SQL string literal. */
export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A SQL identifier. */
export const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;
