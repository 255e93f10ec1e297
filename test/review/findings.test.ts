import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLEAN, PLANTED, simulateQuarter } from '../../bench/calibration-sim';
import { toIndustry605 } from '../../lambdas/core/review/cells';
import { evaluateFindings, type FindingsInput, type OrderCell } from '../../lambdas/core/review/findings';
import { parseCsv } from '../../lambdas/shared/athena-csv';
import { type FindingRule, loadConfig, ORDER_CELL_SUMS, type OrderCellSum } from '../../lambdas/shared/config';
import { findingSchema } from '../../lambdas/shared/contracts/review';

const { thresholds } = loadConfig();
const settings = thresholds.findings;
if (!settings) throw new Error('config/thresholds.json has no findings');
const base = { settings, alpha: 0.05, configVersion: thresholds.version, period: '2026Q3' };

describe('the shipped finding rules on a simulated quarter with a bad router', () => {
  // A short quarter keeps the test quick; the calibration harness runs full ones.
  const q = simulateQuarter({
    seed: 42,
    routers: [{ source: 'bad', defects: { ...PLANTED.limit, ...PLANTED.latency, ...PLANTED.pfof } }, { source: 'p1' }, { source: 'p2' }],
    ordersPerDay: 150,
    days: 25,
  });
  const r = evaluateFindings({ ...base, cells: q.cells, venueCells: q.venueCells, fillTimes: q.fillTimes });

  it('one breached finding per planted problem for the bad router, none for the clean ones', () => {
    const breached = r.findings.filter((f) => f.status === 'breach');
    expect(
      breached
        .filter((f) => f.source === 'bad')
        .map((f) => f.problem)
        .sort(),
    ).toEqual(['limit_fill', 'price', 'speed']);
    expect(breached.filter((f) => f.source !== 'bad')).toEqual([]);
    for (const f of r.findings) findingSchema.parse(f);
  });

  it('the limit-fill finding carries its cost: unfilled shares beyond the peers’ rate × the average quoted spread', () => {
    const f = r.findings.find((x) => x.source === 'bad' && x.problem === 'limit_fill' && x.status === 'breach');
    if (!f) throw new Error('no limit finding');
    expect(f.rule_id).toBe('limit-fill-vs-peers');
    const lim = (s: string) => q.cells.filter((c) => c.source === s && c.order_category === 'non_marketable_limit');
    const rate = (cs: OrderCell[]) => cs.reduce((a, c) => a + c.filled_orders, 0) / cs.reduce((a, c) => a + c.orders, 0);
    const own = lim('bad');
    const peers = [...lim('p1'), ...lim('p2')];
    expect(f.value).toBeCloseTo(100 * rate(own), 9);
    expect(f.benchmark).toBeCloseTo(100 * rate(peers), 9);
    const shares = own.reduce((a, c) => a + c.shares, 0);
    const spread = own.reduce((a, c) => a + c.qs_qty_amount, 0) / own.reduce((a, c) => a + c.quoted_shares, 0);
    expect(f.customer_cost.usd).toBeCloseTo((rate(peers) - rate(own)) * shares * spread, 6);
    expect(f.drilldown.some((d) => d.group_kind === 'symbol')).toBe(true);
    expect(f.drilldown.every((d) => d.n_orders >= 0)).toBe(true);
    // The problem's other rules are its evidence, not separate findings: the prior period is absent on a first review.
    expect(f.related?.find((x) => x.rule_id === 'limit-fill-decline')?.status).toBe('no_benchmark');
    expect(f.related?.find((x) => x.rule_id === 'limit-fill-vs-target')?.provenance_label).toMatch(/committee target/);
  });

  it('the price finding carries the PFOF evidence and shows the paying venues below the benchmark in its drill-down', () => {
    const f = r.findings.find((x) => x.source === 'bad' && x.problem === 'price');
    if (!f) throw new Error('no price finding');
    expect(['pfof-matched-cells', 'pi-vs-peers']).toContain(f.rule_id);
    expect(f.customer_cost.usd).toBeGreaterThan(0);
    expect(f.customer_cost.usd).toBeCloseTo((f.customer_cost.shares ?? 0) * (f.customer_cost.usd_per_share ?? 0), 6);
    expect(f.related?.find((x) => x.rule_id === 'pfof-concentration')?.status).toBe('breach');
    const venues = f.drilldown.filter((d) => d.group_kind === 'venue');
    // Ranked by cost: the two paying venues (which give $0.002/share less) come first.
    expect(
      venues
        .slice(0, 2)
        .map((d) => d.group_value)
        .sort(),
    ).toEqual(['WHSA', 'WHSB']);
    for (const d of venues.slice(0, 2)) expect(d.difference).toBeLessThan(0);
  });

  it('a pass states its minimum detectable difference; missing benchmarks are no_benchmark, not passes', () => {
    const p1 = r.findings.filter((f) => f.source === 'p1');
    for (const f of p1.filter((x) => x.status === 'pass')) expect(f.minimum_detectable_difference).not.toBeNull();
    expect(p1.find((f) => f.rule_id === 'speed-vs-direct')?.status).toBe('no_benchmark');
    expect(p1.find((f) => f.rule_id === 'pi-vs-industry')?.status).toBe('no_benchmark');
    expect(p1.find((f) => f.rule_id === 'limit-fill-decline')?.status).toBe('no_benchmark');
  });

  it('multiplicity: every headline p of a source is Holm-adjusted over the same family', () => {
    const sizes = new Set(r.findings.filter((f) => f.source === 'p1' && f.test.p_value !== null).map((f) => f.test.family_size));
    expect(sizes.size).toBe(1);
    for (const f of r.findings) if (f.test.p_value !== null) expect(f.test.p_adjusted).toBeGreaterThanOrEqual(f.test.p_value);
  });
});

