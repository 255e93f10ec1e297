/**
 * The parser on FIX messages other people published (test/fixtures/fix/README.md says where each
 * line comes from). Each published BodyLength and CheckSum is first checked by this file's own
 * arithmetic, so "the parser says bad checksum" is compared with an independent verdict; the
 * rows expected are read off the messages by hand.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixParseResult, parseFixLog } from '../../lambdas/normalise/fix/parse';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'fix');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bestex-fix-public-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Independent framing check of one published line: [declared, actual] BodyLength and CheckSum. */
function framing(line: string): { bodyLength: [number, number]; checksum: [number, number] } {
  const at = line.indexOf('8=FIX');
  let msg = line.slice(at).trimEnd();
  const sep = msg.includes('\x01') ? '\x01' : msg.includes('^A') ? '^A' : '|';
  msg = msg.split(sep).join('\x01');
  const trailer = msg.lastIndexOf('\x0110=') + 1;
  const afterLength = msg.indexOf('\x01', msg.indexOf('\x019=') + 1) + 1;
  const bytes = Buffer.from(msg.slice(0, trailer));
  const sum = bytes.reduce((a, b) => a + b, 0) % 256;
  const fields = msg.split('\x01');
  return {
    bodyLength: [Number(fields[1]?.slice('9='.length)), Buffer.byteLength(msg.slice(afterLength, trailer))],
    checksum: [Number(msg.slice(trailer + '10='.length).replace(/\W+$/, '')), sum],
  };
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(join(FIXTURES, file), 'utf8')).split('\n').slice(0, -1);
}

async function parse(file: string): Promise<FixParseResult & { orders: string[]; executions: string[] }> {
  const r = await parseFixLog(join(FIXTURES, file), { gzip: false, outDir: join(dir, file) });
  const rows = async (p: string) => (await readFile(p, 'utf8')).split('\n').slice(1, -1);
  return { ...r, orders: await rows(r.ordersCsv), executions: await rows(r.executionsCsv) };
}

describe('Wikipedia "Financial Information eXchange" FIX 4.2 examples', () => {
  it('the 150=E ExecutionReport and the Logon are intact and ignored; the 9=176 reprint is a bad body length; " | " is garbled', async () => {
    const published = await lines('wikipedia-fix42.fix');
    expect(framing(published[0] as string)).toEqual({ bodyLength: [178, 178], checksum: [128, 128] });
    expect(framing(published[2] as string)).toEqual({ bodyLength: [65, 65], checksum: [62, 62] });
    expect(framing(published[3] as string).bodyLength).toEqual([176, 178]);

    const r = await parse('wikipedia-fix42.fix');
    expect(r.counts).toMatchObject({ lines: 5, messages: 3, ignored: 3, bad_body_length: 1, garbled: 1, executions: 0, orders: 0 });
    expect(r.rejects.map((x) => [x.line, x.column])).toEqual([
      [4, 'BodyLength(9)'],
      [5, 'field 2'],
    ]);
    expect(r.rejects[0]?.reason).toContain('BodyLength (9) is 176 but the body has 178 bytes');
    expect(r.rejects[1]?.reason).toContain('" | " with spaces');
    expect(r.rejects[1]?.original).toBe(published[4]);
  });
});

describe('FIX 4.2 fills (150=2, 20=0)', () => {
  it('the BATS fill becomes an execution; the Go test fills have wrong CheckSums and are rejected; 150=D is ignored', async () => {
    const published = await lines('fix42-fills.fix');
    expect(framing(published[0] as string)).toEqual({ bodyLength: [338, 338], checksum: [136, 136] });
    // The published CheckSums are wrong (21 too low), the BodyLengths right: the parser must say bad checksum.
    expect(framing(published[1] as string)).toEqual({ bodyLength: [332, 332], checksum: [105, 126] });
    expect(framing(published[2] as string)).toEqual({ bodyLength: [393, 393], checksum: [178, 199] });
    // Published with a leading zero in BodyLength.
    expect(framing(published[3] as string)).toEqual({ bodyLength: [186, 186], checksum: [169, 169] });
    // Our edit: line 2 with the CheckSum recomputed.
    expect(framing(published[4] as string).checksum[0]).toBe(126);

    const r = await parse('fix42-fills.fix');
    expect(r.counts).toMatchObject({ lines: 5, messages: 3, executions: 2, bad_checksum: 2, ignored: 1 });
    expect(r.rejects.map((x) => [x.line, x.column, x.reason.slice(0, 55)])).toEqual([
      [2, 'CheckSum(10)', 'CheckSum (10) is 105 but the bytes sum to 126 (mod 256)'],
      [3, 'CheckSum(10)', 'CheckSum (10) is 178 but the bytes sum to 199 (mod 256)'],
    ]);
    expect(r.executions).toEqual([
      // 17=0700025YF 11=EE5D9B253DF347A, no 30 LastMkt, 60=20211203-15:00:36.798, 31=0.67, 32=1; 9730=R is a BATS tag, not 851.
      '0700025YF,EE5D9B253DF347A,,,2021-12-03T15:00:36.798Z,0.67,1,,,1',
      // 17=EAVVA18KA1117184 11=7314956 30=XLON 60=20181106-08:00:21 31=1.2557 32=12.
      'EAVVA18KA1117184,7314956,,XLON,2018-11-06T08:00:21Z,1.2557,12,,,5',
    ]);
  });
});

