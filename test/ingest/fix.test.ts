/**
 * FIX log parser: hand-worked messages for FIX 4.2, 4.4 and 5.0 (FIXT.1.1), the three separators,
 * prefixes, busts, every reject kind, gzip. Messages are framed by this file's own BodyLength and
 * CheckSum arithmetic (below, checked against a sum worked by hand), never by the parser's code.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { frameFixMessage } from '../../lambdas/normalise/fix/checksum';
import { classifyExecutionReport } from '../../lambdas/normalise/fix/mapping';
import { FixFileError, type FixParseResult, parseFixLog } from '../../lambdas/normalise/fix/parse';
import { useScratchDir } from '../support/scratch';
import { fix, ONE_FILL, SOH } from './fix-frame';

const ORDERS_HEADER =
  'order_id,symbol,side,order_type,limit_price,tif,qty,received_ts,directed,vendor_nbb,vendor_nbo,canceled_ts,source_line';
const EXECUTIONS_HEADER = 'exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee,source_line';

const scratch = useScratchDir('bestex-fix-test-');
let n = 0;

interface Parsed extends FixParseResult {
  orders: string[];
  executions: string[];
}

async function parseText(text: string | Buffer, gzip = false): Promise<Parsed> {
  n++;
  const file = join(scratch.path, `in-${n}.fix${gzip ? '.gz' : ''}`);
  await writeFile(file, gzip ? gzipSync(text) : text);
  const r = await parseFixLog(file, { gzip, outDir: join(scratch.path, `out-${n}`) });
  const orders = (await readFile(r.ordersCsv, 'utf8')).split('\n');
  const executions = (await readFile(r.executionsCsv, 'utf8')).split('\n');
  expect(orders[0]).toBe(ORDERS_HEADER);
  expect(executions[0]).toBe(EXECUTIONS_HEADER);
  expect(orders.at(-1)).toBe('');
  expect(executions.at(-1)).toBe('');
  return { ...r, orders: orders.slice(1, -1), executions: executions.slice(1, -1) };
}

const parseLines = (lines: string[]): Promise<Parsed> => parseText(`${lines.join('\n')}\n`);

/** The accounting identities every result must satisfy. */
function expectBalanced(r: FixParseResult): void {
  const c = r.counts;
  expect(c.lines).toBe(c.blank + c.garbled + c.bad_checksum + c.bad_body_length + c.messages);
  expect(c.messages).toBe(c.orders + c.executions + c.busted + c.busts + c.bust_unmatched + c.ignored + c.unsupported + c.unknown_msg_type);
  expect(r.rejects.length).toBe(c.garbled + c.bad_checksum + c.bad_body_length + c.bust_unmatched + c.unsupported + c.unknown_msg_type);
}

describe('framing arithmetic', () => {
  it('matches a checksum worked by hand', () => {
    // "8=FIX.4.2␁" = 56+61+70+73+88+46+52+46+50+1 = 543; "9=5␁" = 57+61+53+1 = 172;
    // "35=0␁" = 51+53+61+48+1 = 214; 543+172+214 = 929; 929 mod 256 = 161. Body "35=0␁" is 5 bytes.
    expect(fix('FIX.4.2', [[35, '0']])).toBe('8=FIX.4.2\x019=5\x0135=0\x0110=161\x01');
    expect(frameFixMessage('FIX.4.2', [[35, '0']])).toBe('8=FIX.4.2\x019=5\x0135=0\x0110=161\x01');
  });

  it('frameFixMessage reproduces the published Wikipedia FIX 4.2 ExecutionReport byte for byte', () => {
    const published =
      '8=FIX.4.2|9=178|35=8|49=PHLX|56=PERS|52=20071123-05:30:00.000|11=ATOMNOCCC9990900|20=3|150=E|39=E|55=MSFT|167=CS|54=1|38=15|40=2|44=15|58=PHLX EQUITY TESTING|59=0|47=C|32=0|31=0|151=15|14=0|6=0|10=128|';
    const fields = published
      .split('|')
      .filter((f) => f !== '')
      .map((f) => f.split('=') as [string, string])
      .filter(([t]) => !['8', '9', '10'].includes(t))
      .map(([t, v]) => [Number(t), v] as const);
    expect(frameFixMessage('FIX.4.2', fields, '|')).toBe(published);
    expect(fix('FIX.4.2', fields, { sep: '|' })).toBe(published);
  });

  it('the hand-worked heartbeat parses as an ignored message', async () => {
    const r = await parseLines(['8=FIX.4.2\x019=5\x0135=0\x0110=161\x01']);
    expect(r.counts).toMatchObject({ lines: 1, messages: 1, ignored: 1 });
    expect(r.rejects).toEqual([]);
  });
});

