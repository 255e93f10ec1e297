import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CsvwError, compileCsvwSchema, formatCsvwError, parseCsvRecords, validateCsvw } from '../../lambdas/core/regulatory/csvw';
import { secSpecPath } from '../../lambdas/core/regulatory/rule605';

const secMetadata = JSON.parse(readFileSync(secSpecPath('oes-metadata.json'), 'utf8')) as unknown;
const sec = (file: string): string => readFileSync(secSpecPath(file), 'utf8');
const brief = (errors: CsvwError[]): string[] => errors.map(formatCsvwError);

describe('CSVW validator on the SEC samples', () => {
  it('oes-sample.csv conforms to oes-metadata.json (its empty AvgEFQPct cells are declared nulls)', () => {
    expect(validateCsvw(sec('oes-sample.csv'), secMetadata)).toEqual([]);
  });

  it('oes-ng.csv fails, for the reasons planted in it', () => {
    const errors = brief(validateCsvw(sec('oes-ng.csv'), secMetadata));
    // Record 2: every field of "NG,NGOOD,220509,Z,529,MKT,-42,0x36,$42.42 ,-42,NAN,NaN,nan,42,INF,42,42,-42.42" that is wrong.
    const expected = [
      'record 2, RptDate: "220509" does not match the format ^20[2-9]\\d(0[1-9]|1[012])$',
      'record 2, RptDate: "220509" is not less than 209913',
      'record 2, Sp500: "Z" does not match the format Y|N',
      'record 2, OrderSize: "529" does not match the format ^(0|250|1000|5000|10000|20000|50000|199999|200000)$',
      'record 2, OrderType: "MKT" does not match the format M|ML',
      'record 2, AvgOrderQty: "-42" is less than the minimum 0',
      'record 2, AvgOrderSize: "0x36" is not a float',
      'record 2, ExctdOrderMidPtAvg: "$42.42" is not a float',
      'record 2, PctExctdAtQuotOrBetter: "-42" is less than the minimum 0',
      'record 2, PctExctdPI: "NAN" is not a float',
      'record 2, WghtdAvgPctPI: "NaN" does not match the format ^[+-]?(\\d+(\\.\\d{0,6})?([eE][+-]?\\d+)?)?$',
      'record 2, AvgEffctvSprdPct: "nan" is not a float',
      'record 2, AvgEFQPct: "INF" does not match the format ^[+-]?(\\d+(\\.\\d{0,6})?([eE][+-]?\\d+)?)?$',
      'record 2, WghtdAvgExctnTime: "-42.42" is less than the minimum 0',
      // Record 3: an order type the rule does not know, and empty required figures.
      'record 3, OrderType: "MLIMIT" does not match the format M|ML',
      'record 3, AvgOrderQty: is empty, but the column is required',
      'record 3, WghtdAvgExctnTime: is empty, but the column is required',
      // A negative quoted spread, a repeated category, a missing execution time.
      'record 6, AvgPctQuotSprd: "-0.002293" is less than the minimum 0',
      'record 32: duplicate primary key (DsgntParticipant=S, RprtEntityCd=SAMPLE, RptDate=202501, Sp500=N, OrderSize=250, OrderType=ML), first in record 31',
      'record 33, WghtdAvgExctnTime: is empty, but the column is required',
      'record 40, AvgPctQuotSprd: "-0.001298" is less than the minimum 0',
    ];
    for (const e of expected) expect(errors).toContain(e);
    // Fields that are fine stay quiet: NG and NGOOD are valid codes, 42 is a valid AvgPctQuotSprd,
    // and the declared nulls of AvgEFQPct/AvgRealSprdPct15sec are accepted when empty (record 3).
    expect(errors.filter((e) => /, (DsgntParticipant|RprtEntityCd):/.test(e))).toEqual([]);
    expect(errors.filter((e) => e.startsWith('record 2, AvgPctQuotSprd') || e.startsWith('record 2, AvgRealSprd'))).toEqual([]);
    expect(errors.filter((e) => e.startsWith('record 3, AvgEFQPct') || e.startsWith('record 3, AvgRealSprdPct15sec'))).toEqual([]);
    // Records with nothing wrong produce nothing.
    expect(errors.filter((e) => /^record (4|5|7|30|31|34),/.test(e))).toEqual([]);
  });
});

describe('CSVW validator is driven by the metadata, not by the SEC columns', () => {
  const meta = {
    '@context': 'http://www.w3.org/ns/csvw',
    dialect: { delimiter: ';', headerRowCount: 1 },
    tables: [
      {
        tableSchema: {
          primaryKey: 'id',
          columns: [
            { name: 'id', titles: ['Identifier'], required: true, datatype: { base: 'integer', minimum: 1 } },
            { name: 'code', required: true, datatype: { base: 'string', format: '[A-Z]{2}\\d', maxLength: 3 } },
            { name: 'day', datatype: 'date' },
            { name: 'ratio', null: ['', 'n/a'], required: true, datatype: { base: 'decimal', minExclusive: 0, maxInclusive: 1 } },
            { name: 'note' },
          ],
        },
      },
    ],
  };

  it('accepts a conforming file, with the header by name or title and quoted cells', () => {
    const csv = 'Identifier;code;day;ratio;note\r\n1;AB1;2026-07-01;0.5;"semi; colon"\r\n2;CD2;;n/a;"say ""hi"""\r\n';
    expect(validateCsvw(csv, meta)).toEqual([]);
    expect(parseCsvRecords(csv, ';').records[2]).toEqual(['2', 'CD2', '', 'n/a', 'say "hi"']);
  });

  it('reports each kind of problem with its record, column and reason', () => {
    const csv = 'id;code;when;ratio;note\n0;ab1;2026-13-01;0;x\n3;ABCD;;1.5\n3;AB1;;;x\n';
    expect(brief(validateCsvw(csv, meta))).toEqual([
      'record 1, day: header cell 3 is "when", expected "day"',
      'record 2, id: "0" is less than the minimum 1',
      'record 2, code: "ab1" does not match the format [A-Z]{2}\\d',
      'record 2, day: "2026-13-01" is not a date (YYYY-MM-DD)',
      'record 2, ratio: "0" is not greater than 0',
      'record 3: the record has 4 cells, expected 5',
      'record 3, code: "ABCD" does not match the format [A-Z]{2}\\d',
      'record 3, code: "ABCD" is longer than 3',
      'record 3, ratio: "1.5" is greater than the maximum 1',
      'record 4: duplicate primary key (id=3), first in record 3',
    ]);
  });

  it('reports unusable metadata instead of guessing', () => {
    expect(compileCsvwSchema({ tables: [{}] }).ok).toBe(false);
    const r = compileCsvwSchema({
      tableSchema: { columns: [{ name: 'x', datatype: { base: 'decimal', format: { pattern: '#,##0.00' } } }] },
    });
    expect(r.ok ? [] : brief(r.errors)).toEqual([
      'file: metadata: column x: format objects (UAX #35 number patterns) are not supported; write the format as a regular expression',
    ]);
  });
});
