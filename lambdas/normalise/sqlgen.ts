/**
 * Generates the per-column parts of the validation SQL from the canonical schema and a vendor
 * profile: which input field feeds each canonical column, its code mapping, its typed value and
 * one plain-English reason per rule it can break. The SQL around these lists is in sql/*.sql;
 * the parsing rules themselves are macros in sql/macros.sql.
 */
import type { DatasetProfile } from '../shared/config';
import { type ColumnSpec, type DatasetSpec, duckdbType, fileColumns } from '../shared/schema';
import { type Bindings, ident, lit } from './sqlfiles';

/** One field of the input as the reader exposes it (o_<i>), with the name the vendor gave it. */
export interface InputField {
  name: string;
  /** SQL expression yielding the field as VARCHAR. */
  expr: string;
}

export interface Plan {
  /** Canonical column → input field index (absent = not in the file). */
  sources: Map<string, number>;
  /** Input fields nobody maps (kept in quarantine output, not loaded). */
  ignored: string[];
  /** Required canonical columns missing from the input. */
  missing: string[];
}

const SINGULAR: Record<string, string> = {
  orders: 'order',
  routes: 'route',
  executions: 'execution',
  quotes: 'quote',
  venues: 'venue record',
  'vendor-metrics': 'metric row',
  reference: 'list entry',
  rule605: 'Rule 605 summary row',
};

/** Plain words for the schema's patterns; others are shown as the pattern itself. */
const PATTERN_WORDS: Record<string, string> = {
  '[A-Z0-9]{4}': 'an ISO 10383 MIC (4 capital letters or digits, e.g. XNAS)',
  '[A-Z][A-Z0-9.\\-/]{0,11}': 'a symbol (a capital letter, then up to 11 of A-Z 0-9 . - /)',
  '(\\*|[A-Z][A-Z0-9.\\-/]{0,11})': 'a symbol or *',
  '[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))': 'a quarter such as 2026Q3 or a month such as 2026-07',
  '[A-Z0-9_]{1,32}': 'a list name of capital letters, digits and _ (e.g. SP500)',
};

/** Orders are unique per source and trade date; other keys per source (data-contract §2). */
const KEY_SCOPE_TRADE_DATE = new Set(['orders']);

/** Derived columns: computed from typed values, never read. */
const DERIVED: Record<string, (t: (c: string) => string) => string> = {
  crossed: (t) => `nx_crossed(${t('bid')}, ${t('ask')})`,
};

const m = (c: string): string => ident(`m_${c}`);
const t = (c: string): string => ident(`t_${c}`);
const e = (c: string): string => ident(`e_${c}`);

function norm(s: string): string {
  return s.trim().toLowerCase();
}

/** Matches input field names to canonical columns: profile renames, then exact, then case-insensitive. */
export function plan(spec: DatasetSpec, fields: readonly string[], profile?: DatasetProfile): Plan {
  const sources = new Map<string, number>();
  const renames = profile?.columns ?? {};
  const used = new Set<number>();
  fields.forEach((f, i) => {
    const target = renames[f] ?? renames[f.trim()];
    if (target && !sources.has(target)) {
      sources.set(target, i);
      used.add(i);
    }
  });
  for (const col of spec.columns) {
    if (col.derived || sources.has(col.name)) continue;
    let i = fields.indexOf(col.name);
    if (i < 0 || used.has(i)) i = fields.findIndex((f, j) => !used.has(j) && norm(f) === col.name);
    if (i >= 0) {
      sources.set(col.name, i);
      used.add(i);
    }
  }
  const ignored = fields.filter((_, i) => !used.has(i));
  const missing = spec.columns.filter((c) => c.required && !c.derived && !sources.has(c.name)).map((c) => c.name);
  return { sources, ignored, missing };
}

/** The whole-file reason for missing required columns: names them and what the profile maps. */
export function missingColumnsReason(
  spec: DatasetSpec,
  p: Plan,
  fields: readonly string[],
  source: string,
  profile?: DatasetProfile,
): string {
  const cols = p.missing.join(', ');
  const renames = Object.entries(profile?.columns ?? {});
  const mapped = renames.length
    ? `the vendor profile of ${source} maps ${renames.map(([a, b]) => `${a} → ${b}`).join(', ')}`
    : `there is no column mapping for ${source}/${spec.name}, so canonical names are expected`;
  const shown = fields.slice(0, 30).map((f) => JSON.stringify(f));
  return `required column${p.missing.length > 1 ? 's' : ''} ${cols} ${p.missing.length > 1 ? 'are' : 'is'} missing: the file has ${shown.join(', ')}${fields.length > 30 ? ', …' : ''}; ${mapped}. Rename the column in the file or add it to config/profiles/${source}.json`;
}

function codeMap(col: string, profile?: DatasetProfile): Record<string, string> {
  return profile?.codes?.[col] ?? {};
}

