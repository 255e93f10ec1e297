/**
 * Figures benchmark: the same seeded quarter as bench/metrics.ts, enriched per source × trade date
 * (sql/enrich, both as-of forms; locally in batches of dates, lib/enrich-local.ts) against the DuckDB ASOF JOIN reference of the core figures in the
 * same run (timed before and again after each form; ratios use the mean of the two), then a re-review over the enriched quarter (an aggregation of order_figures and
 * execution_figures only: what a review does once every date is fresh). Peak RSS sampled.
 *
 *   npx tsx bench/metrics-figures.ts [--scale small|mid|large] [--form duckdb|trino|both]
 *     [--batch-dates N] [--scope dates|one] [--memory-limit 4GB] [--json]
 *
 * --scope one runs one query per table per date (the Athena unit of work) for comparison.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEngine } from '../lib/engine';
import { type BatchScope, DEFAULT_BATCH_DATES, enrichLocalMany } from '../lib/enrich-local';
import type { AsofForm } from '../lib/enrich-sql';
import { benchMetrics, type ScaleName, timeReference } from './metrics';
import { rssSampler } from './rss';

const USD_PER_TB = 5;
const TARGET_ORDERS = 50_000_000;

/** A re-review's work once figures exist: share-weighted core figures per source × category. */
const REREVIEW_SQL = `
SELECT source, order_category,
       sum(price_improvement * qty) / sum(CASE WHEN price_improvement IS NOT NULL THEN qty END) AS price_improvement_per_share,
       sum(effective_spread * qty) / sum(CASE WHEN effective_spread IS NOT NULL THEN qty END) AS avg_effective_spread,
       sum(exec_time_ms * qty) / sum(CASE WHEN exec_time_ms IS NOT NULL THEN qty END) AS avg_exec_time_ms,
       count(*) AS executions
FROM execution_figures
WHERE trade_date >= DATE '2026-07-01' AND trade_date < DATE '2026-10-01'
GROUP BY GROUPING SETS ((source), (source, order_category))`;

function units(lakeDir: string): { source: string; tradeDate: string }[] {
  const out: { source: string; tradeDate: string }[] = [];
  const root = join(lakeDir, 'orders');
  for (const s of readdirSync(root)) for (const d of readdirSync(join(root, s))) out.push({ source: s.slice(7), tradeDate: d.slice(11) });
  return out.sort((a, b) => (a.tradeDate + a.source < b.tradeDate + b.source ? -1 : 1));
}

async function parquetBytes(engine: Awaited<ReturnType<typeof openEngine>>, files: string[], cols?: string[]): Promise<number> {
  if (files.length === 0) return 0;
  const list = files.map((f) => `'${f}'`).join(', ');
  const where = cols ? ` WHERE path_in_schema IN (${cols.map((c) => `'${c}'`).join(', ')})` : '';
  const r = await engine.query(`SELECT sum(total_compressed_size) AS b FROM parquet_metadata([${list}])${where}`);
  return Number(r.rows[0]?.b ?? 0);
}

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.parquet'))
        .map((f) => join(dir, f))
    : [];

export interface BenchFiguresOptions {
  batchDates?: number;
  scope?: BatchScope;
  /** DuckDB memory_limit of the enrichment engine (default 4GB, the peak RSS goal). */
  memoryLimit?: string;
  /** Skip the reference (a large lake: report wall time, RSS and time per trade date only). */
  skipReference?: boolean;
}

