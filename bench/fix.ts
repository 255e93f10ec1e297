/**
 * FIX parsing benchmark: a seeded log of 1 M ExecutionReports (valid BodyLength and CheckSum,
 * QuickFIX-style line prefixes, one bust per 10 000 fills so the second pass is measured too) is
 * parsed by parseFixLog in a child process whose V8 heap is capped, which shows that memory stays
 * bounded (the log is several times larger than the cap). The baseline, measured in the same run
 * on the same file, is counting its lines with node:readline.
 *
 *   npx tsx bench/fix.ts [--messages 1000000] [--heap-mb 64] [--no-gzip] [--no-write]
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
// The project's one seeded generator (mulberry32): the same seed gives the same data on any machine.
import { seededRandom as rng } from '../lambdas/core/review/stats';
import { parseFixLog } from '../lambdas/normalise/fix/parse';

export interface BenchFixOptions {
  /** ExecutionReports in the log (default 1 000 000). */
  messages?: number;
  seed?: number;
  /** V8 old-space cap of the child processes, MiB (default 64). */
  heapMb?: number;
  /** Also time a gzipped copy of the log (default true). */
  gzip?: boolean;
  /** Update the "## FIX parsing" section of docs/performance.md (default true). */
  write?: boolean;
  /** Where the log goes (default a fresh temp dir, removed afterwards). */
  dir?: string;
}

export interface BenchFixRun {
  label: string;
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds of the whole child (all threads): the machine is shared, so this is the fair clock. */
  cpuSeconds: number;
  /** Items per CPU second. */
  perCpuSecond: number;
  peakRssMiB: number;
}

export interface BenchFixResult {
  messages: number;
  fileMiB: number;
  heapMb: number;
  parse: BenchFixRun;
  baseline: BenchFixRun;
  gzip?: BenchFixRun;
  /** parse CPU time / baseline CPU time. */
  ratio: number;
  counts: Record<string, number>;
  command: string;
  /** 1-minute load average when the parse finished, and the machine's cores. */
  load: number;
  cores: number;
}

const SELF = fileURLToPath(import.meta.url);
const REPO = join(SELF, '..', '..');
const PERF_DOC = join(REPO, 'docs', 'performance.md');
const HEADING = '## FIX parsing';

const SYMBOLS = ['AAPL', 'MSFT', 'AMZN', 'NVDA', 'GOOGL', 'META', 'BRK.B', 'JPM', 'XOM', 'UNH', 'V', 'PG', 'HD', 'KO', 'PEP'];
const VENUES = ['XNAS', 'XNYS', 'ARCX', 'BATS', 'EDGX', 'IEXG', 'MEMX', 'EPRL'];

function asciiSum(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) n += s.charCodeAt(i);
  return n;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Writes the seeded log; returns its size in bytes. */
export async function writeBenchLog(path: string, messages: number, seed: number): Promise<number> {
  const rand = rng(seed);
  const out = createWriteStream(path);
  const base = Date.UTC(2026, 6, 1, 13, 30, 0);
  let batch: string[] = [];
  let bytes = 0;
  for (let i = 1; i <= messages; i++) {
    const ms = base + Math.floor(i * 20 + rand() * 10);
    const d = new Date(ms);
    const ts = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}-${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`;
    let body: string;
    if (i % 10_000 === 0) {
      const ref = 1 + Math.floor(rand() * (i - 1));
      body = `35=8\x0134=${i}\x0149=SOR\x0156=FIRM\x0152=${ts}\x0137=V${ref}\x0111=C${ref}\x0117=E${i}\x0119=E${ref}\x01150=H\x0139=2\x0155=AAPL\x0154=1\x0160=${ts}123\x01`;
    } else {
      const qty = 100 * (1 + Math.floor(rand() * 20));
      const px = (50 + rand() * 400).toFixed(2);
      const sym = SYMBOLS[Math.floor(rand() * SYMBOLS.length)] as string;
      const venue = VENUES[Math.floor(rand() * VENUES.length)] as string;
      body =
        `35=8\x0134=${i}\x0149=SOR\x0156=FIRM\x0152=${ts}\x0137=V${i}\x0111=C${i}\x0117=E${i}\x01150=F\x0139=2\x01` +
        `55=${sym}\x0154=${rand() < 0.5 ? 1 : 2}\x0138=${qty}\x0140=2\x0144=${px}\x0132=${qty}\x0131=${px}\x0130=${venue}\x01` +
        `14=${qty}\x01151=0\x016=${px}\x0160=${ts}123\x01851=${1 + Math.floor(rand() * 2)}\x01`;
    }
    const head = `8=FIX.4.4\x019=${body.length}\x01`;
    const cs = (asciiSum(head) + asciiSum(body)) & 255;
    const line = `${ts} : ${head}${body}10=${pad(cs, 3)}\x01\n`;
    batch.push(line);
    bytes += line.length;
    if (batch.length === 4096 || i === messages) {
      if (!out.write(batch.join(''))) await new Promise<void>((r) => out.once('drain', () => r()));
      batch = [];
    }
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return bytes;
}

interface ChildReport {
  seconds: number;
  cpuSeconds: number;
  maxRssKiB: number;
  items: number;
  counts?: Record<string, number>;
}

/** Runs this file in a child with a capped heap; the child prints one JSON line. */
function child(args: string[], heapMb: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', SELF, '--child', ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`bench child ${args[0]} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() as string) as ChildReport);
    });
  });
}

