/**
 * Ingestion benchmark: CSV executions (seeded, 1 M and 3 M rows) through the full normalise path
 * (validation, duplicates, lineage, partitioned Parquet, quarantine CSV, manifest) against a
 * bare DuckDB `COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet)` of the same file, in
 * the same run. The baseline writes the lake's codec and level (read from
 * lambdas/normalise/sql/write.sql), so the ratio compares the same work per byte written; the
 * literal default COPY (snappy) is measured too. Each measurement runs in its own child process
 * so that peak RSS and CPU time are per run; CPU time (user + system, all threads) is reported
 * beside wall time because the machine's cores are shared. S3 transfer is excluded from both
 * sides: it depends on the network, not on this code.
 *
 *   npx tsx bench/ingest.ts            # 1 M and 3 M rows, 3 repetitions, writes docs/performance.md
 *   npx tsx bench/ingest.ts --rows 100000 --reps 1 --no-write
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The project's one seeded generator (mulberry32): the same seed gives the same data on any machine.
import { seededRandom as rng } from '../lambdas/core/review/stats';

export interface BenchOptions {
  rows?: number[];
  reps?: number;
  seed?: number;
  /** Write the figures to docs/performance.md (## Ingestion). */
  write?: boolean;
  log?: (line: string) => void;
}

/** Medians of one side's runs. */
export interface BenchSide {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
}

export interface BenchRow {
  rows: number;
  csvBytes: number;
  /** Bare COPY writing the lake's codec and level. */
  baseline: BenchSide;
  /** Bare COPY with DuckDB's defaults (snappy), the issue's literal baseline. */
  baselineDefault: BenchSide;
  normalise: BenchSide;
  /** normalise / baseline, wall and CPU. */
  ratio: { wall: number; cpu: number };
  ratioDefault: { wall: number; cpu: number };
}

export interface BenchResult {
  results: BenchRow[];
  rssGrowthMiB: number | undefined;
  /** The lake's Parquet options, as the baseline used them. */
  lakeCodec: string;
  command: string;
  /** 1-minute load average before and after: the figures mean little on a busy machine. */
  load: [number, number];
}

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..');
const VENUES = ['XNAS', 'XNYS', 'ARCX', 'BATS', 'EDGX', 'IEXG', 'MEMX', 'EPRL'];