/** Canonical text of a column: trimmed, code-mapped (the profile's map, bound), defaulted. */
function mappedExpr(col: ColumnSpec, p: Plan, fields: readonly InputField[], bind: Bindings, profile?: DatasetProfile): string {
  const i = p.sources.get(col.name);
  const f = i === undefined ? undefined : fields[i];
  let v = f ? `nx_text(${f.expr})` : 'CAST(NULL AS VARCHAR)';
  const codes = codeMap(col.name, profile);
  if (f && Object.keys(codes).length) v = `coalesce(${bind.map(codes)}[${v}], ${v})`;
  if (col.default !== undefined) v = `coalesce(${v}, ${lit(col.default)})`;
  return `${v} AS ${m(col.name)}`;
}

/** The profile's zone, format and DST resolution as bound SQL values. */
interface TimeParams {
  tz?: string;
  fmt?: string;
  mode: string;
  /** Instants outside [lo, hi] are rejected (TIMESTAMP_WINDOW_YEARS around the load). */
  lo: string;
  hi: string;
  loYear: number;
  hiYear: number;
}

function timeParams(bind: Bindings, window: { lo: Date; hi: Date }, profile?: DatasetProfile): TimeParams {
  return {
    ...(profile?.timeZone ? { tz: bind.text(profile.timeZone) } : {}),
    ...(profile?.timestampFormat ? { fmt: bind.text(profile.timestampFormat) } : {}),
    mode: bind.text(profile?.dstResolution ?? 'reject'),
    lo: `CAST(${bind.text(window.lo.toISOString())} AS TIMESTAMPTZ)`,
    hi: `CAST(${bind.text(window.hi.toISOString())} AS TIMESTAMPTZ)`,
    loYear: window.lo.getUTCFullYear(),
    hiYear: window.hi.getUTCFullYear(),
  };
}

function timestampExpr(col: string, tp: TimeParams, profile?: DatasetProfile): string {
  const v = m(col);
  const { fmt, tz } = tp;
  const iso = tz ? `nx_ts_in(${v}, ${tz}, ${tp.mode})` : `nx_ts(${v})`;
  if (!fmt) return iso;
  if (/%[zZ]/.test(profile?.timestampFormat ?? '')) return `coalesce(CAST(try_strptime(${v}, ${fmt}) AS TIMESTAMPTZ), ${iso})`;
  if (tz) return `coalesce(nx_local(try_strptime(${v}, ${fmt}), ${tz}, ${tp.mode}), ${iso})`;
  return iso;
}

/** The wall-clock time a zone-less value names, when the profile gives a zone (else NULL). */
function localExpr(col: string, tp: TimeParams): string {
  const v = m(col);
  if (!tp.tz) return 'CAST(NULL AS TIMESTAMP)';
  const iso = `CASE WHEN NOT nx_has_zone(${v}) AND nx_iso_local(${v}) THEN TRY_CAST(${v} AS TIMESTAMP) END`;
  return tp.fmt ? `coalesce(try_strptime(${v}, ${tp.fmt}), ${iso})` : iso;
}

function timestampReason(col: string, tp: TimeParams, profile?: DatasetProfile): string {
  const v = m(col);
  const fmt = profile?.timestampFormat;
  const local = localExpr(col, tp);
  const dst = tp.tz
    ? `WHEN ${local} IS NOT NULL AND nx_local_other(${local}, timezone(${tp.tz}, ${local}), ${tp.tz}) IS NOT NULL THEN ${lit(`${col} `)} || nx_q(${v}) || ' ' || nx_dst_words(${local}, ${tp.tz}) || ' in ' || ${tp.tz} || ${lit(" (a daylight-saving change): write it with an offset, or set dstResolution ('earlier' or 'later') in the vendor profile")} `
    : '';
  if (!fmt) return `CASE ${dst}WHEN true THEN nx_ts_reason(${lit(col)}, ${v}) END`;
  const zoned = /%[zZ]/.test(fmt) || profile?.timeZone;
  if (!zoned) {
    return `CASE WHEN try_strptime(${v}, ${tp.fmt}) IS NOT NULL THEN ${lit(`${col} `)} || nx_q(${v}) || ${lit(" has no time zone: the vendor profile's timestampFormat has no %z and no timeZone is set")} ELSE nx_ts_reason(${lit(col)}, ${v}) END`;
  }
  return `CASE ${dst}WHEN true THEN ${lit(`${col} `)} || nx_q(${v}) || ${lit(" matches neither the vendor profile's timestampFormat (")} || ${tp.fmt} || ${lit(') nor ISO-8601 with a zone')} END`;
}

