/**
 * A CSV on the Web (W3C CSVW) validator driven entirely by a metadata document, such as the SEC's
 * oes-metadata.json for Rule 605(a)(2) summary files: nothing here knows those columns. It checks
 * the dialect (delimiter, header rows, quoting), the header against each column's name or titles,
 * the cell count, null and required, the datatype (base lexical form, `format`, length and range
 * facets) and the table's primary key, and returns every problem with its row, column and reason.
 *
 * Where the SEC's metadata departs from the CSVW recommendation, this follows the SEC's evident
 * intent (docs/regulatory.md):
 *  - `format` is read as a regular expression for every base type (CSVW reserves regex formats for
 *    string types; the SEC writes regexes for numbers too). A whole-value match is required.
 *  - `exclusiveMinimum`/`exclusiveMaximum` (the JSON-Schema spelling the SEC uses) are honoured as
 *    CSVW's `minExclusive`/`maxExclusive`.
 *  - A column that declares its own `null` tokens accepts them even when `required` (the SEC marks
 *    every column required, yet lists "" as null for AvgEFQPct and AvgRealSprdPct15sec and leaves
 *    AvgEFQPct empty in its own valid sample). Without its own `null`, a required column rejects an
 *    empty cell, as CSVW says.
 */

export interface CsvwError {
  /** 1-based record number in the file (the header is record 1); 0 = the metadata or the file as a whole. */
  row: number;
  /** Column name, when the problem is in one column. */
  column: string | null;
  reason: string;
  /** The offending cell, as read. */
  value?: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Dialect {
  delimiter: string;
  quoteChar: string;
  doubleQuote: boolean;
  header: boolean;
  headerRowCount: number;
  skipRows: number;
  skipBlankRows: boolean;
  commentPrefix: string | null;
  trim: 'true' | 'false' | 'start' | 'end';
}

interface Datatype {
  base: string;
  format: RegExp | null;
  /** The format as the metadata writes it, for messages. */
  formatSource: string | null;
  minimum: number | null;
  maximum: number | null;
  minExclusive: number | null;
  maxExclusive: number | null;
  length: number | null;
  minLength: number | null;
  maxLength: number | null;
}

interface Column {
  name: string;
  titles: string[];
  required: boolean;
  /** Tokens read as null, and whether the column declared them itself. */
  nulls: string[];
  ownNulls: boolean;
  datatype: Datatype;
}

export interface CsvwSchema {
  dialect: Dialect;
  columns: Column[];
  primaryKey: string[];
}

export type SchemaResult = { ok: true; schema: CsvwSchema } | { ok: false; errors: CsvwError[] };

const metaError = (reason: string): CsvwError => ({ row: 0, column: null, reason: `metadata: ${reason}` });

function strings(v: Json | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (isObj(v)) return Object.values(v).flatMap((x) => strings(x)); // language map
  return [];
}

const numOrNull = (v: Json | undefined): number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null;

/** Properties CSVW lets a column inherit from its schema, table and table group. */
function inherited(key: string, ...levels: (Obj | undefined)[]): Json | undefined {
  for (const l of levels) if (l && key in l) return l[key];
  return undefined;
}

function datatypeOf(raw: Json | undefined, column: string, errors: CsvwError[]): Datatype {
  const dt: Datatype = {
    base: 'string',
    format: null,
    formatSource: null,
    minimum: null,
    maximum: null,
    minExclusive: null,
    maxExclusive: null,
    length: null,
    minLength: null,
    maxLength: null,
  };
  if (raw === undefined || raw === null) return dt;
  if (typeof raw === 'string') return { ...dt, base: raw };
  if (!isObj(raw)) {
    errors.push(metaError(`column ${column}: datatype must be a name or an object`));
    return dt;
  }
  if (typeof raw.base === 'string') dt.base = raw.base;
  const f = raw.format;
  if (typeof f === 'string') {
    try {
      dt.format = new RegExp(`^(?:${f})$`);
      dt.formatSource = f;
    } catch (e) {
      errors.push(metaError(`column ${column}: format ${JSON.stringify(f)} is not a regular expression (${(e as Error).message})`));
    }
  } else if (f !== undefined) {
    errors.push(
      metaError(`column ${column}: format objects (UAX #35 number patterns) are not supported; write the format as a regular expression`),
    );
  }
  dt.minimum = numOrNull(raw.minimum ?? raw.minInclusive);
  dt.maximum = numOrNull(raw.maximum ?? raw.maxInclusive);
  dt.minExclusive = numOrNull(raw.minExclusive ?? raw.exclusiveMinimum);
  dt.maxExclusive = numOrNull(raw.maxExclusive ?? raw.exclusiveMaximum);
  dt.length = numOrNull(raw.length);
  dt.minLength = numOrNull(raw.minLength);
  dt.maxLength = numOrNull(raw.maxLength);
  return dt;
}

/** Reads a CSVW metadata document (a table group with `tables`, or a single table). */
export function compileCsvwSchema(metadata: unknown, tableIndex = 0): SchemaResult {
  const errors: CsvwError[] = [];
  const top = metadata as Json;
  if (!isObj(top)) return { ok: false, errors: [metaError('the document is not a JSON object')] };
  const tables = Array.isArray(top.tables) ? top.tables : [top];
  const table = tables[tableIndex];
  if (!isObj(table)) return { ok: false, errors: [metaError(`there is no table ${tableIndex}`)] };
  const schema = table.tableSchema;
  if (!isObj(schema) || !Array.isArray(schema.columns)) return { ok: false, errors: [metaError('the table has no tableSchema.columns')] };

  const d = (isObj(table.dialect) ? table.dialect : isObj(top.dialect) ? top.dialect : {}) as Obj;
  const trim = d.trim;
  const dialect: Dialect = {
    delimiter: typeof d.delimiter === 'string' ? d.delimiter : ',',
    quoteChar: typeof d.quoteChar === 'string' ? d.quoteChar : '"',
    doubleQuote: d.doubleQuote !== false,
    header: d.header !== false,
    headerRowCount: typeof d.headerRowCount === 'number' ? d.headerRowCount : d.header === false ? 0 : 1,
    skipRows: typeof d.skipRows === 'number' ? d.skipRows : 0,
    skipBlankRows: d.skipBlankRows === true,
    commentPrefix: typeof d.commentPrefix === 'string' ? d.commentPrefix : '#',
    trim: trim === false ? 'false' : trim === 'start' || trim === 'end' ? trim : 'true',
  };

  const columns: Column[] = [];
  for (const [i, c] of schema.columns.entries()) {
    if (!isObj(c)) {
      errors.push(metaError(`column ${i + 1} is not an object`));
      continue;
    }
    if (c.virtual === true) continue;
    const titles = strings(c.titles);
    const name = typeof c.name === 'string' ? c.name : (titles[0] ?? `_col.${i + 1}`);
    const ownNull = 'null' in c;
    const nullRaw = inherited('null', c, schema, table, top);
    columns.push({
      name,
      titles,
      required: inherited('required', c, schema, table, top) === true,
      nulls: nullRaw === undefined ? [''] : strings(nullRaw),
      ownNulls: ownNull,
      datatype: datatypeOf(inherited('datatype', c, schema, table, top), name, errors),
    });
  }
  const primaryKey = strings(schema.primaryKey);
  for (const k of primaryKey) if (!columns.some((c) => c.name === k)) errors.push(metaError(`primaryKey names an unknown column ${k}`));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, schema: { dialect, columns, primaryKey } };
}