describe('insufficient sample is not a missing prior', () => {
  it('a source with a handful of limit orders is insufficient_sample; with a prior period it is tested', () => {
    const q = simulateQuarter({ seed: 3, routers: [{ source: 'a' }, { source: 'b' }], ordersPerDay: 150, days: 20 });
    const tiny = q.cells.filter((c) => !(c.source === 'a' && c.order_category === 'non_marketable_limit' && c.trade_date > '2026-07-03'));
    const rule = settings.rules.filter((x) => x.problem === 'limit_fill');
    const input: FindingsInput = {
      ...base,
      settings: { ...settings, rules: rule },
      cells: tiny,
      priorCells: q.cells,
      priorPeriod: '2026Q2',
    };
    const r = evaluateFindings(input);
    const a = r.findings.filter((f) => f.source === 'a');
    expect(a.find((f) => f.rule_id === 'limit-fill-vs-peers')?.status).toBe('insufficient_sample');
    expect(a.find((f) => f.rule_id === 'limit-fill-decline')?.status).toBe('insufficient_sample');
    const b = r.findings.filter((f) => f.source === 'b');
    expect(b.find((f) => f.rule_id === 'limit-fill-decline')?.status).toBe('pass');
    expect(b.find((f) => f.rule_id === 'limit-fill-decline')?.provenance).toMatchObject({ kind: 'prior', period: '2026Q2' });
  });
});

describe('Rule 605(a)(2) industry benchmark', () => {
  const sample = readFileSync(new URL('../../../shared/specs/sec/oes-sample.csv', import.meta.url), 'utf8');

  it('loads the SEC sample summary file: market center, month, fractions, 199999 left out', () => {
    const p = parseCsv(sample, 'oes-sample.csv');
    if (!p.ok) throw new Error(p.reason);
    const r = toIndustry605(p.value, 'oes-sample.csv');
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.every((x) => x.market_center === 'SAMPLE' && x.month === '2025-01')).toBe(true);
    expect(r.value.some((x) => x.size_bucket === '199999')).toBe(false);
    // Row "S,SAMPLE,202501,Y,1000,M,…,0.986797,0.176921,0.001769,…": WghtdAvgPctPI and 1 − PctExctdAtQuotOrBetter.
    const row = r.value.find((x) => x.sp500 === 'Y' && x.size_bucket === '1000' && x.order_type === 'M');
    expect(row?.pct_price_improvement).toBeCloseTo(0.001769, 9);
    expect(row?.pct_outside_quote).toBeCloseTo(1 - 0.986797, 9);
  });

  it('benchmarks a source by its own order mix over the matching cells, naming market centers and months', () => {
    const cell = (over: Partial<OrderCell>): OrderCell => ({
      ...(Object.fromEntries(ORDER_CELL_SUMS.map((k) => [k, 0])) as Record<OrderCellSum, number>),
      source: 's',
      trade_date: '2026-07-01',
      symbol: 'A',
      order_category: 'market',
      size_bucket: '0',
      sp500: 'Y',
      ...over,
    });
    const cells: OrderCell[] = [];
    for (let d = 1; d <= 12; d++) {
      const day = `2026-07-${String(d).padStart(2, '0')}`;
      cells.push(cell({ trade_date: day, symbol: 'A', size_bucket: '0', orders: 20, covered_shares: 1000, shares_outside_quote: 10 }));
      cells.push(cell({ trade_date: day, symbol: 'B', size_bucket: '1000', orders: 20, covered_shares: 3000, shares_outside_quote: 30 }));
    }
    const rule: FindingRule = (settings.rules.find((x) => x.id === 'outside-quote-industry') as FindingRule) ?? (undefined as never);
    const row = (mc: string, size: string, atOrBetter: number) => ({
      market_center: mc,
      month: '2026-07',
      order_type: 'M' as const,
      size_bucket: size,
      sp500: 'Y',
      pct_price_improvement: null,
      eq_ratio: null,
      exec_time_ms: null,
      pct_outside_quote: 1 - atOrBetter,
    });
    const r = evaluateFindings({
      ...base,
      settings: { ...settings, rules: [{ ...rule, min_orders: 10 }] },
      cells,
      // Per cell the median over centers: size 0 → 2 %, size 1000 → median(1 %, 3 %, 5 %) = 3 %.
      industry605: [row('AAAA', '0', 0.98), row('AAAA', '1000', 0.99), row('BBBB', '1000', 0.97), row('CCCC', '1000', 0.95)],
    });
    const f = r.findings[0];
    // Weighted by the source's covered shares: (1000·2 % + 3000·3 %) / 4000 = 2.75 %.
    expect(f?.benchmark).toBeCloseTo(2.75, 9);
    expect(f?.value).toBeCloseTo(1, 9);
    expect(f?.provenance.kind).toBe('industry_605');
    expect(f?.provenance.market_centers.map((m) => `${m.market_center}@${m.month}`)).toEqual([
      'AAAA@2026-07',
      'BBBB@2026-07',
      'CCCC@2026-07',
    ]);
    expect(f?.status).toBe('pass');
  });
});

it('clean parameters are what the calibration states', () => {
  expect(CLEAN).toEqual({ pfofShare: 0.3, latencyMs: 60, limitFill: 0.8 });
});