function typedExpr(col: ColumnSpec, tp: TimeParams, profile?: DatasetProfile): string {
  if (col.derived) {
    const d = DERIVED[col.name];
    if (!d) throw new Error(`derived column ${col.name} has no rule in sqlgen.ts`);
    return `${d(t)} AS ${t(col.name)}`;
  }
  const v = m(col.name);
  switch (col.type) {
    case 'string':
      return `${v} AS ${t(col.name)}`;
    case 'int64':
      return `nx_int(${v}) AS ${t(col.name)}`;
    case 'decimal':
      return `nx_dec(${v}) AS ${t(col.name)}`;
    case 'date':
      return `nx_date(${v}) AS ${t(col.name)}`;
    case 'timestamp':
      return `${timestampExpr(col.name, tp, profile)} AS ${t(col.name)}`;
    case 'boolean':
      return `CASE lower(${v}) WHEN 'true' THEN true WHEN 'false' THEN false END AS ${t(col.name)}`;
  }
}

/** One CASE per column: NULL when the value is fine, else the first rule it breaks, in words. */
function errorExpr(spec: DatasetSpec, col: ColumnSpec, tp: TimeParams, profile?: DatasetProfile): string {
  const c = col.name;
  const v = m(c);
  const val = `${lit(`${c} `)} || nx_q(${v})`;
  const what = SINGULAR[spec.name] ?? 'row';
  const arms: string[] = [];
  if (col.required) arms.push(`WHEN ${v} IS NULL THEN ${lit(`${c} is empty`)}`);
  else if (col.requiredWhen) {
    const rw = col.requiredWhen;
    arms.push(
      `WHEN ${v} IS NULL AND ${m(rw.column)} IN (${rw.in.map(lit).join(', ')}) THEN ${lit(`${c} is empty for a `)} || ${m(rw.column)} || ${lit(` ${what}`)}`,
    );
  }
  arms.push(`WHEN ${v} IS NULL THEN NULL`);
  const typeWords: Record<string, string> = {
    int64: ' is not a whole number',
    decimal: ' is not a number (at most 12 digits before the decimal point)',
    date: ' is not a date (YYYY-MM-DD)',
    boolean: ' is not true or false',
  };
  if (col.type === 'timestamp') {
    arms.push(`WHEN ${t(c)} IS NULL THEN ${timestampReason(c, tp, profile)}`);
    arms.push(
      `WHEN ${t(c)} NOT BETWEEN ${tp.lo} AND ${tp.hi} THEN ${val} || ${lit(` lies outside the years ${tp.loYear}–${tp.hiYear} accepted around the load (a year has four digits; TIMESTAMP_WINDOW_YEARS)`)}`,
    );
  } else if (col.type === 'int64') {
    // A number that is not whole: shares are whole (data-contract §2), never rounded.
    arms.push(
      `WHEN ${t(c)} IS NULL THEN ${val} || CASE WHEN TRY_CAST(${v} AS DOUBLE) IS NULL THEN ${lit(' is not a whole number')} WHEN contains(${v}, '.') OR TRY_CAST(${v} AS DOUBLE) <> trunc(TRY_CAST(${v} AS DOUBLE)) THEN ${lit(' is not a whole number: fractional shares are not supported')} ELSE ${lit(' is not written as a whole number (digits only, no exponent)')} END`,
    );
  } else if (col.type !== 'string') arms.push(`WHEN ${t(c)} IS NULL THEN ${val} || ${lit(typeWords[col.type] ?? ' is not valid')}`);
  if (col.pattern) {
    const words = PATTERN_WORDS[col.pattern] ?? `a value matching ${col.pattern}`;
    arms.push(`WHEN NOT regexp_full_match(${v}, ${lit(col.pattern)}) THEN ${val} || ${lit(` is not ${words}`)}`);
  }
  if (col.enum) {
    arms.push(`WHEN ${v} NOT IN (${col.enum.map(lit).join(', ')}) THEN ${val} || ${lit(` is not one of ${col.enum.join(', ')}`)}`);
  }
  if (col.positive) arms.push(`WHEN ${t(c)} <= 0 THEN ${val} || ${lit(' is not greater than 0')}`);
  if (col.emptyWhen) {
    const ew = col.emptyWhen;
    arms.push(
      `WHEN ${m(ew.column)} IN (${ew.in.map(lit).join(', ')}) THEN ${val} || ${lit(' must be empty for a ')} || ${m(ew.column)} || ${lit(` ${what}`)}`,
    );
  }
  return `CASE ${arms.join(' ')} END AS ${e(c)}`;
}

export interface StageParts {
  originals: string;
  mapped: string;
  typed: string;
  errors: string;
  error_list: string;
  error_columns: string;
  all_ok: string;
  trade_date: string;
  /** Expression: values of the row resolved by dstResolution (counted only when it is set). */
  dst_resolved: string;
}

