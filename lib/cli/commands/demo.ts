import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../../aws/errors';
import { generateDemo } from '../../demo/generate';
import type { GlobalOptions } from '../support/options';
import { print, progress, table } from '../support/output';
import { requireLocal, withTarget } from '../support/target';
import { DROP_COLUMNS, dropDir } from './drop';
import { describeReview, runReview } from './review';

/** Written into a home the demo created: the only kind of home the demo will empty. */
export const DEMO_MARKER = '.bestex-demo-home';

/**
 * Makes `home` an empty demo home, so the demo's figures depend only on the seed. It empties only a
 * home it created itself (the marker file) or an empty folder; anything else may be a real home
 * (lake, evidence, case log) and is refused with what to do.
 */
export function prepareDemoHome(home: string): void {
  if (existsSync(home)) {
    if (!statSync(home).isDirectory()) throw new CliError(`--home ${home} is a file, not a folder: pass a folder for the demo`);
    const entries = readdirSync(home);
    if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
      throw new CliError(
        `--home ${home} already holds files and was not created by \`bestex demo\` (it has no ${DEMO_MARKER} file), so the demo will not empty it. Run the demo in its own folder: \`bestex --home ./demo-home demo\` (or unset BESTEX_HOME); to reuse this folder, empty it yourself first.`,
      );
    }
    rmSync(home, { recursive: true, force: true });
  }
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, DEMO_MARKER),
    `Created by \`bestex demo\` at ${new Date().toISOString()}. Each demo run deletes this folder and starts again: keep nothing here.\n`,
  );
}

/** The whole cycle on synthetic data: generate → drop → normalise → review → breaches → notices. */
export async function demoCommand(g: GlobalOptions, o: { period: string; seed: number }): Promise<void> {
  requireLocal(
    g,
    'demo',
    'generate the data locally (`bestex demo`), then `bestex --target aws drop <home>/demo-data` and `bestex --target aws review --period …`',
  );
  prepareDemoHome(g.home);
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
