/**
 * `npm run lint` step for SQL: parses every sql/**\/*.sql (except sql/local, which is DuckDB) as
 * Trino with node-sql-parser, and checks the review-file contract of sql/metrics (one SELECT whose
 * first CTE binds period, start_date, end_date, max_quote_age_s). Prints `file:line:column:
 * problem` lines and exits 1 on any problem.
 *
 * node-sql-parser's Trino grammar lacks a few valid Trino constructs. Each is blanked (or swapped
 * for a construct of the same shape) before parsing, with the same length so positions stay true:
 * that is the whole allow-list, and nothing else is forgiven.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import trino from 'node-sql-parser/build/trino.js';
import { composeEnrichSql } from '../lib/enrich-sql';

interface Gap {
  /** What node-sql-parser does not parse (valid Trino). */
  readonly construct: string;
  readonly pattern: RegExp;
  /** Same-length stand-in the parser accepts. */
  readonly replace: (m: string) => string;
}

const blank = (m: string): string => m.replace(/[^\n]/g, ' ');

/** The documented allow-list of the parser's known gaps. */
export const PARSER_GAPS: readonly Gap[] = [
  { construct: 'GROUP BY GROUPING SETS ((…), (…)): parsed as GROUP BY ((…), (…))', pattern: /\bGROUPING\s+SETS\b/gi, replace: blank },
  { construct: 'IGNORE NULLS / RESPECT NULLS in window functions', pattern: /\b(IGNORE|RESPECT)\s+NULLS\b/gi, replace: blank },
  { construct: 'UNNEST(...) WITH ORDINALITY', pattern: /\bWITH\s+ORDINALITY\b/gi, replace: blank },
  {
    construct: "x AT TIME ZONE 'zone': parsed as x || 'zone'",
    pattern: /\bAT\s+TIME\s+ZONE\b/gi,
    replace: (m) => `||${' '.repeat(m.length - 2)}`,
  },
];

export interface SqlProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

const PARAMS_CTE =
  /^\s*WITH\s+params\s+AS\s*\(\s*SELECT\s+CAST\(\s*\?\s+AS\s+VARCHAR\s*\)\s+AS\s+period\s*,\s*CAST\(\s*\?\s+AS\s+DATE\s*\)\s+AS\s+start_date\s*,\s*CAST\(\s*\?\s+AS\s+DATE\s*\)\s+AS\s+end_date\s*,\s*CAST\(\s*\?\s+AS\s+DOUBLE\s*\)\s+AS\s+max_quote_age_s\s*\)/i;

/** Comments blanked (same length), so structural checks see only SQL. */
const stripComments = (sql: string): string => sql.replace(/--[^\n]*/g, blank).replace(/\/\*[\s\S]*?\*\//g, blank);

const parser = new trino.Parser();

/** Lints one SQL text; `name` is used in messages, `reviewFile` enables the params-CTE contract. */
export function lintSql(name: string, sql: string, reviewFile: boolean): SqlProblem[] {
  const problems: SqlProblem[] = [];
  let text = sql;
  for (const gap of PARSER_GAPS) text = text.replace(gap.pattern, gap.replace);
  try {
    parser.astify(text, { database: 'trino' });
  } catch (e) {
    const err = e as { message?: string; location?: { start?: { line?: number; column?: number } } };
    const found = /but (.*) found/.exec(err.message ?? '');
    problems.push({
      file: name,
      line: err.location?.start?.line ?? 1,
      column: err.location?.start?.column ?? 1,
      message: `does not parse as Trino${found ? `: unexpected ${found[1]}` : `: ${(err.message ?? String(e)).slice(0, 200)}`}`,
    });
  }
  if (reviewFile) {
    const code = stripComments(sql);
    if (!PARAMS_CTE.test(code)) {
      problems.push({
        file: name,
        line: 1,
        column: 1,
        message:
          'a review SQL file must start with WITH params AS (SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s) (docs/architecture.md §SQL)',
      });
    }
    const statements = code.split(';').filter((s) => s.trim() !== '');
    if (statements.length !== 1) {
      problems.push({
        file: name,
        line: 1,
        column: 1,
        message: `a review SQL file holds exactly one SELECT, found ${statements.length} statements`,
      });
    }
  }
  return problems;
}

function sqlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      // sql/local is DuckDB; sql/enrich/parts are CTE lists, linted inside the files that include them.
      if (entry.name !== 'local' && entry.name !== 'parts') out.push(...sqlFiles(p));
    } else if (entry.name.endsWith('.sql')) out.push(p);
  }
  return out.sort();
}

/** Lints every SQL file under `sqlDir` (review contract for sql/metrics/*). */
export function lintSqlDir(sqlDir: string, root: string): SqlProblem[] {
  const problems: SqlProblem[] = [];
  for (const file of sqlFiles(sqlDir)) {
    const rel = relative(root, file);
    const reviewFile = relative(sqlDir, file).startsWith('metrics/');
    let text = readFileSync(file, 'utf8');
    // An enrichment file is checked as Athena engine v3 runs it: parts included, the Trino as-of form.
    if (relative(sqlDir, file).startsWith('enrich/')) text = composeEnrichSql(text, 'trino');
    problems.push(...lintSql(rel, text, reviewFile));
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const sqlDir = join(root, 'sql');
  const problems = lintSqlDir(sqlDir, root);
  for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message}`);
  const n = sqlFiles(sqlDir).length;
  if (problems.length > 0) {
    console.error(`lint-sql: ${problems.length} problem(s) in ${n} file(s)`);
    process.exit(1);
  }
  console.log(`lint-sql: ${n} SQL file(s) parse as Trino`);
}
