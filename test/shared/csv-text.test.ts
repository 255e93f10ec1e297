import { describe, expect, it } from 'vitest';
import { csvField, neutralise, toCsv } from '../../lambdas/shared/csv';
import { oneLine } from '../../lambdas/shared/text';

/** A minimal RFC 4180 reader, written independently of the writer, to read back what it wrote. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('the one CSV writer', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['+cmd|/c calc', "'+cmd|/c calc"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tleading tab', "'\tleading tab"],
    ['\r=1', "'\r=1"],
  ])('neutralises the formula-like cell %j', (input, shown) => {
    expect(neutralise(input)).toBe(shown);
    expect(readCsv(toCsv(['v'], [{ v: input }]))[1]).toEqual([shown]);
  });

  it.each(['-0.0012', '+5', '-1e-3', '42', 'ACME', ''])('keeps %j as it is', (v) => {
    expect(neutralise(v)).toBe(v);
  });

  it('writes numbers raw (negative figures stay numbers), NULL and NaN as empty', () => {
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField('')).toBe('""');
  });

  it('round-trips quotes, commas and line breaks inside a cell', () => {
    const v = 'a "b", c\r\nd';
    const rows = readCsv(toCsv(['x', 'y'], [{ x: v, y: 1 }]));
    expect(rows).toEqual([
      ['x', 'y'],
      [v, '1'],
    ]);
  });
});

describe('oneLine', () => {
  it('makes line breaks, escapes and bidi overrides visible instead of acting', () => {
    expect(oneLine('E1\nSubject: fake')).toBe('E1\\nSubject: fake');
    expect(oneLine('a\rb\tc')).toBe('a\\rb\\tc');
    expect(oneLine('\u001b[2Jx')).toBe('\\u001b[2Jx');
    expect(oneLine('abc\u202edef')).toBe('abc\\u202edef');
    expect(oneLine('x\u2028y')).toBe('x\\u2028y');
  });
  it('leaves ordinary text, accents and symbols alone', () => {
    expect(oneLine('Société Générale – $0.0012/sh')).toBe('Société Générale – $0.0012/sh');
  });
});