export async function benchFigures(scale: ScaleName, forms: AsofForm[], o: BenchFiguresOptions = {}) {
  const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);
  const dir = join('/tmp', `bestex-bench-figures-${scale}`);
  const memoryLimit = o.memoryLimit ?? '4GB';
  // Generates (or reuses) the lake and measures the reference exactly as bench/metrics.ts does.
  const base = await benchMetrics({
    scale,
    dir,
    keep: true,
    log,
    skipMetricSql: true,
    skipReference: o.skipReference ?? false,
    ...(scale === 'large' ? { memoryLimit } : {}),
  });
  const lakeDir = join(dir, 'lake');
  const out: Record<string, unknown> = {
    scale,
    rows: base.rows,
    referenceSeconds: base.referenceSeconds,
    loadAverageAfterReference: base.loadAverage,
    batchDates: o.batchDates ?? DEFAULT_BATCH_DATES,
    scope: o.scope ?? 'dates',
    memoryLimit,
  };
  for (const form of forms) {
    for (const t of ['order_figures', 'execution_figures']) rmSync(join(lakeDir, t), { recursive: true, force: true });
    const engine = await openEngine({ lakeDir, threads: 2, memoryLimit });
    const sampler = rssSampler();
    const loadBefore = loadavg()[0];
    const t0 = performance.now();
    const us = units(lakeDir);
    const dates = new Set(us.map((u) => u.tradeDate)).size;
    let done = 0;
    // Batch by batch of dates (all sources), logging progress so a cut-off run still tells its pace.
    const step = o.scope === 'one' ? 1 : (o.batchDates ?? DEFAULT_BATCH_DATES);
    const allDates = [...new Set(us.map((u) => u.tradeDate))].sort();
    for (let i = 0; i < allDates.length; i += step) {
      const chunk = new Set(allDates.slice(i, i + step));
      await enrichLocalMany(
        engine,
        us.filter((u) => chunk.has(u.tradeDate)),
        { lakeDir, maxQuoteAgeS: 10, form, ...(o.scope ? { scope: o.scope } : {}), ...(o.batchDates ? { batchDates: o.batchDates } : {}) },
      );
      done += chunk.size;
      const s = (performance.now() - t0) / 1000;
      log(
        `${form}: ${done}/${dates} trade dates in ${s.toFixed(1)} s (${(s / done).toFixed(2)} s per trade date), RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, load ${loadavg()[0]?.toFixed(1)}`,
      );
    }
    const enrichSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const rr = await engine.query(REREVIEW_SQL);
    const rereviewSeconds = (performance.now() - t1) / 1000;
    const peakRssMiB = sampler.stop() / 2 ** 20;
    // A floor for any enrichment that stores these rows: the time to write the figures tables once
    // more from their own files (one Parquet object per source × date, the lake's codec), no
    // lookup and no formula. It shows how much of the ratio writing the rows alone takes.
    const floorDir = join(dir, 'write-floor');
    mkdirSync(floorDir, { recursive: true });
    const t2 = performance.now();
    for (const t of ['execution_figures', 'order_figures'])
      await engine.run(
        `COPY (SELECT * FROM ${t}) TO '${join(floorDir, t)}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (source, trade_date), OVERWRITE)`,
      );
    const writeFloorSeconds = (performance.now() - t2) / 1000;
    rmSync(floorDir, { recursive: true, force: true });
    const dayFiles = (table: string, day: string) => filesUnder(join(lakeDir, table)).filter((f) => f.includes(`trade_date=${day}`));
    const day = us[Math.floor(us.length / 2)]?.tradeDate ?? '';
    // Daily enrichment scan: one day's canonical partitions (all sources) + that day's figures read back.
    const dailyScan =
      (await parquetBytes(engine, [...dayFiles('orders', day), ...dayFiles('executions', day), ...dayFiles('routes', day)])) +
      2 * (await parquetBytes(engine, dayFiles('quotes', day), ['symbol', 'ts', 'bid', 'ask', 'source_key', 'source_line'])) +
      (await parquetBytes(engine, dayFiles('execution_figures', day)));
    const reviewScan = await parquetBytes(engine, filesUnder(join(lakeDir, 'execution_figures')), [
      'price_improvement',
      'effective_spread',
      'exec_time_ms',
      'qty',
      'order_category',
    ]);
    engine.close();
    // This host's speed drifts with other work on it, so the reference runs again right after each
    // form, and the ratios use the mean of the two runs that bracket it (both reported).
    let referenceAfterSeconds = Number.NaN;
    if (!o.skipReference) {
      const refEngine = await openEngine({ lakeDir, threads: 2, memoryLimit: scale === 'large' ? memoryLimit : '12GB' });
      referenceAfterSeconds = (await timeReference(refEngine)).seconds;
      refEngine.close();
      log(`reference again after ${form}: ${referenceAfterSeconds.toFixed(1)} s`);
    }
    const reference = (base.referenceSeconds + referenceAfterSeconds) / 2;
    const scaleUp = TARGET_ORDERS / base.rows.orders;
    out[form] = {
      units: us.length,
      enrichSeconds,
      tradeDates: dates,
      secondsPerTradeDate: enrichSeconds / dates,
      referenceAfterSeconds,
      ratioEnrichPlusRereview: (enrichSeconds + rereviewSeconds) / reference,
      writeFloorSeconds,
      writeFloorRatio: writeFloorSeconds / reference,
      rereviewSeconds,
      rereviewRatio: rereviewSeconds / reference,
      rereviewRows: rr.rows.length,
      peakRssMiB,
      dailyEnrichScanUsdAt50M: ((dailyScan * scaleUp) / 1e12) * USD_PER_TB,
      reviewAggregationScanUsdAt50M: ((reviewScan * scaleUp) / 1e12) * USD_PER_TB,
      loadAverageBefore: loadBefore,
      loadAverage: loadavg()[0],
    };
    log(`${form}: ${JSON.stringify(out[form])}`);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const arg = (n: string) => (args.includes(n) ? args[args.indexOf(n) + 1] : undefined);
  const scale = (arg('--scale') ?? 'small') as ScaleName;
  const form = arg('--form') ?? 'both';
  const forms: AsofForm[] = form === 'both' ? ['duckdb', 'trino'] : [form as AsofForm];
  const batchDates = arg('--batch-dates');
  const scope = arg('--scope') as BatchScope | undefined;
  const memoryLimit = arg('--memory-limit');
  const r = await benchFigures(scale, forms, {
    ...(batchDates ? { batchDates: Number(batchDates) } : {}),
    ...(scope ? { scope } : {}),
    ...(memoryLimit ? { memoryLimit } : {}),
    skipReference: args.includes('--skip-reference'),
  });
  console.log(JSON.stringify(r, null, 2));
  if (args.includes('--json')) writeFileSync(`/tmp/bench-figures-${scale}.json`, JSON.stringify(r, null, 2));
}