describe('ExecutionReports become executions', () => {
  it('FIX 4.2: 150=2 and 150=1 with 20=0 are fills; status (20=3) and 150=0/E are ignored', async () => {
    const base = [
      [49, 'SOR'],
      [56, 'FIRM'],
      [52, '20260701-13:30:01.500'],
    ] as const;
    const r = await parseLines([
      fix('FIX.4.2', [
        [35, '8'],
        ...base,
        [37, 'V1'],
        [11, 'C1'],
        [17, 'E1'],
        [20, '0'],
        [150, '2'],
        [39, '2'],
        [55, 'AAPL'],
        [54, '1'],
        [30, 'XNAS'],
        [31, '189.25'],
        [32, '300'],
        [60, '20260701-13:30:01.234'],
        [851, '2'],
      ]),
      fix('FIX.4.2', [
        [35, '8'],
        ...base,
        [37, 'V2'],
        [11, 'C2'],
        [17, 'E2'],
        [20, '0'],
        [150, '1'],
        [39, '1'],
        [30, 'ARCX'],
        [31, '10'],
        [32, '50'],
        [60, '20260701-13:30:02'],
      ]),
      fix('FIX.4.2', [[35, '8'], ...base, [11, 'C1'], [17, 'E3'], [20, '3'], [150, '2'], [39, '2'], [31, '189.25'], [32, '300']]),
      fix('FIX.4.2', [[35, '8'], ...base, [11, 'C4'], [17, 'E4'], [20, '0'], [150, '0'], [39, '0']]),
      fix('FIX.4.2', [[35, '8'], ...base, [11, 'C5'], [17, 'E5'], [20, '0'], [150, 'E'], [39, 'E']]),
    ]);
    expect(r.executions).toEqual(['E1,C1,,XNAS,2026-07-01T13:30:01.234Z,189.25,300,R,,1', 'E2,C2,,ARCX,2026-07-01T13:30:02Z,10,50,,,2']);
    expect(r.counts).toMatchObject({ lines: 5, messages: 5, executions: 2, ignored: 3, orders: 0 });
    expect(r.rejects).toEqual([]);
    expectBalanced(r);
  });

  it('FIX 4.4 with "|": 150=F, LastLiquidityInd 1/2/4, microseconds, nanoseconds cut to microseconds', async () => {
    const er = (id: string, liq: string, ts: string) =>
      fix(
        'FIX.4.4',
        [
          [35, '8'],
          [49, 'S'],
          [56, 'T'],
          [52, '20260701-13:30:00'],
          [11, `C${id}`],
          [37, `V${id}`],
          [17, `E${id}`],
          [150, 'F'],
          [39, '1'],
          [30, 'XNYS'],
          [31, '5.5'],
          [32, '100'],
          [60, ts],
          [851, liq],
        ],
        { sep: '|' },
      );
    const r = await parseLines([
      er('1', '1', '20260701-13:30:00.123456'),
      er('2', '2', '20260701-13:30:00.123456789'),
      er('3', '4', '20260701-13:30:00.1'),
      er('4', '3', '20260701-13:30:00'),
    ]);
    expect(r.executions).toEqual([
      'E1,C1,,XNYS,2026-07-01T13:30:00.123456Z,5.5,100,A,,1',
      'E2,C2,,XNYS,2026-07-01T13:30:00.123456Z,5.5,100,R,,2',
      'E3,C3,,XNYS,2026-07-01T13:30:00.1Z,5.5,100,X,,3',
      // 851=3 (routed out) has no canonical code: passed raw for validation to reject with a reason.
      'E4,C4,,XNYS,2026-07-01T13:30:00Z,5.5,100,3,,4',
    ]);
  });

  it('FIX 5.0 over FIXT.1.1 (1128 ApplVerID) with "^A" separators', async () => {
    const r = await parseLines([
      fix(
        'FIXT.1.1',
        [
          [35, '8'],
          [1128, '9'],
          [49, 'VENUE'],
          [56, 'SOR'],
          [34, '12'],
          [52, '20260701-14:00:00.000001'],
          [37, 'V9'],
          [11, 'C9'],
          [17, 'E9'],
          [150, 'F'],
          [39, '2'],
          [55, 'MSFT'],
          [54, '2'],
          [30, 'BATS'],
          [31, '420.01'],
          [32, '7'],
          [60, '20260701-14:00:00.000000'],
          [851, '1'],
        ],
        { sep: '^A' },
      ),
    ]);
    expect(r.executions).toEqual(['E9,C9,,BATS,2026-07-01T14:00:00.000000Z,420.01,7,A,,1']);
    expect(r.counts.messages).toBe(1);
  });

  it('order_id falls back to OrderID (37) when ClOrdID (11) is absent, exec_ts to SendingTime (52), counted', async () => {
    const r = await parseLines([
      fix('FIX.4.4', [
        [35, '8'],
        [52, '20260701-15:00:00.250'],
        [37, 'VENUE-7'],
        [17, 'E7'],
        [150, 'F'],
        [30, 'IEXG'],
        [31, '1'],
        [32, '1'],
      ]),
      fix('FIX.4.4', [
        [35, '8'],
        [52, '20260701-15:00:00.250'],
        [37, 'VENUE-8'],
        [11, 'C8'],
        [17, 'E8'],
        [150, 'F'],
        [30, 'IEXG'],
        [31, '1'],
        [32, '1'],
        [60, '20260701-14:59:59.999'],
      ]),
    ]);
    expect(r.executions).toEqual(['E7,VENUE-7,,IEXG,2026-07-01T15:00:00.250Z,1,1,,,1', 'E8,C8,,IEXG,2026-07-01T14:59:59.999Z,1,1,,,2']);
    expect(r.counts.sending_time_fallback).toBe(1);
  });

  it('quantities: an integral float is written as an integer, anything else raw; odd timestamps raw', async () => {
    const er = (id: string, qty: string, ts: string) =>
      fix('FIX.4.4', [
        [35, '8'],
        [11, 'C'],
        [17, id],
        [150, 'F'],
        [30, 'XNAS'],
        [31, '2.50'],
        [32, qty],
        [60, ts],
      ]);
    const r = await parseLines([
      er('A', '3500.0000000000', '20260701-13:30:00'),
      er('B', '10.5', '20260701-13:30:00'),
      er('C', '100.', '2026-07-01 13:30:00'),
      er('D', '-5', '20260701-1330:00'),
    ]);
    expect(r.executions).toEqual([
      'A,C,,XNAS,2026-07-01T13:30:00Z,2.50,3500,,,1',
      'B,C,,XNAS,2026-07-01T13:30:00Z,2.50,10.5,,,2',
      'C,C,,XNAS,2026-07-01 13:30:00,2.50,100,,,3',
      'D,C,,XNAS,20260701-1330:00,2.50,-5,,,4',
    ]);
  });

  it('quotes CSV-special characters (RFC 4180) in values', async () => {
    const r = await parseLines([
      fix('FIX.4.4', [
        [35, '8'],
        [11, 'A,"B"'],
        [17, 'E"1'],
        [150, 'F'],
        [30, 'XNAS'],
        [31, '1'],
        [32, '1'],
        [60, '20260701-13:30:00'],
      ]),
    ]);
    expect(r.executions).toEqual(['"E""1","A,""B""",,XNAS,2026-07-01T13:30:00Z,1,1,,,1']);
  });
});

