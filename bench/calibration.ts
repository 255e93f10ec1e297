/**
 * Calibration of the findings (docs/review.md, "Calibration"): many simulated quarters at order
 * level, run through the real evaluation code (lambdas/core/review/findings.ts with the shipped
 * config/thresholds.json), reporting
 *   - the share of clean router-quarters with any breach (three statistically identical routers;
 *     goal ≤ 5 %), and
 *   - per planted defect, the share of quarters whose bad router gets a breached finding of that
 *     problem (goal ≥ 90 %), with how often a problem it does not have breaches too.
 *
 *   npm run bench -- calibration [--quarters=200] [--orders=150] [--seed=1]
 */
import { evaluateFindings, type FindingsInput } from '../lambdas/core/review/findings';
import { loadConfig } from '../lambdas/shared/config';
import { type Defects, PLANTED, type RouterSpec, simulateQuarter } from './calibration-sim';

export interface CalibrationOptions {
  quarters: number;
  ordersPerDay: number;
  seed: number;
  log?: (line: string) => void;
}

export interface CalibrationReport {
  quarters: number;
  ordersPerDay: number;
  clean: { routerQuarters: number; withBreach: number; rate: number; byRule: Record<string, number> };
  defects: Record<string, { quarters: number; detected: number; rate: number; otherProblemBreaches: number; cleanPeersWithBreach: number }>;
  seconds: number;
}

const PROBLEM: Record<keyof typeof PLANTED, string> = { pfof: 'price', latency: 'speed', limit: 'limit_fill' };

function run(seed: number, routers: RouterSpec[], ordersPerDay: number, base: Omit<FindingsInput, 'cells' | 'period'>) {
  const q = simulateQuarter({ seed, routers, ordersPerDay });
  return evaluateFindings({ ...base, period: '2026Q3', cells: q.cells, venueCells: q.venueCells, fillTimes: q.fillTimes });
}

export function calibrate(opts: CalibrationOptions): CalibrationReport {
  const t0 = performance.now();
  const { thresholds } = loadConfig();
  const settings = thresholds.findings;
  if (!settings) throw new Error('config/thresholds.json has no findings rules to calibrate');
  const base = { settings, alpha: thresholds.significance, configVersion: thresholds.version };
  const clean = { routerQuarters: 0, withBreach: 0, rate: 0, byRule: {} as Record<string, number> };
  const names = ['r1', 'r2', 'r3'];
  for (let i = 0; i < opts.quarters; i++) {
    const r = run(
      opts.seed * 1_000_003 + i,
      names.map((source) => ({ source })),
      opts.ordersPerDay,
      base,
    );
    for (const s of names) {
      clean.routerQuarters++;
      const b = r.findings.filter((f) => f.source === s && f.status === 'breach');
      if (b.length > 0) clean.withBreach++;
      for (const f of b) clean.byRule[f.rule_id] = (clean.byRule[f.rule_id] ?? 0) + 1;
    }
    if ((i + 1) % 25 === 0)
      opts.log?.(`  clean ${i + 1}/${opts.quarters}: ${clean.withBreach}/${clean.routerQuarters} router-quarters with a breach`);
  }
  clean.rate = clean.withBreach / clean.routerQuarters;
  const defects: CalibrationReport['defects'] = {};
  for (const [name, defect] of Object.entries(PLANTED) as [keyof typeof PLANTED, Defects][]) {
    const d = { quarters: 0, detected: 0, rate: 0, otherProblemBreaches: 0, cleanPeersWithBreach: 0 };
    const n = Math.max(20, Math.round(opts.quarters / 4));
    for (let i = 0; i < n; i++) {
      const routers: RouterSpec[] = [{ source: 'bad', defects: defect }, { source: 'p1' }, { source: 'p2' }];
      const r = run(opts.seed * 7_000_003 + 1000 * (name.length + 1) + i, routers, opts.ordersPerDay, base);
      d.quarters++;
      const bad = r.findings.filter((f) => f.source === 'bad' && f.status === 'breach');
      if (bad.some((f) => f.problem === PROBLEM[name])) d.detected++;
      if (bad.some((f) => f.problem !== PROBLEM[name])) d.otherProblemBreaches++;
      for (const p of ['p1', 'p2']) if (r.findings.some((f) => f.source === p && f.status === 'breach')) d.cleanPeersWithBreach++;
    }
    d.rate = d.detected / d.quarters;
    defects[name] = d;
    opts.log?.(`  ${name}: detected in ${d.detected}/${d.quarters} quarters`);
  }
  return { quarters: opts.quarters, ordersPerDay: opts.ordersPerDay, clean, defects, seconds: (performance.now() - t0) / 1000 };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export function formatCalibration(r: CalibrationReport): string {
  const lines = [
    `clean: ${r.clean.withBreach} of ${r.clean.routerQuarters} router-quarters with any breach = ${pct(r.clean.rate)} (goal ≤ 5 %)`,
    `  breaches by rule: ${
      Object.entries(r.clean.byRule)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
  ];
  for (const [name, d] of Object.entries(r.defects)) {
    lines.push(
      `${name}: detected in ${d.detected} of ${d.quarters} quarters = ${pct(d.rate)} (goal ≥ 90 %); bad router breached another problem in ${d.otherProblemBreaches}; clean peers with a breach ${d.cleanPeersWithBreach} of ${2 * d.quarters}`,
    );
  }
  lines.push(`${r.quarters} clean quarters at ${r.ordersPerDay} orders per router per day, ${r.seconds.toFixed(0)} s`);
  return lines.join('\n');
}