/** Executions over one quarter of trading days, realistic field shapes. */
export async function generateExecutions(path: string, rows: number, seed: number): Promise<void> {
  const r = rng(seed);
  const out = createWriteStream(path);
  const start = Date.UTC(2026, 6, 1, 13, 30);
  let buf = 'exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee\n';
  for (let i = 0; i < rows; i++) {
    const day = Math.floor(r() * 63);
    const ts = new Date(start + day * 86_400_000 + Math.floor(r() * 23_400_000))
      .toISOString()
      .replace('Z', `${String(Math.floor(r() * 1000)).padStart(3, '0')}Z`);
    const price = (5 + r() * 500).toFixed(4);
    const qty = 1 + Math.floor(r() * 20) * 100;
    const fee = ((r() - 0.6) * 0.003 * qty).toFixed(5);
    buf += `E${i},O${Math.floor(i / 2)},R${i},${VENUES[Math.floor(r() * VENUES.length)]},${ts},${price},${qty},${'ARX'[Math.floor(r() * 3)]},${fee}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((res) => out.once('drain', () => res()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
}

interface ChildResult {
  ms: number;
  cpuMs: number;
  maxRssKiB: number;
  rows: number;
}

type Mode = 'baseline' | 'baseline-default' | 'normalise';

/** The lake's codec options, from the SQL that writes the lake (one source of truth). */
function lakeCodec(): string {
  const sql = readFileSync(join(ROOT, 'lambdas', 'normalise', 'sql', 'write.sql'), 'utf8');
  const m = sql.match(/COMPRESSION \w+(, COMPRESSION_LEVEL \d+)?/);
  if (!m) throw new Error('lambdas/normalise/sql/write.sql names no COMPRESSION');
  return m[0];
}

function runChild(mode: Mode, csv: string, work: string): ChildResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', SELF, '--child', mode, csv, work], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const line = out.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ChildResult;
}

/** In a child: one measured run; prints {ms, cpuMs, maxRssKiB, rows}. */
async function child(mode: string, csv: string, work: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  // Modules are loaded before the clocks start, on both sides.
  const { normaliseFile, openLockedDb, serialRead } = await import('../lambdas/normalise/core');
  const { dataset } = await import('../lambdas/shared/schema');
  const { limitsFromEnv } = await import('../lambdas/normalise/limits');
  mkdirSync(work, { recursive: true });
  let rows = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (mode === 'baseline' || mode === 'baseline-default') {
    const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
    const db = await inst.connect();
    const codec = mode === 'baseline' ? `, ${lakeCodec()}` : '';
    const r = await db.runAndReadAll(`COPY (SELECT * FROM read_csv('${csv}')) TO '${join(work, 'bare.parquet')}' (FORMAT parquet${codec})`);
    rows = Number(r.getRows()[0]?.[0]);
    db.closeSync();
    inst.closeSync();
  } else {
    const limits = limitsFromEnv();
    // The same DuckDB as the Lambda (normalise.ts openDuck): locked to the directory holding the
    // input and the outputs, one thread for a record-numbered CSV read.
    const { instance: inst, db } = await openLockedDb(dirname(csv), {
      threads: serialRead('csv') ? 1 : limits.duckdbThreads,
      memory: limits.duckdbMemory,
    });
    const started = new Date().toISOString();
    const r = await normaliseFile(db, {
      path: csv,
      format: 'csv',
      spec: dataset('executions'),
      source: 'bench-sor',
      key: 'bench-sor/executions/bench.csv',
      ingestedAt: started,
      workDir: join(work, 'out'),
      // The exactly-once key file is part of every load (no earlier load to check against here).
      priorKeys: [],
      keysOut: join(work, 'keys.parquet'),
    });
    if (!r.ok) throw new Error(r.reason);
    rows = r.rows_written;
    const { rejects: _r, keyFile: _k, files, ...counts } = r;
    writeFileSync(
      join(work, 'manifest.json'),
      JSON.stringify({ ...counts, outputs: files, started_at: started, finished_at: new Date().toISOString() }),
    );
    db.closeSync();
    inst.closeSync();
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `${JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS, rows })}\n`,
  );
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

export async function benchIngest(opts: BenchOptions = {}): Promise<BenchResult> {
  const sizes = opts.rows ?? [1_000_000, 3_000_000];
  const reps = opts.reps ?? 3;
  const seed = opts.seed ?? 20260701;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const loadBefore = loadavg()[0] as number;
  const results: BenchRow[] = [];
  const modes: Mode[] = ['baseline', 'normalise', 'baseline-default'];
  try {
    for (const n of sizes) {
      const csv = join(dir, `executions-${n}.csv`);
      await generateExecutions(csv, n, seed);
      const csvBytes = statSync(csv).size;
      const runs: Record<Mode, ChildResult[]> = { baseline: [], 'baseline-default': [], normalise: [] };
      for (let i = 0; i < reps; i++) {
        // Rotate the order so that no side always runs first (cold page cache) or last.
        const order = modes.map((_, j) => modes[(i + j) % modes.length] as Mode);
        for (const mode of order) {
          const work = join(dir, `${mode}-${n}-${i}`);
          const r = runChild(mode, csv, work);
          runs[mode].push(r);
          rmSync(work, { recursive: true, force: true });
          log(
            `${n} rows ${mode} run ${i + 1}: ${(r.ms / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB`,
          );
        }
      }
      if (runs.normalise.some((r) => r.rows !== n))
        throw new Error(`normalise wrote ${runs.normalise[0]?.rows} rows of ${n}: the generated file should be all valid`);
      const side = (rs: ChildResult[]): BenchSide => ({
        wallMs: median(rs.map((r) => r.ms)),
        cpuMs: median(rs.map((r) => r.cpuMs)),
        rssMiB: median(rs.map((r) => r.maxRssKiB)) / 1024,
      });
      const baseline = side(runs.baseline);
      const baselineDefault = side(runs['baseline-default']);
      const normalise = side(runs.normalise);
      results.push({
        rows: n,
        csvBytes,
        baseline,
        baselineDefault,
        normalise,
        ratio: { wall: normalise.wallMs / baseline.wallMs, cpu: normalise.cpuMs / baseline.cpuMs },
        ratioDefault: { wall: normalise.wallMs / baselineDefault.wallMs, cpu: normalise.cpuMs / baselineDefault.cpuMs },
      });
      rmSync(csv, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const a = results.find((r) => r.rows === 1_000_000);
  const b = results.find((r) => r.rows === 3_000_000);
  const rssGrowthMiB = a && b ? b.normalise.rssMiB - a.normalise.rssMiB : undefined;
  const command = `npx tsx bench/ingest.ts${opts.rows ? ` --rows ${sizes.join(',')}` : ''}${opts.reps ? ` --reps ${reps}` : ''}`;
  const result: BenchResult = { results, rssGrowthMiB, lakeCodec: lakeCodec(), command, load: [loadBefore, loadavg()[0] as number] };
  if (opts.write ?? true) writePerformanceDoc(result, reps);
  return result;
}

/** Replaces (or adds) the "## Ingestion" section of docs/performance.md, leaving other sections alone. */
function writePerformanceDoc(r: BenchResult, reps: number): void {
  const path = join(ROOT, 'docs', 'performance.md');
  const mib = (x: number) => x.toFixed(0);
  const sec = (ms: number) => (ms / 1000).toFixed(2);
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');
  const lines = [
    '## Ingestion',
    '',
    `Command: \`${r.command}\` (${new Date().toISOString().slice(0, 10)}, ${reps} repetition(s), medians; Node ${process.version}, 2 cores shared with other work, 1-minute load average ${r.load[0].toFixed(1)} before and ${r.load[1].toFixed(1)} after: absolute times are inflated and noisy, CPU time less so than wall time).`,
    '',
    'CSV executions (seeded, one quarter of trading days, rows in random date order), the full normalise',
    'path (`normaliseFile`: every column validated from the schema, duplicate and conflict detection,',
    'lineage columns, Parquet partitioned by trade date, manifest) against a bare DuckDB',
    `\`COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet, ${r.lakeCodec})\` of the same file in the same`,
    "run: the lake's codec and level, so both sides compress alike. The literal default COPY (snappy) is",
    'shown too. Each run is a separate process; CPU is user + system time of all its threads; peak RSS is',
    "that process's maximum resident set. S3 transfer is not included on either side.",
    '',
    '| rows | CSV MiB | bare COPY s (wall / CPU) | normalise s (wall / CPU) | ratio wall / CPU (goal ≤ 1.3×) | vs default snappy COPY, wall / CPU | bare peak RSS MiB | normalise peak RSS MiB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.results.map(
      (x) =>
        `| ${x.rows.toLocaleString('en-US')} | ${mib(x.csvBytes / 1048576)} | ${sec(x.baseline.wallMs)} / ${sec(x.baseline.cpuMs)} | ${sec(x.normalise.wallMs)} / ${sec(x.normalise.cpuMs)} | ${x.ratio.wall.toFixed(2)}× / ${x.ratio.cpu.toFixed(2)}× | ${x.ratioDefault.wall.toFixed(2)}× / ${x.ratioDefault.cpu.toFixed(2)}× | ${mib(x.baseline.rssMiB)} | ${mib(x.normalise.rssMiB)} |`,
    ),
    '',
    r.rssGrowthMiB === undefined
      ? ''
      : `Peak RSS growth of the normalise path from 1 M to 3 M rows: **${mib(r.rssGrowthMiB)} MiB** (goal < 150 MiB: ${met(r.rssGrowthMiB < 150)}).`,
    '',
    `Time ratio goal ≤ 1.3×: wall ${met(r.results.every((x) => x.ratio.wall <= 1.3))}, CPU ${met(r.results.every((x) => x.ratio.cpu <= 1.3))}. The normalise path reads the CSV once; its record-numbered scan runs on one thread (DuckDB computes WITH ORDINALITY serially) while the bare COPY uses both cores when they are free, so on a busy machine the wall ratio approaches the CPU ratio and on an idle one it is higher. Design, where the remaining time goes, and the figures before the single-read rework: docs/ingestion.md (Performance); BESTEX_NORMALISE_TIMING=1 prints wall and CPU time of each step.`,
    '',
  ];
  const section = lines.join('\n');
  let doc = existsSync(path)
    ? readFileSync(path, 'utf8')
    : "# Performance\n\nFigures measured on this project's reference machine (2 cores).\n\n";
  const start = doc.indexOf('## Ingestion');
  if (start >= 0) {
    const next = doc.indexOf('\n## ', start + 1);
    doc = doc.slice(0, start) + section + (next >= 0 ? `\n${doc.slice(next + 1)}` : '');
  } else {
    doc = `${doc.replace(/\n*$/, '\n\n')}${section}`;
  }
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  writeFileSync(path, doc.replace(/\n*$/, '\n'));
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--child') {
    await child(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string);
  } else {
    const rows = arg('--rows')
      ?.split(',')
      .map((x) => Number(x));
    const reps = arg('--reps');
    const r = await benchIngest({
      ...(rows ? { rows } : {}),
      ...(reps ? { reps: Number(reps) } : {}),
      write: !process.argv.includes('--no-write'),
    });
    console.log(JSON.stringify(r, null, 2));
  }
}
