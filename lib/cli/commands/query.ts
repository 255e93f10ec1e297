import type { GlobalOptions } from '../main';
import { csv, table } from '../output';
import { withRuntime } from './runtime';

export async function queryCommand(g: GlobalOptions, sql: string, format: 'table' | 'csv' | 'json'): Promise<void> {
  const r = await withRuntime(g, (rt) => rt.query(sql));
  const fmt = g.json ? 'json' : format;
  const text = fmt === 'json' ? JSON.stringify(r.rows, null, 2) : fmt === 'csv' ? csv(r.columns, r.rows) : table(r.columns, r.rows);
  process.stdout.write(`${text}\n`);
}
