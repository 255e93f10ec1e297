/**
 * The Evaluate handler end to end against a real S3 endpoint (s3rver on 127.0.0.1, random port),
 * with hand-written Athena-style result CSVs: outputs, monitoring state, case log, dry runs,
 * re-runs, a second breach in a row, and a prior-period benchmark read back from its Parquet.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTelemetry } from '../../lambdas/adapters/powertools';
import type { RuleOutcome } from '../../lambdas/core/review/evaluate';
import type { MonitoringState } from '../../lambdas/core/review/monitoring';
import type { ReconciliationFinding } from '../../lambdas/core/review/reconcile';
import type { EvaluateEvent, EvaluateResult } from '../../lambdas/evaluate/run';
import { evaluateOutputSchema, type FindingsDocument } from '../../lambdas/shared/contracts/review';
import { REVIEW_METRIC_COLUMNS } from '../../lambdas/shared/metrics';
import { loggedRecords } from '../support/emf';
import { type S3rverFixture, startS3rver } from '../support/s3rver';

const RESULTS = 'test-results';
const ATHENA = 'test-athena';
const ROW_RULES = new URL('../fixtures/review/row-rules.json', import.meta.url).pathname;
let store: S3rverFixture;
let dir: string;
let handler: (e: EvaluateEvent) => Promise<EvaluateResult>;

/** One review_metrics line as Athena writes it: every value quoted, NULL empty and unquoted. */
function metricLine(v: {
  source: string;
  metric: string;
  symbol?: string;
  cat?: string;
  value: number;
  n: number;
  sd?: number;
  neff?: number;
}): string {
  const q = (x: string | number) => `"${x}"`;
  return [
    q('ignored'),
    q(v.source),
    q(v.symbol ?? '*'),
    q(v.cat ?? 'market'),
    q('*'),
    q('*'),
    q('*'),
    q(v.metric),
    q(v.value),
    q(v.n),
    q(v.n),
    v.sd === undefined ? '' : q(v.sd),
    v.neff === undefined ? '' : q(v.neff),
    q(0),
    q(0),
    q(0),
    q(0),
    q(0),
  ].join(',');
}
const csv = (lines: string[]) => `${REVIEW_METRIC_COLUMNS.map((c) => `"${c}"`).join(',')}\n${lines.join('\n')}\n`;

const put = (bucket: string, key: string, body: string): Promise<void> => store.put(bucket, key, body);
async function get(key: string): Promise<string> {
  const text = await store.text(RESULTS, key);
  if (text === undefined) throw new Error(`no object ${key} in ${RESULTS}`);
  return text;
}
/** A review_metrics result CSV in the Athena bucket, as Athena writes it. */
const putMetrics = (key: string, lines: string[]): Promise<void> => put(ATHENA, key, csv(lines));