describe('NewOrderSingle becomes orders', () => {
  it('maps side, order type, TIF (absent → DAY), SymbolSfx, quantity and TransactTime', async () => {
    const nos = (id: string, extra: [number, string][]) =>
      fix('FIX.4.2', [[35, 'D'], [49, 'CLIENT'], [56, 'SOR'], [52, '20260701-13:29:59.900'], [11, id], [21, '1'], ...extra]);
    const r = await parseLines([
      nos('O1', [
        [55, 'AAPL'],
        [54, '1'],
        [38, '100'],
        [40, '2'],
        [44, '189.5'],
        [59, '0'],
        [60, '20260701-13:30:00.000'],
      ]),
      nos('O2', [
        [55, 'MSFT'],
        [54, '2'],
        [38, '200.00'],
        [40, '1'],
        [60, '20260701-13:30:00.5'],
      ]),
      nos('O3', [
        [55, 'BRK'],
        [65, 'B'],
        [54, '5'],
        [38, '10'],
        [40, '2'],
        [44, '450'],
        [59, '3'],
        [60, '20260701-13:30:01'],
      ]),
      nos('O4', [
        [55, 'XOM'],
        [54, '6'],
        [38, '10'],
        [40, '2'],
        [44, '110'],
        [59, '7'],
        [60, '20260701-19:59:00'],
      ]),
      nos('O5', [
        [55, 'KO'],
        [54, '1'],
        [38, '1'],
        [40, '3'],
        [59, '6'],
        [60, '20260701-13:30:02'],
      ]),
      nos('O6', [
        [55, 'PG'],
        [54, '1'],
        [38, '1'],
        [40, '2'],
        [44, '150'],
        [59, '1'],
        [60, '20260701-13:30:03'],
      ]),
      nos('O7', [
        [55, 'V'],
        [54, '1'],
        [38, '1'],
        [40, '2'],
        [44, '250'],
        [59, '2'],
        [60, '20260701-13:30:04'],
      ]),
      nos('O8', [
        [55, 'HD'],
        [54, '2'],
        [38, '1'],
        [40, '2'],
        [44, '350'],
        [59, '4'],
      ]),
    ]);
    expect(r.orders).toEqual([
      'O1,AAPL,B,LMT,189.5,DAY,100,2026-07-01T13:30:00.000Z,,,,,1',
      'O2,MSFT,S,MKT,,DAY,200,2026-07-01T13:30:00.5Z,,,,,2',
      'O3,BRK.B,SS,LMT,450,IOC,10,2026-07-01T13:30:01Z,,,,,3',
      'O4,XOM,SX,LMT,110,CLS,10,2026-07-01T19:59:00Z,,,,,4',
      // OrdType 3 (stop) and TIF 6 (GTD) have no canonical code: raw, for validation to reject.
      'O5,KO,B,3,,6,1,2026-07-01T13:30:02Z,,,,,5',
      'O6,PG,B,LMT,150,GTC,1,2026-07-01T13:30:03Z,,,,,6',
      'O7,V,B,LMT,250,OPG,1,2026-07-01T13:30:04Z,,,,,7',
      'O8,HD,S,LMT,350,FOK,1,2026-07-01T13:29:59.900Z,,,,,8',
    ]);
    expect(r.counts).toMatchObject({ orders: 8, sending_time_fallback: 1 });
    expectBalanced(r);
  });
});

