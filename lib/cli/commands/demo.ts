import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../../demo/generate';
import type { GlobalOptions } from '../main';
import { print, progress, table } from '../output';
import { dropDir } from './drop';
import { describeReview, runReview } from './review';
import { withRuntime } from './runtime';

/** The whole cycle on synthetic data: generate → drop → normalise → review → breaches → notices. */
export async function demoCommand(g: GlobalOptions, o: { period: string; seed: number }): Promise<void> {
  // A demo starts from a clean home so that its figures depend only on the seed.
  rmSync(g.home, { recursive: true, force: true });
  const dataDir = join(g.home, 'demo-data');
  const gen = generateDemo({ outDir: dataDir, period: o.period, seed: o.seed });
  progress(`Generated ${gen.files.length} files for ${gen.tradeDays} trade days in ${dataDir}`);
  const result = await withRuntime(g, async (rt) => {
    progress(`Local S3 endpoint ${rt.endpoint}; dropping the files`);
    const loads = await dropDir(rt, dataDir);
    const review = await runReview(rt, { period: o.period });
    return { loads, review };
  });
  const cols = ['key', 'status', 'rows_read', 'rows_written', 'rows_rejected', 'rows_duplicate'];
  const human = [
    'Loads:',
    table(cols, result.loads as unknown as Record<string, unknown>[]),
    '',
    describeReview(result.review),
    `Outbox: ${join(g.home, 'outbox')}`,
    `Query the lake: npx bestex --home ${g.home} query "SELECT source, metric, value FROM review_metrics WHERE symbol = '*' AND order_category = 'market'"`,
  ].join('\n');
  print(g, human, { generated: gen, ...result, outbox: join(g.home, 'outbox') });
}