/** RFC 4180 records (quoted fields may hold delimiters, quotes doubled, line breaks). */
export function parseCsvRecords(text: string, delimiter = ',', quote = '"'): { records: string[][]; errors: CsvwError[] } {
  const records: string[][] = [];
  const errors: CsvwError[] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  let i = 0;
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  while (i < body.length) {
    const ch = body[i] as string;
    if (quoted) {
      if (ch === quote) {
        if (body[i + 1] === quote) {
          cell += quote;
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cell += ch;
      i++;
      continue;
    }
    if (ch === quote && cell === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      i++;
    } else if (ch === delimiter) {
      row.push(cell);
      cell = '';
      wasQuoted = false;
      i++;
    } else if (ch === '\r' || ch === '\n') {
      row.push(cell);
      records.push(row);
      row = [];
      cell = '';
      wasQuoted = false;
      i += ch === '\r' && body[i + 1] === '\n' ? 2 : 1;
    } else {
      if (wasQuoted) errors.push({ row: records.length + 1, column: null, reason: 'text after a closing quote' });
      cell += ch;
      i++;
    }
  }
  if (quoted) errors.push({ row: records.length + 1, column: null, reason: 'a quoted field is not closed before the end of the file' });
  if (cell !== '' || row.length > 0 || wasQuoted) {
    row.push(cell);
    records.push(row);
  }
  return { records, errors };
}

const INT_TYPES: Record<string, [number, number]> = {
  integer: [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
  int: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  short: [-32768, 32767],
  byte: [-128, 127],
  nonNegativeInteger: [0, Number.POSITIVE_INFINITY],
  positiveInteger: [1, Number.POSITIVE_INFINITY],
  nonPositiveInteger: [Number.NEGATIVE_INFINITY, 0],
  negativeInteger: [Number.NEGATIVE_INFINITY, -1],
  unsignedLong: [0, Number.MAX_SAFE_INTEGER],
  unsignedInt: [0, 4294967295],
  unsignedShort: [0, 65535],
  unsignedByte: [0, 255],
};
const FLOAT_TYPES = new Set(['float', 'double', 'number']);
const STRING_TYPES = new Set([
  'string',
  'normalizedString',
  'token',
  'anyAtomicType',
  'anyURI',
  'language',
  'Name',
  'NMTOKEN',
  'xml',
  'html',
  'json',
]);

const XSD_FLOAT = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN)$/;
const XSD_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const XSD_INTEGER = /^[+-]?\d+$/;
const XSD_DATE = /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d{2}:\d{2})?$/;
const XSD_DATETIME = /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const XSD_TIME = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** The value after the datatype's whitespace rule (token collapses, normalizedString replaces). */
function normalize(value: string, base: string): string {
  if (base === 'token' || base === 'language' || base === 'Name' || base === 'NMTOKEN') return value.replace(/[\t\r\n ]+/g, ' ').trim();
  if (base === 'normalizedString') return value.replace(/[\t\r\n]/g, ' ');
  return value;
}

/** Problems with one non-null cell, as plain reasons. */
function checkValue(value: string, dt: Datatype): string[] {
  const reasons: string[] = [];
  const base = dt.base;
  if (dt.format && !dt.format.test(value)) reasons.push(`does not match the format ${dt.formatSource}`);
  let n: number | null = null;
  if (FLOAT_TYPES.has(base)) {
    if (!XSD_FLOAT.test(value)) reasons.push(`is not a ${base}`);
    else n = value.endsWith('INF') ? (value.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY) : Number(value);
  } else if (base === 'decimal') {
    if (!XSD_DECIMAL.test(value)) reasons.push('is not a decimal');
    else n = Number(value);
  } else if (base in INT_TYPES) {
    const [lo, hi] = INT_TYPES[base] as [number, number];
    if (!XSD_INTEGER.test(value)) reasons.push(`is not an integer (${base})`);
    else {
      n = Number(value);
      if (n < lo || n > hi) reasons.push(`is outside the range of ${base}`);
    }
  } else if (base === 'boolean') {
    if (!/^(true|false|1|0)$/.test(value)) reasons.push('is not a boolean (true, false, 1 or 0)');
  } else if (base === 'date') {
    if (!XSD_DATE.test(value)) reasons.push('is not a date (YYYY-MM-DD)');
  } else if (base === 'dateTime' || base === 'datetime' || base === 'dateTimeStamp') {
    if (!XSD_DATETIME.test(value)) reasons.push('is not a dateTime (YYYY-MM-DDThh:mm:ss)');
  } else if (base === 'time') {
    if (!XSD_TIME.test(value)) reasons.push('is not a time (hh:mm:ss)');
  } else if (!STRING_TYPES.has(base)) {
    reasons.push(`has datatype ${base}, which this validator does not know`);
  }
  if (n !== null && !Number.isNaN(n)) {
    if (dt.minimum !== null && n < dt.minimum) reasons.push(`is less than the minimum ${dt.minimum}`);
    if (dt.maximum !== null && n > dt.maximum) reasons.push(`is greater than the maximum ${dt.maximum}`);
    if (dt.minExclusive !== null && n <= dt.minExclusive) reasons.push(`is not greater than ${dt.minExclusive}`);
    if (dt.maxExclusive !== null && n >= dt.maxExclusive) reasons.push(`is not less than ${dt.maxExclusive}`);
  } else if (n !== null && (dt.minimum !== null || dt.maximum !== null || dt.minExclusive !== null || dt.maxExclusive !== null)) {
    reasons.push('is NaN, which no range admits');
  }
  if (STRING_TYPES.has(base) || base === 'string') {
    const len = [...value].length;
    if (dt.length !== null && len !== dt.length) reasons.push(`has length ${len}, not ${dt.length}`);
    if (dt.minLength !== null && len < dt.minLength) reasons.push(`is shorter than ${dt.minLength}`);
    if (dt.maxLength !== null && len > dt.maxLength) reasons.push(`is longer than ${dt.maxLength}`);
  }
  return reasons;
}

function trimCell(v: string, t: Dialect['trim']): string {
  if (t === 'true') return v.trim();
  if (t === 'start') return v.trimStart();
  if (t === 'end') return v.trimEnd();
  return v;
}

/** Validates CSV text against a compiled schema. */
export function validateWithSchema(text: string, schema: CsvwSchema): CsvwError[] {
  const { dialect, columns, primaryKey } = schema;
  const parsed = parseCsvRecords(text, dialect.delimiter, dialect.quoteChar);
  const errors: CsvwError[] = [...parsed.errors];
  const records = parsed.records.map((cells, i) => ({ row: i + 1, cells }));
  let rest = records.slice(dialect.skipRows);
  rest = rest.filter((r) => !(dialect.commentPrefix && r.cells.length > 0 && (r.cells[0] as string).startsWith(dialect.commentPrefix)));
  const headers = rest.slice(0, dialect.headerRowCount);
  const data = rest.slice(dialect.headerRowCount).filter((r) => !(dialect.skipBlankRows && r.cells.every((c) => c.trim() === '')));

  if (dialect.headerRowCount > 0) {
    const header = headers[headers.length - 1];
    if (!header) {
      errors.push({ row: 1, column: null, reason: 'the file has no header row' });
      return errors;
    }
    if (header.cells.length !== columns.length) {
      errors.push({
        row: header.row,
        column: null,
        reason: `the header has ${header.cells.length} columns, the metadata ${columns.length}: ${columns.map((c) => c.name).join(',')}`,
      });
    }
    columns.forEach((c, k) => {
      const h = trimCell(header.cells[k] ?? '', dialect.trim);
      if (h !== c.name && !c.titles.includes(h)) {
        errors.push({ row: header.row, column: c.name, reason: `header cell ${k + 1} is "${h}", expected "${c.name}"`, value: h });
      }
    });
  }
  if (data.length === 0) errors.push({ row: 0, column: null, reason: 'the file has no data rows' });

  const seenKeys = new Map<string, number>();
  for (const { row, cells } of data) {
    if (cells.length !== columns.length) {
      errors.push({ row, column: null, reason: `the record has ${cells.length} cells, expected ${columns.length}` });
    }
    const keyParts: string[] = [];
    columns.forEach((c, k) => {
      const raw = cells[k];
      if (raw === undefined) return;
      const value = normalize(trimCell(raw, dialect.trim), c.datatype.base);
      if (primaryKey.includes(c.name)) keyParts[primaryKey.indexOf(c.name)] = value;
      if (c.nulls.includes(value)) {
        if (c.required && !c.ownNulls) errors.push({ row, column: c.name, reason: 'is empty, but the column is required', value });
        return;
      }
      for (const reason of checkValue(value, c.datatype)) errors.push({ row, column: c.name, reason: `"${value}" ${reason}`, value });
    });
    if (primaryKey.length > 0) {
      const key = JSON.stringify(keyParts);
      const first = seenKeys.get(key);
      if (first !== undefined) {
        errors.push({
          row,
          column: null,
          reason: `duplicate primary key (${primaryKey.map((k, j) => `${k}=${keyParts[j] ?? ''}`).join(', ')}), first in record ${first}`,
        });
      } else seenKeys.set(key, row);
    }
  }
  return errors;
}

/** Validates CSV text against CSVW metadata (parsed JSON): every problem, or [] when it conforms. */
export function validateCsvw(text: string, metadata: unknown, tableIndex = 0): CsvwError[] {
  const s = compileCsvwSchema(metadata, tableIndex);
  return s.ok ? validateWithSchema(text, s.schema) : s.errors;
}

/** One line per error: "record 3, OrderType: "MLIMIT" does not match the format M|ML". */
export function formatCsvwError(e: CsvwError): string {
  const where = e.row === 0 ? 'file' : `record ${e.row}`;
  return `${where}${e.column ? `, ${e.column}` : ''}: ${e.reason}`;
}
