/**
 * `bestex enrich --date YYYY-MM-DD [--source S]`: computes order_figures and execution_figures of
 * one trade date for each source (or one) on the local engine, replacing each partition's object
 * in the local lake bucket with one PUT. Reviews and the daily exceptions do this themselves for
 * a missing or stale date; this command is for analysts and for re-running a date by hand.
 */
import { readFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CliError } from '../../aws/errors';
import type { AsofForm } from '../../enrich-sql';
import type { LocalTarget } from '../../local/target';
import { checkDate } from '../support/args';
import type { GlobalOptions } from '../support/options';
import { print, progress, table } from '../support/output';
import { withTarget } from '../support/target';

export interface EnrichOptions {
  date: string;
  source?: string;
  form?: AsofForm;
}

export interface EnrichSummary {
  date: string;
  units: { source: string; order_figures: number; execution_figures: number; ms: number }[];
}

export async function runEnrich(t: LocalTarget, o: EnrichOptions): Promise<EnrichSummary> {
  const [{ openEngine }, { enrichLocalMany, figuresKey }] = await Promise.all([import('../../engine'), import('../../enrich-local')]);
  const sources = o.source ? [o.source] : t.config.deployment.sources;
  const lakeDir = t.rt.bucketDir('lake');
  const engine = await openEngine({ lakeDir });
  const units: EnrichSummary['units'] = [];
  try {
    progress(`Enriching ${sources.join(', ')} ${o.date}`);
    const results = await enrichLocalMany(
      engine,
      sources.map((source) => ({ source, tradeDate: o.date })),
      {
        lakeDir,
        maxQuoteAgeS: t.config.deployment.ingest.maxQuoteAgeSeconds,
        ...(o.form ? { form: o.form } : {}),
        put: async (tbl, unit, file) => {
          await t.s3.send(new PutObjectCommand({ Bucket: t.bucket('lake'), Key: figuresKey(tbl, unit), Body: readFileSync(file) }));
        },
      },
    );
    for (const r of results)
      units.push({
        source: r.source,
        order_figures: r.rows.order_figures,
        execution_figures: r.rows.execution_figures,
        ms: Math.round(r.ms),
      });
  } finally {
    engine.close();
  }
  return { date: o.date, units };
}

export async function enrichCommand(g: GlobalOptions, o: EnrichOptions): Promise<void> {
  checkDate(o.date);
  if (o.form && o.form !== 'trino' && o.form !== 'duckdb') throw new CliError(`--form must be trino or duckdb, not ${o.form}`);
  const s = await withTarget(g, async (t) => {
    if (t.kind !== 'local')
      throw new CliError('bestex enrich runs on the local target; on AWS the review and daily workflows enrich their dates');
    return runEnrich(t as LocalTarget, o);
  });
  print(g, [`Enriched ${s.date}`, table(['source', 'order_figures', 'execution_figures', 'ms'], s.units)].join('\n'), s);
}
