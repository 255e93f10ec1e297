/**
 * Test lakes: rows in plain objects → Parquet files laid out exactly like the lake bucket
 * (`<table>/source=<s>/trade_date=<d>/part-….parquet`, quotes without the source level, venues
 * and reference without trade_date), with the columns and types of lambdas/shared/schema.ts.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DatasetName, dataset, duckdbType, fileColumns, TRADE_DATE_ZONE } from '../../lambdas/shared/schema';
import { openEngine } from '../../lib/engine';

export type Row = Record<string, string | number | boolean | null | undefined>;

export interface LakeRows {
  orders?: Row[];
  routes?: Row[];
  executions?: Row[];
  quotes?: Row[];
  venues?: Row[];
  reference?: Row[];
  'vendor-metrics'?: Row[];
}

const ymd = new Intl.DateTimeFormat('en-CA', { timeZone: TRADE_DATE_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The America/New_York calendar date of an ISO instant (the lake's trade_date rule). */
export const tradeDateOf = (iso: string): string => ymd.format(new Date(iso));

/** Writes every dataset given into `lakeDir`; rows need a `source` where the table is partitioned by it. */
export async function writeLake(lakeDir: string, rows: LakeRows): Promise<void> {
  const engine = await openEngine({});
  try {
    let file = 0;
    for (const [name, list] of Object.entries(rows) as [DatasetName, Row[] | undefined][]) {
      if (!list || list.length === 0) continue;
      const spec = dataset(name);
      const cols = fileColumns(spec);
      // One file per partition, lines numbered in the order given (the as-of tie rule uses them).
      const parts = new Map<string, Row[]>();
      list.forEach((r, i) => {
        const tsCol = spec.tradeDateFrom;
        const td = tsCol ? tradeDateOf(String(r[tsCol])) : undefined;
        const dirs = spec.partitionBy.map((p) => (p === 'source' ? `source=${r.source}` : `trade_date=${td}`));
        const key = join(spec.table, ...dirs);
        const withLineage: Row = {
          source_key: `${r.source ?? 'sip'}/${name}/test.csv`,
          source_line: i + 2,
          ingested_at: '2026-01-01T00:00:00Z',
          ...r,
        };
        if (name === 'quotes' && withLineage.crossed === undefined) withLineage.crossed = Number(r.bid) > Number(r.ask);
        parts.set(key, [...(parts.get(key) ?? []), withLineage]);
      });
      for (const [key, prow] of parts) {
        const dir = join(lakeDir, key);
        mkdirSync(dir, { recursive: true });
        const json = join(dir, `rows-${file}.json.tmp`);
        writeFileSync(json, prow.map((r) => JSON.stringify(Object.fromEntries(cols.map((c) => [c.name, r[c.name] ?? null])))).join('\n'));
        const columns = `{${cols.map((c) => `'${c.name}': '${duckdbType(c.type)}'`).join(', ')}}`;
        await engine.run(
          `COPY (SELECT * FROM read_json('${json}', format = 'newline_delimited', columns = ${columns})) TO '${join(dir, `part-${file}.parquet`)}' (FORMAT parquet)`,
        );
        rmSync(json);
        file++;
      }
    }
  } finally {
    engine.close();
  }
}
