/**
 * Test plumbing: write a lake, enrich every source × trade date in it with one as-of form (in local
 * batches of dates by default, or one query per date as on AWS), and read the figures back through the local engine's views (the tables every consumer reads).
 */
import { openEngine } from '../../lib/engine';
import { type BatchScope, enrichLocalMany } from '../../lib/enrich-local';
import type { AsofForm } from '../../lib/enrich-sql';
import type { LakeData } from '../reference/lake';

export type Row = Record<string, unknown>;

/** Every (source, trade_date) with an order or an execution: the units of enrichment. */
export function unitsOf(data: LakeData): { source: string; tradeDate: string }[] {
  const keys = new Set([...data.orders, ...data.executions].map((r) => `${r.source}|${r.trade_date}`));
  return [...keys].sort().map((k) => {
    const [source, tradeDate] = k.split('|') as [string, string];
    return { source, tradeDate };
  });
}

export async function enrichAll(
  lakeDir: string,
  data: LakeData,
  form: AsofForm,
  maxQuoteAgeS: number,
  batch: { scope?: BatchScope; batchDates?: number } = {},
): Promise<{ orders: Row[]; executions: Row[] }> {
  const engine = await openEngine({ lakeDir, threads: 1 });
  try {
    await enrichLocalMany(engine, unitsOf(data), { lakeDir, maxQuoteAgeS, form, ...batch });
    const orders = await engine.query('SELECT * FROM order_figures ORDER BY source, trade_date, order_id');
    const executions = await engine.query('SELECT * FROM execution_figures ORDER BY source, trade_date, exec_id');
    return { orders: orders.rows, executions: executions.rows };
  } finally {
    engine.close();
  }
}

const close = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Differences between SQL rows and reference rows on every column the reference gives (keys:
 * source, trade_date and `key`). Numbers to `tol` relative; everything else exactly.
 */
export function diffFigures(sql: Row[], ref: Record<string, unknown>[], key: string, tol = 1e-9): string[] {
  const id = (r: Record<string, unknown>) => `${r.source}|${r.trade_date}|${r[key]}`;
  const bySql = new Map(sql.map((r) => [id(r), r]));
  const out: string[] = [];
  if (sql.length !== ref.length) out.push(`${sql.length} SQL rows, ${ref.length} reference rows`);
  for (const r of ref) {
    const s = bySql.get(id(r));
    if (!s) {
      out.push(`missing in SQL: ${id(r)}`);
      continue;
    }
    for (const [col, want] of Object.entries(r)) {
      const got = s[col];
      const same = typeof want === 'number' && typeof got === 'number' ? close(got, want, tol) : (want ?? null) === (got ?? null);
      if (!same) out.push(`${id(r)} ${col}: SQL ${JSON.stringify(got)}, reference ${JSON.stringify(want)}`);
    }
  }
  return out;
}