/** The metric query results the reviews below read, by result key. */
const METRIC_RESULTS: Record<string, Parameters<typeof metricLine>[0][]> = {
  // 2026Q3: acme-sor with the planted price-improvement shortfall (0.0008 vs 0.0012 $/share), a tiny
  // symbol group (12 orders), and bolt-sor clean.
  'q3/pi.csv': [
    { source: 'acme-sor', metric: 'price_improvement_per_share', value: 0.0008, n: 812, sd: 0.002, neff: 800 },
    { source: 'acme-sor', metric: 'price_improvement_per_share', symbol: 'TINY', value: 0.0002, n: 12, sd: 0.002, neff: 12 },
    { source: 'bolt-sor', metric: 'price_improvement_per_share', value: 0.0016, n: 790, sd: 0.002, neff: 780 },
  ],
  'q3/fill.csv': [
    { source: 'acme-sor', metric: 'fill_rate_pct', cat: '*', value: 95, n: 812 },
    { source: 'bolt-sor', metric: 'fill_rate_pct', cat: '*', value: 96, n: 790 },
  ],
  // 2026-10 (monthly, acme under heightened monitoring): still short.
  'm10/pi.csv': [{ source: 'acme-sor', metric: 'price_improvement_per_share', value: 0.0007, n: 300, sd: 0.002, neff: 300 }],
  // 2026Q4: acme's fill rate falls from 95 % to 85 %; bolt's holds.
  'q4/fill.csv': [
    { source: 'acme-sor', metric: 'fill_rate_pct', cat: '*', value: 85, n: 812 },
    { source: 'bolt-sor', metric: 'fill_rate_pct', cat: '*', value: 96.5, n: 800 },
  ],
};
const keys = (prefix: string): Promise<string[]> => store.keys(RESULTS, prefix);
/** Reads Parquet bytes with DuckDB directly (not through the code under test). */
async function parquetRows(key: string, sql: string): Promise<Record<string, unknown>[]> {
  const bytes = await store.bytes(RESULTS, key);
  if (!bytes) throw new Error(`no object ${key} in ${RESULTS}`);
  const file = join(dir, `${key.replace(/\W/g, '_')}.parquet`);
  writeFileSync(file, bytes);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = (await c.runAndReadAll(sql.replace('$FILE', `'${file}'`))).getRowObjectsJS();
  c.closeSync();
  db.closeSync();
  return rows as Record<string, unknown>[];
}

function event(period: string, runId: string, results: Record<string, string>, extra: Partial<EvaluateEvent> = {}): EvaluateEvent {
  return {
    period,
    runId,
    start: '2026-07-01',
    end: '2026-10-01',
    sources: [],
    // The row rules on review_metrics (the shipped set tests order cells instead: findings.test.ts).
    thresholdsUri: ROW_RULES,
    metricResults: Object.entries(results).map(([name, key], i) => ({
      name,
      path: `sql/metrics/${name}.sql`,
      sha256: 'f'.repeat(64),
      result: { queryExecutionId: `q-${runId}-${i}`, outputLocation: `s3://${ATHENA}/${key}`, bytesScanned: 1234 },
    })),
    ...extra,
  };
}

beforeAll(async () => {
  store = await startS3rver([RESULTS, ATHENA], { tmpPrefix: 'bestex-eval-test-' });
  dir = store.dir;
  process.env.BESTEX_S3_ENDPOINT = store.endpoint;
  process.env.BUCKET_RESULTS = RESULTS;
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  ({ handler } = await import('../../lambdas/evaluate/handler'));

  for (const [key, lines] of Object.entries(METRIC_RESULTS)) await putMetrics(key, lines.map(metricLine));
  await put(
    ATHENA,
    'q3/vendor.csv',
    '"period","symbol","order_type","metric","value","source","source_key","source_line","ingested_at"\n' +
      '"2026Q3","*","market","price_improvement_per_share","0.0014","acme-sor","acme-sor/vendor-metrics/q3.csv","2","2026-10-02 10:00:00"\n' +
      '"2026Q3","*","market","price_improvement_per_share","0.00161","bolt-sor","bolt-sor/vendor-metrics/q3.csv","2","2026-10-02 10:00:00"\n',
  );
  await put(
    RESULTS,
    'config-drafts/prior-rules.json',
    JSON.stringify({
      version: 'draft-prior',
      rules: [
        {
          id: 'fill-rate-decline',
          metric: 'fill_rate_pct',
          group: { order_category: '*' },
          direction: 'below',
          benchmark: { prior: true },
          tolerance: 5,
          min_orders: 50,
          severity: 'medium',
          action: 'Ask the vendor why fills declined.',
        },
      ],
    }),
  );
}, 60_000);

afterAll(async () => {
  await store?.stop();
});