describe('separators and prefixes', () => {
  const er = (sep: string, id: string) =>
    fix(
      'FIX.4.4',
      [
        [35, '8'],
        [11, 'C'],
        [17, id],
        [150, 'F'],
        [30, 'XNAS'],
        [31, '1'],
        [32, '1'],
        [60, '20260701-13:30:00'],
      ],
      { sep },
    );

  it('reads SOH, "|" and "^A" lines, with any prefix, CRLF endings and a last line without newline', async () => {
    const r = await parseText(
      [
        er(SOH, 'E-soh'),
        `20260701-13:30:00.123 : ${er('|', 'E-pipe')}`,
        `2026-07-01 09:30:00,123 INFO [QF/J Session dispatcher: FIX.4.4:SOR->VENUE] <<< app message: ${er('^A', 'E-caret')}\r`,
        `  ${er('|', 'E-spaces')}  `,
        `\uFEFF${er(SOH, 'E-bom')}`,
      ].join('\n'),
    );
    expect(r.executions.map((row) => row.split(',')[0])).toEqual(['E-soh', 'E-pipe', 'E-caret', 'E-spaces', 'E-bom']);
    expect(r.counts).toMatchObject({ lines: 5, messages: 5, executions: 5 });
  });

  it('does not mistake "18=FIX" in a prefix or a value for the start of the message', async () => {
    const r = await parseLines([`session 18=FIXED ${er('|', 'E1')}`]);
    expect(r.counts.executions).toBe(1);
  });
});

