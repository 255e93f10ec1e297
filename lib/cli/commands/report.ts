/**
 * `bestex report rule606 --period 2026Q3` and `bestex report rule605 --month 2026-07`: the
 * regulatory files from the lake (lambdas/core/regulatory), validated against the SEC's schema and
 * metadata. The SQL runs on the target's engine (DuckDB over the local lake, or the Athena
 * workgroup); the files are written to a local folder. A validation error exits non-zero.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Firm } from '../../../lambdas/shared/config';
import { periodRange, RESULTS } from '../../../lambdas/shared/layout';
import { awsCall, CliError } from '../../aws/errors';
import type { Target } from '../../aws/target';
import type { Engine } from '../../engine';
import type { LocalTarget } from '../../local/target';
import type { GlobalOptions } from '../support/options';
import { humanBytes, print, progress } from '../support/output';
import { renderPdfFiles } from '../support/pdf';
import { loadConfigFor, openTarget } from '../support/target';

export type RegulatoryReport = 'rule606' | 'rule605';

export interface ReportResult {
  report: RegulatoryReport;
  period: string;
  files: string[];
  errors: string[];
  warnings: string[];
  /** AWS: what the report's queries scanned and cost. */
  scanned?: { bytes: number; costUsd: number; queries: number };
  /** Where the valid files were stored in the target's results bucket (fetch them with `bestex fetch report`). */
  stored?: string;
}

/** Keeps the valid files beside the review results, at regulatory/<report>/<period>/. */
async function store(t: Target, report: RegulatoryReport, period: string, files: readonly string[]): Promise<string> {
  const bucket = t.bucket('results');
  const prefix = RESULTS.regulatory(report, period);
  for (const f of files) {
    const key = `${prefix}${basename(f)}`;
    const type = f.endsWith('.xml')
      ? 'application/xml'
      : f.endsWith('.html')
        ? 'text/html; charset=utf-8'
        : f.endsWith('.pdf')
          ? 'application/pdf'
          : 'text/csv';
    await awsCall({ action: 'S3 PutObject (regulatory file)', bucket, key }, () =>
      t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(f), ContentType: type })),
    );
  }
  return `s3://${bucket}/${prefix}`;
}

const FIRM_HELP = 'add a "firm" section to config/bestex.json (name, designatedParticipant, reportingEntityCode; see docs/regulatory.md)';

export function reportDir(g: GlobalOptions, report: RegulatoryReport, period: string, stackName: string): string {
  const base = g.target === 'aws' ? join(g.home, 'aws', stackName) : g.home;
  return join(base, 'reports', report, period);
}

/** Runs the report's queries through `engine` and writes its files to `out`. */
async function produce(
  engine: Pick<Engine, 'query'>,
  report: RegulatoryReport,
  period: string,
  firm: Firm,
  maxQuoteAgeSeconds: number,
  out: string,
) {
  mkdirSync(out, { recursive: true });
  if (report === 'rule606') {
    const { runRule606 } = await import('../support/regulatory');
    const r = await runRule606(engine as Engine, period, { firm, maxQuoteAgeSeconds });
    const xml = join(out, `rule606-${period}.xml`);
    const html = join(out, `rule606-${period}.html`);
    writeFileSync(xml, r.xml);
    writeFileSync(html, r.html);
    return { files: [xml, html], errors: r.errors, warnings: [] as string[] };
  }
  const { runRule605 } = await import('../support/regulatory');
  const r = await runRule605(engine as Engine, period, { firm, maxQuoteAgeSeconds });
  const csv = join(out, r.fileName);
  writeFileSync(csv, r.csv);
  const fmt = (e: { row: number; column: string | null; reason: string; value?: string }) =>
    `${r.fileName} record ${e.row}${e.column ? `, column ${e.column}` : ''}: ${e.reason}${e.value !== undefined ? ` (value "${e.value}")` : ''}`;
  return { files: [csv], errors: r.errors.map(fmt), warnings: r.warnings.map(fmt) };
}

