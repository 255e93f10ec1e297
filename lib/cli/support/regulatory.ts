/**
 * The Rule 605 and 606 reports for `bestex report`: the SQL of sql/rule605 and sql/rule606 run by
 * the target's engine (DuckDB over the local lake, or the Athena workgroup), then the pure builders
 * of lambdas/core/regulatory, which neither know nor care which engine answered.
 */
import { readFileSync } from 'node:fs';
import { type CsvwError, validateCsvw } from '../../../lambdas/core/regulatory/csvw';
import {
  buildRule605Csv,
  classifyOesErrors,
  oesMetadataPath,
  type Rule605Options,
  type Rule605Result,
  rule605FileName,
  toOesRows,
} from '../../../lambdas/core/regulatory/rule605';
import {
  buildRule606Report,
  type Rule606Input,
  type Rule606Options,
  type Rule606Report,
  renderRule606Html,
  renderRule606Xml,
  rule606Input,
  rule606XsdPath,
  validateXmlText,
} from '../../../lambdas/core/regulatory/rule606';
import { periodRange } from '../../../lambdas/shared/layout';
import type { Engine } from '../../engine';
import { sqlFiles } from '../../sql-files';

/** Runs one file of sql/<folder>/ by name with the period's parameters; an error names the file. */
function sqlRunner(engine: Pick<Engine, 'query'>, folder: string, params: string[]): (name: string) => Promise<Record<string, unknown>[]> {
  const byName = new Map(sqlFiles(folder).map((f) => [f.name, f]));
  return async (name) => {
    const f = byName.get(name);
    if (!f) throw new Error(`sql/${folder}/${name}.sql is missing`);
    try {
      return (await engine.query(f.sql, params)).rows;
    } catch (e) {
      throw new Error(`${f.path}: ${(e as Error).message}`);
    }
  };
}

/** The month's file from the lake: the summary SQL, the CSV, and its validation. */
export async function runRule605(engine: Engine, month: string, opts: Rule605Options): Promise<Rule605Result> {
  const { start, end, kind } = periodRange(month);
  if (kind !== 'month') throw new Error(`Rule 605 reports are monthly: "${month}" is not a month (YYYY-MM)`);
  const run = sqlRunner(engine, 'rule605', [`'${month}'`, `'${start}'`, `'${end}'`, String(opts.maxQuoteAgeSeconds ?? 10)]);
  const parsed = toOesRows(await run('summary'));
  if (!parsed.ok) throw new Error(parsed.error);
  const exclusions = (await run('exclusions')).map((r) => ({ reason: String(r.reason), n: Number(r.n), shares: Number(r.shares ?? 0) }));
  const csv = buildRule605Csv(parsed.rows, opts.firm, month);
  let checked: { errors: CsvwError[]; warnings: CsvwError[] } = { errors: [], warnings: [] };
  if (opts.metadataPath !== false) {
    const path = opts.metadataPath ?? oesMetadataPath();
    const metadata = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    checked = classifyOesErrors(csv, validateCsvw(csv, metadata));
  }
  return { csv, fileName: rule605FileName(opts.firm, month), ...checked, rows: parsed.rows, exclusions };
}

/** Runs sql/rule606/*.sql for a period on the engine: the three inputs of the report. */
export async function queryRule606(engine: Engine, period: string, maxQuoteAgeSeconds = 10): Promise<Rule606Input> {
  const { start, end } = periodRange(period);
  return rule606Input(sqlRunner(engine, 'rule606', [`'${period}'`, `'${start}'`, `'${end}'`, String(maxQuoteAgeSeconds)]));
}

/** The quarter's report from the lake: XML (validated against the SEC schema) and HTML. */
export async function runRule606(
  engine: Engine,
  period: string,
  opts: Rule606Options,
): Promise<{ xml: string; html: string; errors: string[]; report: Rule606Report }> {
  if (periodRange(period).kind !== 'quarter') throw new Error(`Rule 606 reports are quarterly: "${period}" is not a quarter (e.g. 2026Q3)`);
  const input = await queryRule606(engine, period, opts.maxQuoteAgeSeconds);
  const report = buildRule606Report(input, {
    period,
    firm: opts.firm,
    generatedAt: opts.generatedAt ?? new Date(),
    ...(opts.topVenues !== undefined ? { topVenues: opts.topVenues } : {}),
    ...(opts.minVenuePct !== undefined ? { minVenuePct: opts.minVenuePct } : {}),
  });
  const xml = renderRule606Xml(report);
  let errors: string[] = [];
  if (opts.xsdPath !== false) errors = await validateXmlText(xml, opts.xsdPath ?? rule606XsdPath(), `rule606-${period}.xml`);
  return { xml, html: renderRule606Html(report), errors, report };
}