/** The placeholders of sql/stage.sql (except input, line and record). */
export function stageParts(
  spec: DatasetSpec,
  p: Plan,
  fields: readonly InputField[],
  bind: Bindings,
  window: { lo: Date; hi: Date },
  profile?: DatasetProfile,
): StageParts {
  const read = spec.columns.filter((c) => !c.derived);
  const checked = spec.columns.filter((c) => !c.derived);
  const tp = timeParams(bind, window, profile);
  return {
    originals: fields.map((f, i) => `${f.expr} AS ${ident(`o_${i}`)}`).join(', ') || 'NULL AS o_none',
    mapped: read.map((c) => mappedExpr(c, p, fields, bind, profile)).join(', '),
    typed: spec.columns.map((c) => typedExpr(c, tp, profile)).join(', '),
    errors: checked.map((c) => errorExpr(spec, c, tp, profile)).join(', '),
    error_list: checked.map((c) => e(c.name)).join(', '),
    error_columns: checked.map((c) => `CASE WHEN ${e(c.name)} IS NOT NULL THEN ${lit(c.name)} END`).join(', '),
    all_ok: checked.map((c) => `${e(c.name)} IS NULL`).join(' AND ') || 'true',
    trade_date: spec.tradeDateFrom ? `nx_trade_date(${t(spec.tradeDateFrom)})` : 'CAST(NULL AS DATE)',
    dst_resolved: dstResolved(spec, tp, profile),
  };
}

/** How many values of a row had two readings and were resolved by the profile's dstResolution. */
function dstResolved(spec: DatasetSpec, tp: TimeParams, profile?: DatasetProfile): string {
  if (!tp.tz || !profile?.dstResolution) return '0';
  const cols = spec.columns.filter((c) => c.type === 'timestamp' && !c.derived);
  const one = (c: string) => {
    const local = localExpr(c, tp);
    return `CASE WHEN ${local} IS NOT NULL AND nx_local_other(${local}, timezone(${tp.tz}, ${local}), ${tp.tz}) IS NOT NULL THEN 1 ELSE 0 END`;
  };
  return cols.map((c) => one(c.name)).join(' + ') || '0';
}

/**
 * Key expressions for duplicate detection, on the columns of the written Parquet files (the
 * trade date from the partition path); undefined when the dataset has no key.
 */
export function keyParts(
  spec: DatasetSpec,
): { keyhash: string; key: string; rowhash: string; key_columns: string; key_label: string; hive: string } | undefined {
  if (!spec.key?.length) return undefined;
  const withDate = KEY_SCOPE_TRADE_DATE.has(spec.name);
  const col = (k: string) => `c.${ident(k)}`;
  const label = spec.key.map((k) => `${lit(`${k} `)} || nx_q(CAST(${col(k)} AS VARCHAR))`).join(` || ', ' || `);
  return {
    keyhash: `hash(${[...spec.key.map(ident), ...(withDate ? ['trade_date'] : [])].join(', ')})`,
    key: `[${[...spec.key.map((k) => `CAST(${col(k)} AS VARCHAR)`), ...(withDate ? ['CAST(c.trade_date AS VARCHAR)'] : [])].join(', ')}]`,
    rowhash: `hash(${spec.columns.map((c) => col(c.name)).join(', ')})`,
    key_columns: lit(spec.key.join(';')),
    key_label: withDate ? `${label} || ' on trade date ' || CAST(c.trade_date AS VARCHAR)` : label,
    // Only a key scoped by trade date needs the partition column back from the path.
    hive: withDate ? 'true' : 'false',
  };
}

/**
 * The SELECT list of the single read (sql/write.sql): typed columns then lineage, minus
 * partition columns. A rejected row carries its original fields (`originals`, a SQL list),
 * failing columns and reason as JSON in source_key; it goes to the scratch partition only.
 */
export function fileSelect(
  spec: DatasetSpec,
  lineage: { source: string; key: string; ingestedAt: string },
  originals: string,
  bind: Bindings,
): string {
  const source = bind.text(lineage.source);
  const key = bind.text(lineage.key);
  const at = bind.text(lineage.ingestedAt);
  return fileColumns(spec)
    .map((c) => {
      const type = duckdbType(c.type);
      switch (c.name) {
        case 'source':
          return `${source} AS source`;
        case 'source_key':
          return `CASE WHEN nx_reason IS NULL THEN ${key} ELSE CAST(to_json({'o': ${originals}, 'c': nx_column, 'r': nx_reason}) AS VARCHAR) END AS source_key`;
        case 'source_line':
          return 'CAST(nx_line AS BIGINT) AS source_line';
        case 'ingested_at':
          return `CAST(${at} AS TIMESTAMPTZ) AS ingested_at`;
        default:
          return `CAST(${t(c.name)} AS ${type}) AS ${ident(c.name)}`;
      }
    })
    .join(', ');
}