describe('evaluate handler', () => {
  let first: EvaluateResult;

  it('2026Q3 with the shipped rules: the planted shortfall breaches, the clean vendor does not, the tiny group is insufficient', async () => {
    // The handler's log and EMF lines, as its log group would receive them.
    const captured = new PassThrough();
    const chunks: string[] = [];
    captured.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
    routeTelemetry(captured);
    try {
      first = await handler(
        event('2026Q3', 'r1', { price_improvement: 'q3/pi.csv', fill_rates: 'q3/fill.csv', vendor_metrics: 'q3/vendor.csv' }),
      );
    } finally {
      routeTelemetry(undefined);
    }
    // What the handler really returns is what the state machine hands Package: the strict contract.
    expect(evaluateOutputSchema.safeParse(first).error).toBeUndefined();
    expect(first.breachCount).toBe(1);
    expect(first.sources).toEqual([
      { source: 'acme-sor', breaches: 1, status: 'heightened' },
      { source: 'bolt-sor', breaches: 0, status: 'normal' },
    ]);
    expect(first.notices.map((n) => n.subject)).toEqual([
      '[bestex] acme-sor 2026Q3: 1 breach (high)',
      '[bestex] bolt-sor 2026Q3: no breaches',
    ]);
    expect(first.notices[0]?.attributes).toEqual({ severity: 'high', source: 'acme-sor', period: '2026Q3', kind: 'review' });
    expect(first.notices[0]?.message).toContain(`Review package: s3://${RESULTS}/packages/2026Q3/acme-sor/`);

    const breaches = JSON.parse(await get(first.files.breaches)) as RuleOutcome[];
    expect(breaches).toHaveLength(1);
    const b = breaches[0] as RuleOutcome;
    // value 0.0008 vs 0.0012: SE = 0.002/√800 = 7.0711e-5, t = −5.657, df 799 → p ≈ 1.1e-8
    expect(b).toMatchObject({
      rule_id: 'pi-market',
      source: 'acme-sor',
      symbol: '*',
      order_category: 'market',
      value: 0.0008,
      benchmark: 0.0012,
      n_orders: 812,
      n_eff: 800,
    });
    expect(b.p_value).toBeLessThan(1e-6);
    expect(b.ci_upper).toBeCloseTo(-0.0004 + 1.646761 * (0.002 / Math.sqrt(800)), 7);

    const outcomes = JSON.parse(await get(first.files.outcomes)) as RuleOutcome[];
    const tiny = outcomes.find((o) => o.symbol === 'TINY');
    expect(tiny?.status).toBe('insufficient_sample');
    expect(outcomes.find((o) => o.rule_id === 'pi-market' && o.source === 'bolt-sor')?.status).toBe('pass');

    const rec = JSON.parse(await get(first.files.reconciliation)) as ReconciliationFinding[];
    expect(rec.map((f) => [f.source, f.status])).toEqual([
      ['acme-sor', 'mismatch'], // vendor says 0.0014, firm computes 0.0008
      ['bolt-sor', 'match'],
    ]);
    expect(first.notices[0]?.message).toMatch(/Vendor reconciliation: 1 of 1 vendor figures differ/);

    // EMF: Breaches per source = the rows of breaches.json of that source (planted: 1 and 0);
    // Findings = the breached findings in findings.json.
    const bySource = Object.fromEntries(first.sources.map((s) => [s.source, breaches.filter((r) => r.source === s.source).length]));
    expect(bySource).toEqual({ 'acme-sor': 1, 'bolt-sor': 0 });
    const doc = JSON.parse(await get(first.files.findings as string)) as FindingsDocument;
    const emf = loggedRecords(chunks).filter((e) => e._aws && e.service === 'bestex-evaluate');
    const perSource = emf.filter((e) => 'Breaches' in e);
    for (const e of perSource)
      expect([e._aws?.CloudWatchMetrics[0]?.Namespace, e._aws?.CloudWatchMetrics[0]?.Dimensions]).toEqual([
        'bestex',
        [['service', 'source']],
      ]);
    expect(Object.fromEntries(perSource.map((e) => [e.source, e.Breaches]))).toEqual(bySource);
    const total = emf.filter((e) => 'Findings' in e);
    expect(total.map((e) => [e._aws?.CloudWatchMetrics[0]?.Dimensions, e.Findings])).toEqual([
      [[['service']], doc.findings.filter((f) => f.status === 'breach').length],
    ]);
  });

  it('writes review_metrics and review_breaches as Parquet (typed) and CSV, outside the table folders for CSV', async () => {
    expect(first.files.reviewMetricsParquet).toBe('review_metrics/period=2026Q3/review_metrics.parquet');
    expect(first.files.reviewBreachesParquet).toBe('review_breaches/period=2026Q3/review_breaches.parquet');
    expect(await keys('review_metrics/')).toEqual(['review_metrics/period=2026Q3/review_metrics.parquet']);
    const m = await parquetRows(
      first.files.reviewMetricsParquet,
      'SELECT period, source, symbol, metric, value, n_orders, std_dev, n_eff, typeof(n_orders) AS t FROM $FILE ORDER BY source, symbol, metric',
    );
    expect(m).toHaveLength(5);
    expect(m[0]).toEqual({
      period: '2026Q3',
      source: 'acme-sor',
      symbol: '*',
      metric: 'fill_rate_pct',
      value: 95,
      n_orders: 812n,
      std_dev: null,
      n_eff: null,
      t: 'BIGINT',
    });
    expect(m[1]).toMatchObject({ metric: 'price_improvement_per_share', value: 0.0008, std_dev: 0.002, n_eff: 800 });
    const br = await parquetRows(
      first.files.reviewBreachesParquet,
      "SELECT rule_id, source, status, p_value, ci_lower, note FROM $FILE WHERE status = 'breach'",
    );
    expect(br).toHaveLength(1);
    expect(br[0]).toMatchObject({ rule_id: 'pi-market', source: 'acme-sor', status: 'breach', ci_lower: null, note: '' });
    const csvText = await get(first.files.reviewMetricsCsv);
    expect(csvText.split('\n')[0]).toBe(REVIEW_METRIC_COLUMNS.map((c) => `"${c}"`).join(','));
    expect(first.outputs).toEqual(expect.arrayContaining([first.files.reviewMetricsCsv, first.files.summary, 'monitoring/state.json']));
  });

  it('records monitoring state and opens one case per breached rule', async () => {
    const state = JSON.parse(await get('monitoring/state.json')) as MonitoringState;
    expect(state['acme-sor']).toMatchObject({ status: 'heightened', since: '2026Q3', consecutive_clean: 0 });
    expect(state['bolt-sor']).toMatchObject({ status: 'normal', consecutive_clean: 1 });
    const caseKeys = await keys('cases/events/');
    // Keyed by the year the event was recorded (the handler's clock: now).
    const year = new Date().getUTCFullYear();
    expect(caseKeys).toEqual([
      `cases/events/${year}/2026Q3-acme-sor-pi-market-0001.json`,
      `cases/events/${year}/2026Q3-acme-sor-pi-market-0002.json`,
    ]);
    const opened = JSON.parse(await get(caseKeys[0] as string));
    expect(opened).toMatchObject({
      case_id: '2026Q3-acme-sor-pi-market',
      event: 'opened',
      who: 'bestex-review',
      breach_refs: ['2026Q3/pi-market/acme-sor/*,market,*,*,*'],
    });
    expect(JSON.parse(await get(caseKeys[1] as string)).event).toBe('heightened_monitoring');
  });

  it('a re-run of the period opens no case twice and does not count twice', async () => {
    const again = await handler(event('2026Q3', 'r2', { price_improvement: 'q3/pi.csv', fill_rates: 'q3/fill.csv' }));
    expect(again.breachCount).toBe(1);
    expect(await keys('cases/events/')).toHaveLength(2);
    const state = JSON.parse(await get('monitoring/state.json')) as MonitoringState;
    expect(state['acme-sor']?.history).toHaveLength(1);
    expect(state['acme-sor']?.history[0]?.run_id).toBe('r2');
    // Athena reads every object under the table folder: a re-run replaces, never adds.
    expect(await keys('review_metrics/')).toEqual(['review_metrics/period=2026Q3/review_metrics.parquet']);
    expect(await keys('reviews/2026Q3/')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^reviews\/2026Q3\/r1\//), expect.stringMatching(/^reviews\/2026Q3\/r2\//)]),
    );
  });

  it('a dry run writes under dry-run/ only and changes neither monitoring nor cases', async () => {
    const before = await get('monitoring/state.json');
    const dry = await handler(event('2026-10', 'dry1', { price_improvement: 'm10/pi.csv' }, { dryRun: 'true' as unknown as boolean }));
    expect(dry.dryRun).toBe(true);
    expect(dry.outputs.every((k) => k.startsWith('dry-run/'))).toBe(true);
    expect(dry.notices[0]?.subject).toBe('[bestex dry-run] acme-sor 2026-10: 1 breach (high)');
    expect(await get('monitoring/state.json')).toBe(before);
    expect(await keys('cases/events/')).toHaveLength(2);
  });

  it('a second breach in a row (monthly review) keeps heightened monitoring on', async () => {
    const r = await handler(event('2026-10', 'm1', { price_improvement: 'm10/pi.csv' }, { sources: ['acme-sor'] }));
    expect(r.sources).toEqual([{ source: 'acme-sor', breaches: 1, status: 'heightened' }]);
    const state = JSON.parse(await get('monitoring/state.json')) as MonitoringState;
    expect(state['acme-sor']).toMatchObject({ status: 'heightened', since: '2026Q3', consecutive_clean: 0 });
    expect(state['acme-sor']?.history.map((h) => [h.period, h.decision])).toEqual([
      ['2026Q3', 'enter_heightened'],
      ['2026-10', 'remain_heightened'],
    ]);
    expect(state['bolt-sor']?.history).toHaveLength(1); // not part of the monthly run
    expect(r.notices[0]?.message).toMatch(/History: 2026Q3 1 breach; 2026-10 1 breach/);
    expect(await keys('cases/events/')).toHaveLength(4); // a new case for the new period
  });

  it('2026Q4 with a draft rules file: the prior-period benchmark comes from 2026Q3 Parquet', async () => {
    const r = await handler(
      event('2026Q4', 'q4', { fill_rates: 'q4/fill.csv' }, { thresholdsUri: `s3://${RESULTS}/config-drafts/prior-rules.json` }),
    );
    expect(r.thresholds.version).toBe('draft-prior');
    const outcomes = JSON.parse(await get(r.files.outcomes)) as RuleOutcome[];
    const acme = outcomes.find((o) => o.source === 'acme-sor');
    // 85 % vs 95 % (n 812 each): SE = √(85·15/812 + 95·5/812) = 1.468 → t = −6.81
    expect(acme).toMatchObject({ status: 'breach', benchmark: 95, benchmark_ref: 'prior 2026Q3', test: 'two_proportion' });
    expect(acme?.ci_upper).toBeCloseTo(-10 + 1.6464 * Math.sqrt((85 * 15 + 95 * 5) / 812), 2);
    expect(outcomes.find((o) => o.source === 'bolt-sor')?.status).toBe('pass');
  });

  it('fails with messages that name the object and the line', async () => {
    await put(ATHENA, 'bad/pi.csv', csv([metricLine({ source: 'acme-sor', metric: 'speed' as never, value: 1, n: 1 })]));
    await expect(handler(event('2026Q3', 'bad', { price_improvement: 'bad/pi.csv' }))).rejects.toThrow(
      `metric result price_improvement: s3://${ATHENA}/bad/pi.csv:2: metric "speed" is not a metric name`,
    );
    await expect(handler(event('2026Q3', 'bad', { price_improvement: 'missing.csv' }))).rejects.toThrow(
      /missing\.csv does not exist \(query q-bad-0\)/,
    );
    await expect(handler(event('2026Q3', 'bad', { a: 'q3/pi.csv', b: 'q3/pi.csv' }))).rejects.toThrow(/comes from both a and b/);
    await expect(handler(event('2026Q9', 'bad', {}))).rejects.toThrow(/period "2026Q9"/);
  });
});