describe('trade busts', () => {
  const fill = (id: string, extra: [number, string][] = []) =>
    fix('FIX.4.4', [
      [35, '8'],
      [11, 'C1'],
      [17, id],
      [150, 'F'],
      [30, 'XNAS'],
      [31, '10'],
      [32, '100'],
      [60, '20260701-13:30:00'],
      ...extra,
    ]);
  const bust44 = (id: string, ref: string | undefined) =>
    fix('FIX.4.4', [
      [35, '8'],
      [11, 'C1'],
      [17, id],
      ...(ref === undefined ? [] : ([[19, ref]] as [number, string][])),
      [150, 'H'],
      [60, '20260701-13:31:00'],
    ]);

  it('150=H removes the fill it names; FIX 4.2 ExecTransType 20=1 does too; an unknown ExecRefID is reported', async () => {
    const r = await parseLines([
      fill('F1'),
      fill('F2'),
      fix('FIX.4.2', [
        [35, '8'],
        [11, 'C1'],
        [17, 'F3'],
        [20, '0'],
        [150, '2'],
        [30, 'XNAS'],
        [31, '10'],
        [32, '100'],
        [60, '20260701-13:30:00'],
      ]),
      bust44('B1', 'F1'),
      fix('FIX.4.2', [
        [35, '8'],
        [11, 'C1'],
        [17, 'B2'],
        [19, 'F3'],
        [20, '1'],
        [150, '2'],
        [30, 'XNAS'],
        [31, '10'],
        [32, '100'],
      ]),
      bust44('B3', 'NOPE'),
    ]);
    expect(r.executions).toEqual(['F2,C1,,XNAS,2026-07-01T13:30:00Z,10,100,,,2']);
    expect(r.counts).toMatchObject({ executions: 1, busts: 2, busted: 2, bust_unmatched: 1 });
    expect(r.rejects).toEqual([
      { line: 6, column: 'ExecRefID(19)', reason: expect.stringContaining('"NOPE"'), original: bust44('B3', 'NOPE') },
    ]);
    expectBalanced(r);
  });

  it('a bust only reaches back: a fill after its bust is kept and the bust is unmatched', async () => {
    const r = await parseLines([bust44('B1', 'F1'), fill('F1')]);
    expect(r.executions).toEqual(['F1,C1,,XNAS,2026-07-01T13:30:00Z,10,100,,,2']);
    expect(r.counts).toMatchObject({ busts: 0, busted: 0, bust_unmatched: 1 });
    expect(r.rejects.map((x) => x.line)).toEqual([1]);
  });

  it('a resent fill (same ExecID twice) is busted in both copies; a bust without ExecRefID is rejected', async () => {
    const r = await parseLines([fill('F1'), fill('F1', [[43, 'Y']]), fill('F9'), bust44('B1', 'F1'), bust44('B2', undefined)]);
    expect(r.executions).toEqual(['F9,C1,,XNAS,2026-07-01T13:30:00Z,10,100,,,3']);
    expect(r.counts).toMatchObject({ busts: 1, busted: 2, bust_unmatched: 1, executions: 1 });
    expect(r.rejects).toEqual([
      { line: 5, column: 'ExecRefID(19)', reason: expect.stringContaining('no ExecRefID'), original: bust44('B2', undefined) },
    ]);
    expectBalanced(r);
  });

  it('rejects are returned in line order even when unmatched busts are found after the pass', async () => {
    const r = await parseLines([bust44('B1', 'X'), 'garbage', fill('F1'), bust44('B2', 'F1')]);
    expect(r.rejects.map((x) => x.line)).toEqual([1, 2]);
  });
});

