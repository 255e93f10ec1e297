/**
 * The normalise Lambda's SQL lives in lambdas/normalise/sql/*.sql; TypeScript only fills the
 * `{{placeholders}}` with lists generated from the schema (column expressions, literals).
 *
 * No byte of a drop reaches SQL text. Everything that comes from outside the code (header names,
 * JSON keys, the drop key, a vendor profile's codes, formats and zone) is passed as data: a
 * DuckDB variable set with a bound parameter (`Bindings`), read back with `getvariable('nx_bN')`,
 * a name this module makes. The one quoting function left, `lit`/`ident`, is for the code's own
 * constants (schema names, patterns, messages) and the Lambda's own scratch paths.
 * Comments are removed from the SQL files before anything is filled in, so no filled text can
 * ever sit in a comment that a CR or LF would end.
 */

import { readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';

const DIR = new URL('./sql/', import.meta.url);
const cache = new Map<string, string>();

export type SqlFile =
  | 'macros'
  | 'stage'
  | 'write'
  | 'relines'
  | 'dupkeys'
  | 'cross'
  | 'keys'
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
    text = stripComments(readFileSync(new URL(`${name}.sql`, DIR), 'utf8'));
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

// normalise's SQL builders say lit/ident; the quoting itself is the project's one (shared/sql-text.ts).
export { quoteIdent as ident, sqlString as lit } from '../shared/sql-text';

/** The SQL without its `--` comments (the files keep none after code on the same line). */
export function stripComments(sql: string): string {
  return sql
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('--'))
    .join('\n');
}

/**
 * Values from outside the code, bound as DuckDB variables: `text`/`list`/`map` return the SQL
 * expression that reads the value (DuckDB folds it to a constant when it plans the query, so it
 * costs what a literal costs); `apply` sets them all on a connection with bound parameters.
 */
export class Bindings {
  private readonly values: { name: string; json: string; type: 'VARCHAR' | 'VARCHAR[]' | 'MAP(VARCHAR, VARCHAR)' }[] = [];
  constructor(private readonly prefix = 'nx_b') {}

  private add(json: string, type: 'VARCHAR' | 'VARCHAR[]' | 'MAP(VARCHAR, VARCHAR)'): string {
    const name = `${this.prefix}${this.values.length}`;
    this.values.push({ name, json, type });
    return `getvariable('${name}')`;
  }
  text(value: string): string {
    return this.add(JSON.stringify(value), 'VARCHAR');
  }
  list(values: readonly string[]): string {
    return this.add(JSON.stringify(values), 'VARCHAR[]');
  }
  map(entries: Readonly<Record<string, string>>): string {
    return this.add(JSON.stringify(entries), 'MAP(VARCHAR, VARCHAR)');
  }
  async apply(db: DuckDBConnection): Promise<void> {
    for (const v of this.values) {
      if (v.type === 'VARCHAR') await db.run(`SET VARIABLE ${v.name} = CAST($1 AS VARCHAR)`, [JSON.parse(v.json) as string]);
      else await db.run(`SET VARIABLE ${v.name} = CAST(CAST($1 AS JSON) AS ${v.type})`, [v.json]);
    }
  }
}