describe('NYSE CCG FIX 4.2 samples', () => {
  it('every published BodyLength is one byte short: all five are rejected, none is loaded', async () => {
    const published = await lines('nyse-ccg-fix42.fix');
    for (const line of published) {
      const f = framing(line);
      expect(f.bodyLength[1] - f.bodyLength[0]).toBe(1);
    }
    const r = await parse('nyse-ccg-fix42.fix');
    expect(r.counts).toMatchObject({ lines: 5, messages: 0, bad_body_length: 5 });
    expect(r.orders).toEqual([]);
  });
});

describe('FIX 4.4 TESTBUY1/TESTSELL1 order and fill', () => {
  it('becomes one order and one execution (the fill line ends with a space, as published)', async () => {
    for (const line of await lines('fix44-testbuy.fix')) {
      const f = framing(line);
      expect(f.bodyLength[0]).toBe(f.bodyLength[1]);
      expect(f.checksum[0]).toBe(f.checksum[1]);
    }
    const r = await parse('fix44-testbuy.fix');
    expect(r.counts).toMatchObject({ lines: 2, messages: 2, orders: 1, executions: 1 });
    // 11=636730640278898634 55=MSFT 54=1 40=1 (market) 38=7000, no 59, 60=20180920-18:14:19.492.
    expect(r.orders).toEqual(['636730640278898634,MSFT,B,MKT,,DAY,7000,2018-09-20T18:14:19.492Z,,,,,1']);
    // 17=20636730646335310000 150=F 31=113.35 32=3500 60=20180920-18:23:53.531, no 30.
    expect(r.executions).toEqual(['20636730646335310000,636730640278898634,,,2018-09-20T18:23:53.531Z,113.35,3500,,,2']);
  });
});

describe('FXCM FIX 4.4 log lines', () => {
  it('reads QuickFIX/J DEBUG prefixes; space-separated prints are garbled; re-delimited they verify and load', async () => {
    const published = await lines('fxcm-fix44.log');
    for (const i of [0, 1, 4, 5]) {
      const f = framing(published[i] as string);
      expect([i, f.bodyLength[0], f.checksum[0]]).toEqual([i, f.bodyLength[1], f.checksum[1]]);
    }
    expect(framing(published[6] as string).bodyLength).toEqual([114, 110]);

    const r = await parse('fxcm-fix44.log');
    expect(r.counts).toMatchObject({ lines: 7, messages: 4, orders: 3, executions: 1, garbled: 2, bad_body_length: 1 });
    expect(r.rejects.map((x) => [x.line, x.column])).toEqual([
      [3, 'BeginString(8)'],
      [4, 'BeginString(8)'],
      [7, 'BodyLength(9)'],
    ]);
    expect(r.orders).toEqual([
      'F029d160118t211554L0015,AUD/USD,B,LMT,0.68657,GTC,21000,2016-01-19T02:15:54Z,,,,,1',
      'F085d160118t231554L0044,USD/CAD,B,LMT,1.45063,IOC,7000,2016-01-19T04:15:54Z,,,,,2',
      '635959630109097564,SPX500,B,MKT,,GTC,10,2016-04-11T06:16:50Z,,,,,5',
    ]);
    expect(r.executions).toEqual(['821172034,635959630109097564,,,2016-04-11T06:16:51Z,2047.53,10,,,6']);
  });
});

describe('Exberry FIXT.1.1 / FIX 5.0 documentation examples', () => {
  it('five carry a BodyLength 1–2 bytes too long and are rejected; the 150=I status report is ignored', async () => {
    const published = await lines('exberry-fixt11.fix');
    const diffs = published.map((l) => framing(l)).map((f) => f.bodyLength[0] - f.bodyLength[1]);
    expect(diffs).toEqual([2, 2, 2, 1, 2, 0]);
    const r = await parse('exberry-fixt11.fix');
    expect(r.counts).toMatchObject({ lines: 6, messages: 1, ignored: 1, bad_body_length: 5 });
    expect(r.rejects.map((x) => x.line)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('the output CSVs read in DuckDB as the normalise validation reads them', () => {
  it('orders and executions load with the canonical headers and exact values', async () => {
    const r = await parse('fxcm-fix44.log');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(`SET TimeZone = 'UTC'`);
    const read = async (p: string) =>
      (await db.runAndReadAll(`SELECT * FROM read_csv('${p}', header = true, all_varchar = true)`)).getRowObjectsJS() as Record<
        string,
        unknown
      >[];
    const orders = await read(r.ordersCsv);
    expect(orders[2]).toEqual({
      order_id: '635959630109097564',
      symbol: 'SPX500',
      side: 'B',
      order_type: 'MKT',
      limit_price: null,
      tif: 'GTC',
      qty: '10',
      received_ts: '2016-04-11T06:16:50Z',
      directed: null,
      vendor_nbb: null,
      vendor_nbo: null,
      canceled_ts: null,
      source_line: '5',
    });
    const ts = await db.runAndReadAll(
      `SELECT CAST(exec_ts AS TIMESTAMPTZ)::VARCHAR AS t FROM read_csv('${r.executionsCsv}', header = true, all_varchar = true)`,
    );
    expect(ts.getRowObjectsJS()).toEqual([{ t: '2016-04-11 06:16:51+00' }]);
  });
});
