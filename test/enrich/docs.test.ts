/** The docs' column tables of the figures layer are the ones generated from lambdas/shared/figures.ts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIGURE_TABLES, figuresDocTable, withFiguresDocTables } from '../../lambdas/shared/figures';

describe.each(['docs/metrics.md', 'docs/analyst-guide.md'])('%s', (file) => {
  const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  it('holds both figures tables, as generated (npx tsx bin/docs-figures.ts)', () => {
    for (const spec of FIGURE_TABLES) expect(text).toContain(figuresDocTable(spec));
    expect(withFiguresDocTables(text)).toBe(text);
  });
});
