import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../../demo/generate';
import type { GlobalOptions } from '../main';
import { print, progress, table } from '../output';
import { DROP_COLUMNS, dropDir } from './drop';
import { describeReview, runReview } from './review';
import { requireLocal, withTarget } from './target';

/** The whole cycle on synthetic data: generate → drop → normalise → review → breaches → notices. */
export async function demoCommand(g: GlobalOptions, o: { period: string; seed: number }): Promise<void> {
  requireLocal(
    g,
    'demo',
    'generate the data locally (`bestex demo`), then `bestex --target aws drop <home>/demo-data` and `bestex --target aws review --period …`',
  );
  // A demo starts from a clean home so that its figures depend only on the seed.
  rmSync(g.home, { recursive: true, force: true });
  const dataDir = join(g.home, 'demo-data');
  const gen = generateDemo({ outDir: dataDir, period: o.period, seed: o.seed });
  progress(`Generated ${gen.files.length} files for ${gen.tradeDays} trade days in ${dataDir}`);
  const result = await withTarget(g, async (t) => {
    progress('Dropping the files into the local drop bucket');
    const loads = await dropDir(t, dataDir);
    const review = await runReview(t, g, { period: o.period });
    return { loads, review };
  });
  const human = [
    'Loads:',
    table(DROP_COLUMNS.slice(0, 6), result.loads as unknown as Record<string, unknown>[]),
    '',
    describeReview(result.review),
    `Outbox: ${join(g.home, 'outbox')}`,
    `Query the lake: npx bestex --home ${g.home} query "SELECT source, metric, value FROM review_metrics WHERE symbol = '*' AND order_category = 'market'"`,
  ].join('\n');
  print(g, human, { generated: gen, ...result, outbox: join(g.home, 'outbox') });
}