describe('rejects', () => {
  const good = fix('FIX.4.4', ONE_FILL, { sep: '|' });

  it('bad checksum and bad body length are rejected with the numbers, and their content is not used', async () => {
    const altered = good.replace('31=1|', '31=7|'); // one byte changed, framing kept
    const wrongLength = fix(
      'FIX.4.4',
      [
        [35, '8'],
        [11, 'C'],
        [17, 'E2'],
        [150, 'F'],
        [30, 'XNAS'],
        [31, '1'],
        [32, '1'],
      ],
      { sep: '|', bodyLength: 3 },
    );
    const wrongBoth = fix(
      'FIX.4.4',
      [
        [35, 'D'],
        [11, 'O'],
        [55, 'A'],
      ],
      { sep: '|', bodyLength: 99, checksum: '000' },
    );
    const notDigits = fix(
      'FIX.4.4',
      [
        [35, 'D'],
        [11, 'O'],
        [55, 'A'],
      ],
      { sep: '|', checksum: '12' },
    );
    const r = await parseLines([altered, wrongLength, wrongBoth, notDigits]);
    expect(r.executions).toEqual([]);
    expect(r.orders).toEqual([]);
    expect(r.counts).toMatchObject({ lines: 4, messages: 0, bad_checksum: 2, bad_body_length: 2 });
    // Independent arithmetic: "7" is 6 more than "1", so the sum grows by 6.
    const declared = Number(/10=(\d{3})/.exec(altered)?.[1]);
    expect(r.rejects[0]).toEqual({
      line: 1,
      column: 'CheckSum(10)',
      reason: expect.stringContaining(
        `CheckSum (10) is ${String(declared).padStart(3, '0')} but the bytes sum to ${String((declared + 6) % 256).padStart(3, '0')}`,
      ),
      original: altered,
    });
    expect(r.rejects[1]).toMatchObject({
      line: 2,
      column: 'BodyLength(9)',
      reason: expect.stringMatching(/^BodyLength \(9\) is 3 but the body has \d+ bytes:/),
    });
    expect(r.rejects[2]).toMatchObject({
      line: 3,
      column: 'BodyLength(9)',
      reason: expect.stringContaining('(and CheckSum (10) does not match either)'),
    });
    expect(r.rejects[3]).toMatchObject({ line: 4, column: 'CheckSum(10)', reason: expect.stringContaining('"12" (not three digits)') });
    expectBalanced(r);
  });

  it('garbled lines: no 8=FIX, no separator, truncated, no MsgType, not tag=value, text after CheckSum, BodyLength not second', async () => {
    const lines = [
      'hello world',
      '8=FIX.4.4 9=5 35=0 10=161',
      good.slice(0, good.indexOf('|31=')),
      good.slice(0, good.length - 5),
      fix(
        'FIX.4.4',
        [
          [49, 'S'],
          [56, 'T'],
        ],
        { sep: '|' },
      ),
      good.replace('|30=XNAS|', '|30XNAS|'),
      good.replace('|30=XNAS|', '|X=XNAS|'),
      `${good}8=FIX.4.4|9=5|35=0|10=161|`,
      `${good} trailing words`,
      good.replace('8=FIX.4.4|9=', '8=FIX.4.4|34=1|9='),
      '8=FIX.4.4|10=000|',
    ];
    const r = await parseLines(lines);
    expect(r.counts).toMatchObject({ lines: lines.length, garbled: lines.length, messages: 0 });
    expect(r.rejects.map((x) => [x.line, x.column])).toEqual([
      [1, 'BeginString(8)'],
      [2, 'BeginString(8)'],
      [3, 'CheckSum(10)'],
      [4, 'CheckSum(10)'],
      [5, 'MsgType(35)'],
      [6, 'field 7'],
      [7, 'field 7'],
      [8, 'CheckSum(10)'],
      [9, 'CheckSum(10)'],
      [10, 'BodyLength(9)'],
      [11, 'BodyLength(9)'],
    ]);
    expect(r.rejects[1]?.reason).toContain('look separated by spaces');
    expect(r.rejects[2]?.reason).toContain('truncated');
    expect(r.rejects.map((x) => x.original)).toEqual(lines);
    expectBalanced(r);
  });

  it('message types: session and order-management types are ignored, AE is unsupported, U1 unknown', async () => {
    const m = (type: string, extra: [number, string][] = []) => fix('FIX.4.4', [[35, type], [49, 'S'], [56, 'T'], ...extra], { sep: '|' });
    const r = await parseLines([
      m('0'),
      m('A', [
        [98, '0'],
        [108, '30'],
      ]),
      m('5'),
      m('F', [
        [41, 'O1'],
        [11, 'O1-c'],
      ]),
      m('G', [
        [41, 'O1'],
        [11, 'O1-r'],
      ]),
      m('9'),
      m('V'),
      m('AE', [
        [17, 'T1'],
        [31, '1'],
        [32, '1'],
      ]),
      m('U1'),
      m('ZZ'),
    ]);
    expect(r.counts).toMatchObject({ messages: 10, ignored: 7, unsupported: 1, unknown_msg_type: 2 });
    expect(r.rejects.map((x) => [x.line, x.column])).toEqual([
      [8, 'MsgType(35)'],
      [9, 'MsgType(35)'],
      [10, 'MsgType(35)'],
    ]);
    expect(r.rejects[0]?.reason).toContain('TradeCaptureReport');
    expectBalanced(r);
  });

  it('ExecutionReports that cannot be applied are rejected: corrections, no ExecType, unknown ExecType', async () => {
    const er = (extra: [number, string][]) =>
      fix('FIX.4.4', [[35, '8'], [11, 'C'], [17, 'E'], [30, 'XNAS'], [31, '1'], [32, '1'], ...extra], { sep: '|' });
    const r = await parseLines([
      er([
        [150, 'G'],
        [19, 'E0'],
      ]),
      er([
        [20, '2'],
        [150, '2'],
      ]),
      er([]),
      er([[150, 'Z']]),
      er([
        [20, '9'],
        [150, '2'],
      ]),
    ]);
    expect(r.counts).toMatchObject({ messages: 5, unsupported: 5, executions: 0 });
    expect(r.rejects.map((x) => x.reason)).toEqual([
      expect.stringContaining('150=G'),
      expect.stringContaining('20=2'),
      expect.stringContaining('no ExecType (150)'),
      expect.stringContaining('"Z"'),
      expect.stringContaining('"9"'),
    ]);
  });

  it('blank and whitespace-only lines are counted, not rejected', async () => {
    const r = await parseText(`\n  \r\n\t\n${good}\n\n`);
    expect(r.counts).toMatchObject({ lines: 5, blank: 4, executions: 1 });
    expect(r.rejects).toEqual([]);
  });
});

