/**
 * `npm run bench`: every benchmark, each against a baseline measured in the same run, figures
 * written to docs/performance.md. `--quick` runs small sizes (a smoke run, not for the docs).
 */
import { calibrate, formatCalibration } from './calibration';
import { benchFix } from './fix';
import { benchIngest } from './ingest';
import { benchMetrics, writeMetricsSection } from './metrics';
import { benchFigures } from './metrics-figures';

const quick = process.argv.includes('--quick');
// `npm run bench -- calibration` is short for --only=calibration.
const only =
  process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ??
  (process.argv.includes('calibration') ? 'calibration' : undefined);
const arg = (name: string, dflt: number): number =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
const log = (line: string) => process.stderr.write(`${line}\n`);
const want = (name: string) => !only || only.split(',').includes(name);

if (want('ingest')) {
  log('== ingestion: full normalise path vs bare DuckDB COPY');
  await benchIngest({ ...(quick ? { rows: [50_000, 150_000], reps: 1 } : {}), write: !quick, log });
}
if (want('fix')) {
  log('== FIX parsing vs a readline baseline');
  await benchFix({ ...(quick ? { messages: 50_000 } : {}), write: !quick });
}
if (want('metrics')) {
  log('== metric SQL vs a DuckDB-native ASOF reference');
  const r = await benchMetrics({ scale: quick ? 'small' : 'mid', log });
  if (!quick) writeMetricsSection(r, 'npm run bench -- --only=metrics');
}
if (want('calibration')) {
  log('== calibration of the findings: simulated quarters through the real evaluation (docs/review.md)');
  const r = calibrate({ quarters: arg('quarters', quick ? 20 : 200), ordersPerDay: arg('orders', 150), seed: arg('seed', 1), log });
  log(formatCalibration(r));
}

if (want('figures')) {
  log('== figures: per-date enrichment (both as-of forms) and re-review vs a DuckDB-native ASOF reference');
  console.log(JSON.stringify(await benchFigures(quick ? 'small' : 'mid', ['duckdb', 'trino']), null, 2));
}