export async function reportCommand(g: GlobalOptions, report: RegulatoryReport, period: string, o: { out?: string } = {}): Promise<void> {
  try {
    const k = periodRange(period).kind;
    if ((report === 'rule606') !== (k === 'quarter')) throw new Error('wrong kind');
  } catch {
    throw new CliError(
      report === 'rule606'
        ? `Rule 606 reports are quarterly: pass --period 2026Q3, not "${period}"`
        : `Rule 605 reports are monthly: pass --month 2026-07, not "${period}"`,
    );
  }
  const config = loadConfigFor(g);
  const firm = config.deployment.firm;
  if (!firm) throw new CliError(`${report} needs the reporting firm: ${FIRM_HELP}`);
  const out = o.out ? resolve(o.out) : reportDir(g, report, period, config.deployment.stackName);
  const maxAge = config.deployment.ingest.maxQuoteAgeSeconds;
  const t = await openTarget(g);
  let result: ReportResult;
  try {
    const scanned = { bytes: 0, costUsd: 0, queries: 0 };
    let engine: Pick<Engine, 'query'>;
    let close = () => {};
    if (t.kind === 'local') {
      const { openEngine } = await import('../../engine');
      const rt = (t as LocalTarget).rt;
      const local = await openEngine({ lakeDir: rt.bucketDir('lake'), resultsDir: rt.bucketDir('results') });
      engine = local;
      close = () => local.close();
    } else {
      // The same SQL files, through the Athena workgroup.
      engine = {
        query: async (sql, params) => {
          const r = await t.query(sql, params);
          scanned.bytes += r.bytesScanned ?? 0;
          scanned.costUsd += r.costUsd ?? 0;
          scanned.queries += 1;
          return { columns: r.columns, rows: r.rows };
        },
      };
    }
    try {
      result = { report, period, ...(await produce(engine, report, period, firm, maxAge, out)), ...(t.kind === 'aws' ? { scanned } : {}) };
    } finally {
      close();
    }
    const html = result.files.filter((f) => f.endsWith('.html'));
    if (html.length) {
      const pdf = await renderPdfFiles(html, progress);
      result.files.push(...pdf.pdfs);
      if (pdf.skipped) progress(`PDF skipped: ${pdf.skipped}`);
    }
    if (!result.errors.length) result.stored = await store(t, report, period, result.files);
  } finally {
    await t.close();
  }
  const lines = [
    `${report === 'rule606' ? 'Rule 606(a)(1) report' : 'Rule 605(a)(2) summary'} ${period}:`,
    ...result.files.map((f) => `  ${f}`),
    ...(result.stored ? [`Stored: ${result.stored}`] : []),
    ...(result.scanned
      ? [
          `Athena: ${result.scanned.queries} queries scanned ${humanBytes(result.scanned.bytes)}, cost $${result.scanned.costUsd.toFixed(6)}`,
        ]
      : []),
    ...result.warnings.map((w) => `note ${w}`),
    ...result.errors.map((e) => `FAIL ${e}`),
    result.errors.length
      ? `INVALID: ${result.errors.length} validation error${result.errors.length === 1 ? '' : 's'} against the SEC ${report === 'rule606' ? 'schema' : 'metadata'}: the file must not be published as it is`
      : `valid against the SEC ${report === 'rule606' ? 'schema (oh-20191231.xsd)' : 'metadata (oes-metadata.json)'}`,
  ];
  print(g, lines.join('\n'), result);
  if (result.errors.length) process.exitCode = 1;
}

/** `bestex fetch report`: the files the target's workflows stored under regulatory/<report>/<period>/. */
export async function fetchReportCommand(
  g: GlobalOptions,
  report: RegulatoryReport,
  period: string,
  o: { out?: string } = {},
): Promise<void> {
  const { fetchPrefix } = await import('../../aws/target');
  const t = await openTarget(g);
  try {
    const prefix = RESULTS.regulatory(report, period);
    const from = `s3://${t.bucket('results')}/${prefix}`;
    const to = o.out ? resolve(o.out) : reportDir(g, report, period, t.config.deployment.stackName);
    const files = await fetchPrefix(t.s3, t.bucket('results'), prefix, to);
    if (!files.length) {
      throw new CliError(
        `no ${report} files at ${from}: produce them with \`bestex${g.target === 'aws' ? ' --target aws' : ''} report ${report} ${report === 'rule606' ? '--period' : '--month'} ${period}\``,
      );
    }
    print(g, [`${report} ${period}: ${from} → ${to}`, ...files.map((f) => `  ${f}`)].join('\n'), { from, to, files });
  } finally {
    await t.close();
  }
}