describe('classification table (FIX 4.2 ExecTransType × ExecType)', () => {
  it.each([
    ['F', undefined, 'fill'],
    ['1', '0', 'fill'],
    ['2', undefined, 'fill'],
    ['2', '3', 'ignored'],
    ['2', '1', 'bust'],
    ['H', undefined, 'bust'],
    ['G', undefined, 'unsupported'],
    ['0', '0', 'ignored'],
    ['E', '3', 'ignored'],
    ['I', undefined, 'ignored'],
    ['J', undefined, 'unsupported'],
  ] as const)('150=%s 20=%s → %s', (execType, transType, kind) => {
    expect(classifyExecutionReport(execType, transType).kind).toBe(kind);
  });
});

describe('gzip', () => {
  it('gives the same result as the plain file', async () => {
    const text = `${[
      fix('FIX.4.4', [
        [35, 'D'],
        [11, 'O1'],
        [55, 'AAPL'],
        [54, '1'],
        [38, '5'],
        [40, '1'],
        [60, '20260701-13:30:00'],
      ]),
      'garbage',
      fix('FIX.4.4', [
        [35, '8'],
        [11, 'O1'],
        [17, 'E1'],
        [150, 'F'],
        [30, 'XNAS'],
        [31, '1'],
        [32, '5'],
        [60, '20260701-13:30:01'],
      ]),
    ].join('\n')}\n`;
    const plain = await parseText(text);
    const gz = await parseText(text, true);
    expect(gz.counts).toEqual(plain.counts);
    expect(gz.rejects).toEqual(plain.rejects);
    expect(gz.orders).toEqual(plain.orders);
    expect(gz.executions).toEqual(plain.executions);
    expect(plain.counts).toMatchObject({ orders: 1, executions: 1, garbled: 1 });
  });

  it('a file that is not gzip, or is cut, is a FixFileError that says what to do', async () => {
    const notGzip = join(scratch.path, 'plain.fix.gz');
    await writeFile(notGzip, '8=FIX.4.4|9=5|35=0|10=161|\n');
    await expect(parseFixLog(notGzip, { gzip: true, outDir: join(scratch.path, 'out-notgz') })).rejects.toThrow(FixFileError);
    await expect(parseFixLog(notGzip, { gzip: true, outDir: join(scratch.path, 'out-notgz') })).rejects.toThrow(/not a complete gzip file/);
    const cut = join(scratch.path, 'cut.fix.gz');
    const whole = gzipSync(Buffer.from(`${'8=FIX.4.4|9=5|35=0|10=161|\n'.repeat(2000)}`));
    await writeFile(cut, whole.subarray(0, whole.length >> 1));
    await expect(parseFixLog(cut, { gzip: true, outDir: join(scratch.path, 'out-cut') })).rejects.toThrow(FixFileError);
  });
});
