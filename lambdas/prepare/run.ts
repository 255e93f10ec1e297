/**
 * Decides what a review run covers: the period (given, or the last complete quarter/month before
 * `now`), the sources due (all for a quarterly run; only those under heightened monitoring for a
 * monthly one), and the Athena execution parameters every metric SQL file binds.
 */
import { periodOf, periodRange, priorPeriod } from '../shared/layout';

export type Cadence = 'quarterly' | 'monthly';

export interface PrepareInput {
  period?: string;
  cadence?: Cadence;
  dryRun?: boolean;
  /** Restrict the review to these sources. */
  sources?: string[];
  /** Override the rules file (dry runs of a new threshold set): an s3:// URI or local path. */
  thresholdsUri?: string;
}

export interface PreparedRun {
  period: string;
  start: string;
  end: string;
  cadence: Cadence;
  runId: string;
  dryRun: boolean;
  /** Empty = every source in the lake. */
  sources: string[];
  /** False when a monthly run finds no source under heightened monitoring. */
  due: boolean;
  /** Athena ExecutionParameters (SQL literals) for the params CTE: period, start, end, max quote age. */
  params: string[];
  /** '' = the deployed config/thresholds.json (ASL paths cannot point at absent fields). */
  thresholdsUri: string;
}

/** The last complete period of the cadence before `now`. */
export function previousPeriod(now: Date, cadence: Cadence): string {
  return priorPeriod(periodOf(now, cadence === 'monthly' ? 'month' : 'quarter'));
}

export function prepareRun(input: PrepareInput, ctx: { now: Date; heightened: string[]; maxQuoteAgeSeconds: number }): PreparedRun {
  const cadence: Cadence = input.cadence ?? (input.period && /^\d{4}-\d{2}$/.test(input.period) ? 'monthly' : 'quarterly');
  const period = input.period ?? previousPeriod(ctx.now, cadence);
  const { start, end } = periodRange(period);
  let sources = input.sources ?? [];
  let due = true;
  if (cadence === 'monthly' && !input.period && !input.sources) {
    // A scheduled monthly run reviews only the sources under heightened monitoring.
    sources = ctx.heightened;
    due = sources.length > 0;
  }
  const stamp = ctx.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return {
    period,
    start,
    end,
    cadence,
    runId: `${period}-${stamp}${input.dryRun ? '-dry' : ''}`,
    dryRun: input.dryRun ?? false,
    sources,
    due,
    params: [`'${period}'`, `'${start}'`, `'${end}'`, String(ctx.maxQuoteAgeSeconds)],
    thresholdsUri: input.thresholdsUri ?? '',
  };
}
