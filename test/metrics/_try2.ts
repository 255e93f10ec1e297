import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine } from '../../lib/engine';
import { writeLake } from '../reference/lake';
import { referenceMetrics } from '../reference/metrics';
import { randomLake } from '../reference/random-lake';
import { diffRows, runMetricSql } from './compare';

const dir = mkdtempSync(join(tmpdir(), 'bx-'));
const seeds = process.argv.slice(2).map(Number);
for (const seed of seeds) {
  const data = randomLake(seed);
  await writeLake(join(dir, 'lake'), data);
  const e = await openEngine({ lakeDir: join(dir, 'lake') });
  const p = { period: '2026Q3', startDate: '2026-07-01', endDate: '2026-10-01', maxQuoteAgeS: [2, 10, 400][seed % 3] as number };
  const t = Date.now();
  const sql = await runMetricSql(e, p);
  const ms = Date.now() - t;
  e.close();
  const ref = referenceMetrics(data, p);
  const d = diffRows(sql, ref);
  console.log(`seed ${seed}: ${sql.length} sql rows, ${ref.length} ref rows, ${ms} ms, ${d.length} diffs`);
  for (const l of d.slice(0, 15)) console.log('  ', l);
}
