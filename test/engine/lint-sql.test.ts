import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintSql, lintSqlDir } from '../../bin/lint-sql';

const PARAMS =
  'WITH params AS (\n  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date,\n         CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s\n)\n';

describe('lint-sql', () => {
  it('passes the metric and view SQL files (npm run lint checks all of sql/)', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const mine = lintSqlDir(`${root}sql`, root).filter((p) => p.file.startsWith('sql/metrics/') || p.file.startsWith('sql/views/'));
    expect(mine).toEqual([]);
  });

  it('reports where a file does not parse as Trino', () => {
    const problems = lintSql('x.sql', 'SELECT a,\n  b\nFROM t WHERE (a = 1', false);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'x.sql', line: 3 });
    expect(problems[0]?.message).toMatch(/does not parse as Trino/);
  });

  it('forgives only the documented parser gaps', () => {
    expect(lintSql('g.sql', 'SELECT a, b FROM t GROUP BY GROUPING SETS ((a), (a, b))', false)).toEqual([]);
    expect(lintSql('i.sql', 'SELECT last_value(x) IGNORE NULLS OVER (ORDER BY a) FROM t', false)).toEqual([]);
    expect(lintSql('z.sql', "SELECT ts AT TIME ZONE 'America/New_York' FROM t", false)).toEqual([]);
    expect(lintSql('u.sql', 'SELECT v FROM t CROSS JOIN UNNEST(arr) WITH ORDINALITY AS u (v, i)', false)).toEqual([]);
    // DuckDB-only syntax is not forgiven
    expect(lintSql('d.sql', 'SELECT * EXCLUDE (a) FROM t', false)).toHaveLength(1);
  });

  it('holds review SQL files to the params CTE contract and one statement', () => {
    expect(lintSql('m.sql', `${PARAMS}SELECT period FROM params`, true)).toEqual([]);
    const swapped = PARAMS.replace('AS start_date', 'AS begin_date');
    expect(lintSql('m.sql', `${swapped}SELECT period FROM params`, true).map((p) => p.message)).toEqual([
      expect.stringMatching(/must start with WITH params AS/),
    ]);
    expect(lintSql('m.sql', `${PARAMS}SELECT period FROM params;\nSELECT 1`, true).map((p) => p.message)).toEqual([
      expect.stringMatching(/exactly one SELECT, found 2/),
    ]);
  });
});
