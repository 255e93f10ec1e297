import type { GlobalOptions } from '../support/options';
import { csv, humanBytes, progress, table, terminalText } from '../support/output';
import { withTarget } from '../support/target';

export interface QueryOptions {
  format: 'table' | 'csv' | 'json';
  /** Athena ExecutionParameters for `?` placeholders (SQL literals: strings quoted). */
  params?: string[];
  /** Seconds before an Athena query is stopped. */
  timeout?: number;
}

export async function queryCommand(g: GlobalOptions, sql: string, o: QueryOptions): Promise<void> {
  const r = await withTarget(g, (t) => t.query(sql, o.params ?? [], o.timeout ? { timeoutMs: o.timeout * 1000 } : {}));
  const fmt = g.json ? 'json' : o.format;
  // csv ends each record with CRLF itself; table text is passed through terminalText (vendor values).
  const text =
    fmt === 'json'
      ? `${JSON.stringify(r.rows, null, 2)}\n`
      : fmt === 'csv'
        ? csv(r.columns, r.rows)
        : `${terminalText(table(r.columns, r.rows))}\n`;
  process.stdout.write(text);
  if (r.bytesScanned !== undefined) {
    // On stderr, so that csv/json output stays machine-readable.
    progress(
      `${r.rows.length} row${r.rows.length === 1 ? '' : 's'}; Athena query ${r.queryExecutionId ?? ''} scanned ${humanBytes(r.bytesScanned)}, cost $${(r.costUsd ?? 0).toFixed(6)} at $5/TB (10 MB minimum)`,
    );
  }
}