async function runChild(mode: string, file: string, outDir: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let items = 0;
  let counts: Record<string, number> | undefined;
  if (mode === 'readline') {
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const _ of rl) items++;
  } else {
    const r = await parseFixLog(file, { gzip: mode === 'parse-gzip', outDir });
    counts = { ...r.counts };
    items = r.counts.messages;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const report: ChildReport = {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssKiB: process.resourceUsage().maxRSS,
    items,
    ...(counts ? { counts } : {}),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const run = (label: string, r: ChildReport): BenchFixRun => ({
  label,
  seconds: r.seconds,
  cpuSeconds: r.cpuSeconds,
  perCpuSecond: r.items / r.cpuSeconds,
  peakRssMiB: r.maxRssKiB / 1024,
});

export async function benchFix(opts: BenchFixOptions = {}): Promise<BenchFixResult> {
  const messages = opts.messages ?? 1_000_000;
  const heapMb = opts.heapMb ?? 64;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'bestex-bench-fix-')));
  const log = join(dir, 'executions.fix');
  try {
    const bytes = await writeBenchLog(log, messages, opts.seed ?? 20260701);
    const baseline = run('readline line count', await child(['readline', log], heapMb));
    const parsed = await child(['parse', log, join(dir, 'out')], heapMb);
    const parse = run('parseFixLog', parsed);
    let gz: BenchFixRun | undefined;
    if (opts.gzip ?? true) {
      await pipeline(createReadStream(log), createGzip({ level: 1 }), createWriteStream(`${log}.gz`));
      gz = run('parseFixLog, gzip input', await child(['parse-gzip', `${log}.gz`, join(dir, 'out-gz')], heapMb));
    }
    const result: BenchFixResult = {
      messages,
      fileMiB: bytes / 2 ** 20,
      heapMb,
      parse,
      baseline,
      ...(gz ? { gzip: gz } : {}),
      ratio: parse.cpuSeconds / baseline.cpuSeconds,
      counts: parsed.counts ?? {},
      load: loadavg()[0] ?? 0,
      cores: availableParallelism(),
      command: `npx tsx bench/fix.ts --messages ${messages} --heap-mb ${heapMb}${opts.gzip === false ? ' --no-gzip' : ''}`,
    };
    if (opts.write ?? true) await writeSection(result);
    return result;
  } finally {
    if (!opts.dir) await rm(dir, { recursive: true, force: true });
  }
}

function section(r: BenchFixResult): string {
  const f = (n: number, d = 2): string => n.toFixed(d);
  const k = (n: number): string => `${Math.round(n / 1000).toLocaleString('en-US')} k`;
  const rows = [r.parse, r.baseline, ...(r.gzip ? [r.gzip] : [])].map(
    (x) =>
      `| ${x.label} | ${f(x.cpuSeconds)} | ${f(x.seconds)} | ${k(x.perCpuSecond)} ${x === r.baseline ? 'lines' : 'messages'}/s | ${f(x.peakRssMiB, 0)} |`,
  );
  const c = r.counts;
  return [
    HEADING,
    '',
    `\`${r.command}\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, one core, ${r.fileMiB.toFixed(0)} MiB log of ${r.messages.toLocaleString('en-US')} ExecutionReports with QuickFIX-style prefixes, SOH separators and one bust per 10 000 fills; each run in its own child process with \`--max-old-space-size=${r.heapMb}\`).`,
    '',
    '| run | CPU s | wall s | throughput per CPU second | peak RSS (MiB) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `- parseFixLog vs the readline baseline: **${f(r.ratio)}×** the CPU time; goal ≥ 200 k messages/s on one core: **${r.parse.perCpuSecond >= 200_000 ? 'met' : 'not met'}** (${k(r.parse.perCpuSecond)} messages per CPU second; ${k(r.messages / r.parse.seconds)} per wall second on this shared machine, load average ${r.load.toFixed(1)} on ${r.cores} cores).`,
    '- CPU time is the whole child process (every thread: file reads, gunzip); the parser itself is single-threaded.',
    `- Memory is bounded: the ${r.fileMiB.toFixed(0)} MiB log went through a ${r.heapMb} MiB heap; peak RSS includes Node and tsx start-up.`,
    `- Counts: ${c.messages} messages, ${c.executions} executions written, ${c.busts} busts applied removing ${c.busted} fills, ${c.garbled ?? 0} garbled, ${c.bad_checksum ?? 0} bad checksums.`,
    '',
  ].join('\n');
}

/** Replaces (or appends) only this benchmark's section; other sections belong to other benchmarks. */
async function writeSection(r: BenchFixResult): Promise<void> {
  let doc = '';
  try {
    doc = await readFile(PERF_DOC, 'utf8');
  } catch {
    doc = '# Performance\n\nBenchmark figures, each against a baseline measured in the same run.\n\n';
  }
  const text = section(r);
  const at = doc.indexOf(`${HEADING}\n`);
  if (at < 0) {
    doc = `${doc.replace(/\n*$/, '\n\n')}${text}`;
  } else {
    const next = doc.indexOf('\n## ', at + HEADING.length);
    doc = doc.slice(0, at) + text + (next < 0 ? '' : doc.slice(next + 1));
  }
  await writeFile(PERF_DOC, doc);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === '--child') {
    await runChild(process.argv[3] as string, process.argv[4] as string, process.argv[5] ?? '');
  } else {
    const messages = arg('--messages');
    const heap = arg('--heap-mb');
    const r = await benchFix({
      ...(messages ? { messages: Number(messages) } : {}),
      ...(heap ? { heapMb: Number(heap) } : {}),
      gzip: !process.argv.includes('--no-gzip'),
      write: !process.argv.includes('--no-write'),
    });
    const size = await stat(PERF_DOC).catch(() => undefined);
    console.log(section(r));
    if (size && !process.argv.includes('--no-write')) console.log(`written to ${PERF_DOC}`);
  }
}
