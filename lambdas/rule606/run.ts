/**
 * The quarterly workflow's Rule 606(a)(1) step: the three sql/rule606 queries have run on Athena;
 * this turns their result CSVs into the report (the same builders the CLI uses locally) and stores
 * the XML and a human-readable HTML under regulatory/rule606/<quarter>/, once the XML validates
 * against the SEC schema (oh-20191231.xsd, bundled with the function) with the same WebAssembly
 * libxml2 the CLI uses. An invalid report is never stored: the step fails, naming the errors.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { getText, parseS3Uri, putObject } from '../adapters/s3io';
import {
  type BuildOptions,
  buildRule606Report,
  renderRule606Html,
  renderRule606Xml,
  rule606Input,
  rule606XsdPath,
  validateXmlText,
} from '../core/regulatory/rule606';
import { athenaCsvObjects } from '../shared/athena-csv';
import { DRY_RUN_PREFIX, RESULTS } from '../shared/layout';

export interface Rule606Event {
  period: string;
  dryRun?: boolean | string;
  rule606Results: { name: string; result: { outputLocation: string } }[];
}

export interface Rule606Result {
  period: string;
  keys: string[];
  months: number;
}

export async function writeRule606(
  event: Rule606Event,
  deps: { s3: S3Client; resultsBucket: string; firm: BuildOptions['firm']; now: Date; xsdPath?: string },
): Promise<Rule606Result> {
  const rows = async (name: string): Promise<Record<string, unknown>[]> => {
    const r = event.rule606Results.find((x) => x.name === name);
    if (!r) throw new Error(`no result for sql/rule606/${name}.sql in this run`);
    const loc = parseS3Uri(r.result.outputLocation);
    if (!loc) throw new Error(`sql/rule606/${name}.sql: result location ${r.result.outputLocation} is not an s3:// URI`);
    const text = await getText(deps.s3, loc.bucket, loc.key);
    if (text === null) throw new Error(`sql/rule606/${name}.sql: result ${r.result.outputLocation} is missing`);
    return athenaCsvObjects(text);
  };
  const report = buildRule606Report(await rule606Input(rows), { period: event.period, firm: deps.firm, generatedAt: deps.now });
  const xml = renderRule606Xml(report);
  const errors = await validateXmlText(xml, deps.xsdPath ?? rule606XsdPath(), `rule606-${event.period}.xml`);
  if (errors.length)
    throw new Error(`the Rule 606 report for ${event.period} does not validate against the SEC schema: ${errors.slice(0, 5).join('; ')}`);
  const dry = event.dryRun === true || event.dryRun === 'true';
  const prefix = `${dry ? DRY_RUN_PREFIX : ''}${RESULTS.regulatory('rule606', event.period)}`;
  const files: [string, string, string][] = [
    [`${prefix}rule606-${event.period}.xml`, xml, 'application/xml'],
    [`${prefix}rule606-${event.period}.html`, renderRule606Html(report), 'text/html; charset=utf-8'],
  ];
  for (const [key, body, type] of files) await putObject(deps.s3, deps.resultsBucket, key, body, type);
  return { period: event.period, keys: files.map(([k]) => k), months: report.months.length };
}
