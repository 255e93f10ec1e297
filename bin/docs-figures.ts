/**
 * `npx tsx bin/docs-figures.ts`: regenerates the figures tables' column lists in the docs from
 * lambdas/shared/figures.ts (between `<!-- figures:<table> -->` and `<!-- /figures -->`);
 * test/enrich/docs.test.ts fails when a doc is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withFiguresDocTables } from '../lambdas/shared/figures';

export const FIGURES_DOCS = ['docs/metrics.md', 'docs/analyst-guide.md'];

for (const f of FIGURES_DOCS) {
  const path = new URL(`../${f}`, import.meta.url);
  writeFileSync(path, withFiguresDocTables(readFileSync(path, 'utf8')));
}
