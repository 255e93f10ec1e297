/**
 * Test-data plumbing: plain JS rows of the canonical datasets, and a writer that puts them in a
 * lake directory as Hive-partitioned Parquet (through DuckDB, with the schema's types), so tests
 * run the real SQL files over real files.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DatasetName, dataset, duckdbType, fileColumns } from '../../lambdas/shared/schema';
import { openEngine } from '../../lib/engine';

/** Microseconds since the epoch (UTC); exact in a JS number for any date this project sees. */
export type Micros = number;

interface Lineage {
  source: string;
  source_key: string;
  source_line: number;
}

export interface OrderRow extends Lineage {
  order_id: string;
  symbol: string;
  side: 'B' | 'S' | 'SS' | 'SX';
  order_type: 'MKT' | 'LMT';
  limit_price: number | null;
  tif: string;
  qty: number;
  received_ts: Micros;
  canceled_ts: Micros | null;
  trade_date: string;
  /** 'Y' when the customer chose the venue; absent = 'N' (the schema's default). */
  directed?: 'Y' | 'N' | null;
  vendor_nbb?: number | null;
  vendor_nbo?: number | null;
}

export interface ExecutionRow extends Lineage {
  exec_id: string;
  order_id: string;
  venue: string;
  exec_ts: Micros;
  price: number;
  qty: number;
  trade_date: string;
  route_id?: string | null;
  liquidity?: 'A' | 'R' | 'X' | null;
  /** USD for the whole fill; negative = rebate received. */
  fee?: number | null;
}

export interface RouteRow extends Lineage {
  route_id: string;
  order_id: string;
  venue: string;
  sent_ts: Micros;
  qty: number;
  trade_date: string;
}

export interface QuoteRow extends Lineage {
  symbol: string;
  ts: Micros;
  bid: number;
  ask: number;
  trade_date: string;
}

export interface VenueRow extends Lineage {
  venue: string;
  venue_type: string;
  approved: 'Y' | 'N';
  pfof_per_share: number;
  effective_from: string;
  fee_per_share?: number | null;
  rebate_per_share?: number | null;
  affiliated?: 'Y' | 'N' | null;
}

export interface ReferenceRow extends Lineage {
  list: string;
  symbol: string;
  effective_from: string;
}

export interface LakeData {
  orders: OrderRow[];
  executions: ExecutionRow[];
  routes: RouteRow[];
  quotes: QuoteRow[];
  venues: VenueRow[];
  reference: ReferenceRow[];
}

export const emptyLake = (): LakeData => ({ orders: [], executions: [], routes: [], quotes: [], venues: [], reference: [] });

/** Microseconds of an ISO timestamp ('2026-07-01T13:30:00.000123Z'); sub-millisecond digits kept. */
export function micros(iso: string): Micros {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) throw new Error(`not an ISO UTC timestamp: ${iso}`);
  const frac = (m[2] ?? '').padEnd(6, '0');
  return Date.parse(`${m[1]}Z`) * 1000 + Number(frac);
}

const nyDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });
/** The trade date (America/New_York calendar date) of an instant. */
export const tradeDate = (us: Micros): string => nyDate.format(new Date(Math.floor(us / 1000)));

const isoOf = (us: Micros): string => {
  const ms = Math.floor(us / 1000);
  const sub = us - ms * 1000;
  return `${new Date(ms).toISOString().slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
};

/**
 * Writes `data` under `lakeDir` as `<table>/source=…/trade_date=…/part-0.parquet` (the layout of
 * the normalise Lambda), every column typed from the schema. Replaces what was there.
 */
export async function writeLake(lakeDir: string, data: LakeData): Promise<void> {
  rmSync(lakeDir, { recursive: true, force: true });
  mkdirSync(lakeDir, { recursive: true });
  const engine = await openEngine({});
  try {
    const tables: [DatasetName, readonly object[]][] = [
      ['orders', data.orders],
      ['executions', data.executions],
      ['routes', data.routes],
      ['quotes', data.quotes],
      ['venues', data.venues],
      ['reference', data.reference],
    ];
    for (const [name, rows] of tables) {
      if (rows.length === 0) continue;
      const spec = dataset(name);
      const cols = [
        ...fileColumns(spec),
        ...spec.partitionBy.map((p) => ({ name: p, type: p === 'source' ? ('string' as const) : ('date' as const) })),
      ];
      const jsonFile = join(lakeDir, `${spec.table}.jsonl`);
      const lines = rows.map((r) => {
        const o: Record<string, unknown> = {};
        for (const c of cols) {
          const v = (r as Record<string, unknown>)[c.name];
          o[c.name] = v === undefined ? null : c.type === 'timestamp' && typeof v === 'number' ? isoOf(v) : v;
        }
        return JSON.stringify(o);
      });
      writeFileSync(jsonFile, `${lines.join('\n')}\n`);
      const colTypes = cols.map((c) => `'${c.name}': '${c.type === 'date' ? 'VARCHAR' : duckdbType(c.type)}'`).join(', ');
      const select = cols.map((c) => (c.type === 'date' ? `CAST("${c.name}" AS DATE) AS "${c.name}"` : `"${c.name}"`)).join(', ');
      const dir = join(lakeDir, spec.table);
      await engine.run(
        `COPY (SELECT ${select} FROM read_json('${jsonFile}', format = 'newline_delimited', columns = {${colTypes}})) TO '${dir}' (FORMAT parquet, PARTITION_BY (${spec.partitionBy.join(', ')}), OVERWRITE_OR_IGNORE)`,
      );
      rmSync(jsonFile);
    }
  } finally {
    engine.close();
  }
}
