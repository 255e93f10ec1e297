/**
 * Writes the bad-input corpus under test/fixtures/corpus/ (committed; rerun only to change it):
 * `npx tsx test/ingest/make-corpus.ts`. Text files are written literally so each fault is visible
 * in the file itself; the binary ones (gzip, Parquet) are derived from text ones here.
 * Expected outcomes are written by hand in test/fixtures/corpus/expected.json, never generated.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { frameFixMessage } from '../../lambdas/normalise/fix/checksum';

const ROOT = new URL('../fixtures/corpus/', import.meta.url).pathname;
const files = join(ROOT, 'files');

function put(rel: string, body: string | Buffer): void {
  const p = join(files, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, body);
}

const EXEC_HEADER = 'exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee';
const VENUES = ['XNAS', 'XNYS', 'ARCX', 'BATS', 'EDGX'];

/** n valid execution rows, ids from `start`, on 2026-07-01 (New York) unless `ts` is given. */
function execRows(n: number, start = 1, ts?: (i: number) => string): string[] {
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    const t = ts ? ts(i) : `2026-07-01T13:${String(30 + (i % 30)).padStart(2, '0')}:00.${String(i).padStart(6, '0')}Z`;
    return `E${i},O${i},R${i},${VENUES[i % 5]},${t},${(100 + i / 100).toFixed(2)},${100 * (1 + (i % 5))},${'AR'[i % 2]},${(0.0003 * i).toFixed(4)}`;
  });
}

rmSync(files, { recursive: true, force: true });

// ---- executions: formats and framing -------------------------------------------------------
const good = [EXEC_HEADER, ...execRows(10)].join('\n');
put('acme-sor/executions/good.csv', `${good}\n`);
put('acme-sor/executions/bom-crlf.csv', `\ufeff${good.split('\n').join('\r\n')}\r\n`);
put('acme-sor/executions/no-final-newline.csv', good);
put(
  'acme-sor/executions/quoted-fields.csv',
  `${EXEC_HEADER}\n${execRows(4).join('\n')}\nE5,O5,"R5,child ""A""",XNAS,2026-07-01T13:35:00Z,100.05,100,A,0\n"E6","O6","",XNYS,"2026-07-01T13:36:00Z","100.06","200","R",""\n`,
);
put('acme-sor/executions/trailing-blank-lines.csv', `${good}\n\n\n\n`);
put('acme-sor/executions/header-only.csv', `${EXEC_HEADER}\n`);
put('acme-sor/executions/empty.csv', '');
put('acme-sor/executions/blank-first-line.csv', `\n${good}\n`);
put('acme-sor/executions/semicolons.csv', `${good.replaceAll(',', ';')}\n`);
put('acme-sor/executions/tabs.csv', `${good.replaceAll(',', '\t')}\n`);
put(
  'acme-sor/executions/missing-price.csv',
  `${[
    EXEC_HEADER.replace(',price', ''),
    ...execRows(3).map((r) =>
      r
        .split(',')
        .filter((_, i) => i !== 5)
        .join(','),
    ),
  ].join('\n')}\n`,
);
put('acme-sor/executions/uppercase-header.csv', `${[EXEC_HEADER.toUpperCase(), ...execRows(3)].join('\n')}\n`);
put('acme-sor/executions/extra-column.csv', `${[`${EXEC_HEADER},desk`, ...execRows(3).map((r) => `${r},D1`)].join('\n')}\n`);
put('acme-sor/executions/good.csv.gz', gzipSync(`${good}\n`));
put('acme-sor/executions/not-gzip.csv.gz', `${good}\n`);
put('acme-sor/executions/truncated.csv.gz', gzipSync(`${good}\n`).subarray(0, 120));
put(
  'acme-sor/executions/latin1.csv',
  Buffer.from(`${EXEC_HEADER}\n${execRows(2).join('\n')}\nE3,O3,Société,XNAS,2026-07-01T13:30:00Z,100,100,A,0\n`, 'latin1'),
);
put('acme-sor/executions/notes.xlsx', 'PK\u0003\u0004 not really a workbook');
put('acme-sor/trades/good.csv', `${good}\n`);
put('Acme_SOR/executions/good.csv', `${good}\n`);
put('acme-sor/good.csv', `${good}\n`);

// ---- executions: row faults ----------------------------------------------------------------
put(
  'acme-sor/executions/row-faults.csv',
  `${[
    EXEC_HEADER,
    ...execRows(20),
    'E21,O21,R21,XNAS,2026-07-01T13:30:00Z,100.10,-100,A,0', // negative qty
    'E22,O22,R22,xnas,2026-07-01T13:30:00Z,100.10,100,A,0', // MIC in lower case
    'E23,O23,R23,NASDAQ,2026-07-01T13:30:00Z,100.10,100,A,0', // not a MIC
    'E24,O24,R24,XNAS,2026-07-01T13:30:00Z,abc,100,A,0', // price not a number
    'E25,O25,R25,XNAS,2026-07-01T13:30:00Z,100.10,1.5,A,0', // fractional qty
    'E26,,R26,XNAS,2026-07-01T13:30:00Z,100.10,100,A,0', // order_id empty
    'E27,O27,R27,XNAS,2026-07-01 09:30:00,100.10,100,A,0', // no time zone
    'E28,O28,R28,XNAS,yesterday,100.10,100,A,0', // not a timestamp
    'E29,O29,R29,XNAS,2026-07-01T13:30:00Z,0,100,Q,0', // zero price, unknown liquidity
    'E30,O30,R30,XNAS,2026-07-01T13:30:00Z,100.10,100,A,0,extra', // too many fields
    'E31,O31,R31,XNAS', // too few fields
    ...execRows(29, 32),
  ].join('\n')}\n`,
);
put(
  'acme-sor/executions/no-zone.csv',
  `${[EXEC_HEADER, ...execRows(10, 1, (i) => `2026-07-01 09:${String(30 + i).padStart(2, '0')}:00`)].join('\n')}\n`,
);
put(
  'acme-sor/executions/duplicates.csv',
  `${[
    EXEC_HEADER,
    ...execRows(10),
    execRows(1, 3)[0], // identical repeat of E3 (line 4): duplicate
    execRows(1, 5)[0]?.replace('100.05', '100.06'), // E5 again with another price: conflict
    ' E7 ,O7,R7,ARCX,2026-07-01T13:37:00.000007Z,100.070,300,R,0.0021', // same as E7 once trimmed and parsed
  ].join('\n')}\n`,
);
put(
  'acme-sor/executions/decimals-and-offsets.csv',
  `${[
    EXEC_HEADER,
    'E1,O1,,XNAS,2026-07-01T09:30:00-04:00,100.1234565,100,A,-0.0000004',
    'E2,O2,,XNAS,2026-07-01T20:30:00-04:00,0.1,100,R,',
    'E3,O3,,XNAS,2026-07-02T03:59:59.999999+00:00,1e2,100,X,0.5',
    'E4,O4,,XNAS,2026-12-01T04:59:59Z,99.999999,100,,0',
  ].join('\n')}\n`,
);

// ---- orders (acme-sor maps order_type 1/2) ---------------------------------------------------
const ORD = 'order_id,symbol,side,order_type,limit_price,tif,qty,received_ts,directed';
put(
  'acme-sor/orders/codes-and-rules.csv',
  `${[
    ORD,
    'O1,AAPL,B,1,,DAY,100,2026-07-01T13:30:00Z,',
    'O2,AAPL,S,2,190.5,IOC,100,2026-07-01T13:30:01Z,Y',
    'O3,BRK.B,SS,MKT,,DAY,10,2026-07-01T13:30:02Z,N',
    'O4,MSFT,B,LMT,,DAY,100,2026-07-01T13:30:03Z,', // LMT without limit
    'O5,MSFT,B,MKT,10.5,DAY,100,2026-07-01T13:30:04Z,', // MKT with limit
    'O6,msft,BUY,3,1,XYZ,0,2026-07-01T13:30:05Z,maybe', // many faults
    'O1,AAPL,B,1,,DAY,100,2026-07-02T13:30:00Z,', // same id, next trade date: fine
    ...Array.from({ length: 23 }, (_, k) => `O${k + 10},AAPL,B,1,,DAY,100,2026-07-01T14:00:00Z,`),
  ].join('\n')}\n`,
);
put(
  'acme-sor/orders/good.jsonl',
  `${[
    '{"order_id":"J1","symbol":"AAPL","side":"B","order_type":"MKT","tif":"DAY","qty":100,"received_ts":"2026-07-01T13:30:00Z"}',
    '{"order_id":"J2","symbol":"AAPL","side":"S","order_type":"LMT","limit_price":190.25,"tif":"DAY","qty":"200","received_ts":"2026-07-01T13:30:01Z","directed":"Y"}',
    '',
    '{"order_id":"J3","symbol":"AAPL","side":"S","order_type":2,"limit_price":"190.30","tif":"DAY","qty":5,"received_ts":"2026-07-01T13:30:02Z","note":"x"}',
  ].join('\n')}\n`,
);
put(
  'acme-sor/orders/bad-lines.jsonl',
  `${[
    ...Array.from(
      { length: 8 },
      (_, k) =>
        `{"order_id":"K${k}","symbol":"AAPL","side":"B","order_type":"MKT","tif":"DAY","qty":100,"received_ts":"2026-07-01T13:30:00Z"}`,
    ),
    '{"order_id":"K8","symbol":"AAPL", oops',
    '[1,2,3]',
  ].join('\n')}\n`,
);
put('acme-sor/orders/good.jsonl.gz', gzipSync(readFileSync(join(files, 'acme-sor/orders/good.jsonl'))));

// ---- bolt-sor: its own column names and words ------------------------------------------------
put(
  'bolt-sor/orders/vendor-names.csv',
  `${[
    'ClientOrderId,Ticker,Side,Type,LimitPx,TimeInForce,Quantity,ReceivedAt',
    'B1,AAPL,BUY,MARKET,,DAY,100,2026-07-01T13:30:00Z',
    'B2,AAPL,SELL,LIMIT,190.1,DAY,100,2026-07-01T13:30:00Z',
    'B3,AAPL,SHORT,LIMIT,190.1,DAY,100,2026-07-01T13:30:00Z',
    'B4,AAPL,HOLD,LIMIT,190.1,DAY,100,2026-07-01T13:30:00Z',
    ...Array.from({ length: 6 }, (_, k) => `B${k + 5},AAPL,BUY,MARKET,,DAY,100,2026-07-01T13:30:00Z`),
  ].join('\n')}\n`,
);
put('bolt-sor/orders/canonical-names.csv', `${ORD}\nO1,AAPL,B,MKT,,DAY,100,2026-07-01T13:30:00Z,\n`);

// ---- cobalt-sor (corpus profile): ';', US dates in New York time ------------------------------
put(
  'cobalt-sor/executions/local-times.csv',
  `${[
    'ExecID;ParentID;Mkt;When;Px;Shares',
    'C1;P1;XNAS;07/01/2026 09:30:00;100.5;100',
    'C2;P1;XNYS;12/01/2026 09:30:00;100.5;100',
    'C3;P2;XNAS;2026-07-01T13:30:00Z;100.5;100',
    'C4;P2;XNAS;2026-07-01 20:15:00;100.5;100',
    'C5;P3;XNAS;31/12/2026 09:30:00;100.5;100',
  ].join('\n')}\n`,
);

// ---- quotes (sip) ------------------------------------------------------------------------------
put(
  'sip/quotes/nbbo.csv',
  `${[
    'symbol,ts,bid,ask,bid_size,ask_size',
    'AAPL,2026-07-01T13:30:00.000001Z,190.00,190.02,100,200',
    'AAPL,2026-07-01T13:30:00.5Z,190.03,190.01,100,200',
    'AAPL,2026-07-01T13:30:01Z,190.01,190.01,100,',
    'MSFT,2026-07-01T13:30:01Z,410.1,410.2,,',
    'MSFT,2026-07-01T13:30:02Z,-1,410.2,,',
    ...Array.from({ length: 5 }, (_, k) => `MSFT,2026-07-01T13:31:0${k}Z,410.1,410.2,100,100`),
  ].join('\n')}\n`,
);

// ---- routes, venues, vendor-metrics, reference ------------------------------------------------
put(
  'acme-sor/routes/routes.csv',
  `${[
    'route_id,order_id,venue,sent_ts,qty,limit_price,route_type',
    'R1,O1,XNAS,2026-07-01T13:30:00.1Z,100,,IOC',
    'R2,O2,XNYS,2026-07-01T13:30:01.1Z,100,190.5,DAY',
    'R3,O999,XNAS,2026-07-01T13:30:01.1Z,0,,IOC',
    ...Array.from({ length: 7 }, (_, k) => `R${k + 4},O${k + 10},ARCX,2026-07-01T14:00:00Z,100,,POST`),
  ].join('\n')}\n`,
);
put(
  'acme-sor/venues/venues.csv',
  `${[
    'venue,name,venue_type,approved,pfof_per_share,fee_per_share,rebate_per_share,effective_from',
    'XNAS,Nasdaq,EXCHANGE,Y,,0.003,0.002,2026-01-01',
    'XNYS,NYSE,EXCHANGE,Y,0,0.003,,2026-01-01',
    'CDRG,Citadel,WHOLESALER,N,0.0015,,,2026-01-01',
    'XNAS,Nasdaq,EXCHANGE,Y,,0.0029,0.002,2026-07-01',
    'EDGX,Cboe EDGX,ECN,Y,,,,2026-01-01',
    ...['ARCX', 'BATS', 'IEXG', 'MEMX', 'XBOS'].map((v) => `${v},${v},EXCHANGE,Y,,,,2026-01-01`),
  ].join('\n')}\n`,
);
put(
  'acme-sor/vendor-metrics/2026Q3.csv',
  `${[
    'period,symbol,order_type,metric,value',
    '2026Q3,*,market,price_improvement_per_share,0.0012',
    '2026Q3,AAPL,market,price_improvement_per_share,0.0015',
    '2026-07,*,marketable_limit,avg_effective_spread,0.011',
    '2026Q5,*,market,price_improvement_per_share,0.0012',
    ...Array.from({ length: 6 }, (_, k) => `2026-0${k + 1},*,market,avg_effective_spread,0.01${k}`),
  ].join('\n')}\n`,
);
put(
  'firm/reference/sp500.csv',
  `${['list,symbol,effective_from', 'SP500,AAPL,2026-01-01', 'SP500,MSFT,2026-01-01', 'SP500,BRK.B,2026-01-01', 'sp 500,XYZ,2026-01-01', 'SP500,NVDA,2026-13-01', ...['AMZN', 'GOOGL', 'META', 'TSLA', 'JPM'].map((s) => `SP500,${s},2026-01-01`)].join('\n')}\n`,
);

// ---- FIX ---------------------------------------------------------------------------------------
// The fields every NewOrderSingle here shares around its own (order type, price, size, extra tags).
const nosFrame = (id: string, middle: [number, string][]) =>
  frameFixMessage(
    'FIX.4.4',
    [
      [35, 'D'],
      [49, 'CLIENT'],
      [56, 'SOR'],
      [34, '2'],
      [52, '20260701-13:30:00.000'],
      [11, id],
      [55, 'AAPL'],
      [54, '1'],
      ...middle,
      [59, '0'],
      [60, '20260701-13:30:00.000'],
    ],
    '|',
  );
const nos = (id: string, px: string) =>
  nosFrame(id, [
    [40, '2'],
    [44, px],
    [38, '100'],
  ]);
const fill = (exec: string, ord: string, ts: string) =>
  frameFixMessage(
    'FIX.4.4',
    [
      [35, '8'],
      [49, 'SOR'],
      [56, 'CLIENT'],
      [34, '3'],
      [52, ts],
      [11, ord],
      [37, `X${ord}`],
      [17, exec],
      [150, 'F'],
      [39, '2'],
      [55, 'AAPL'],
      [54, '1'],
      [31, '190.01'],
      [32, '100'],
      [30, 'XNAS'],
      [851, '2'],
      [60, ts],
    ],
    '|',
  );
const fixLog = [
  `2026-07-01 13:30:00.001 ${nos('F1', '190.05')}`,
  nos('F2', '190.05'),
  fill('X1', 'F1', '20260701-13:30:00.250'),
  fill('X2', 'F2', '20260701-13:30:00.500'),
  '8=FIX.4.4|9=5|35=0|10=000|',
  'this line is not FIX at all',
  nos('F3', 'abc'),
  ...Array.from({ length: 4 }, (_, k) => nos(`F${k + 10}`, '190.00')),
].join('\n');
put('acme-sor/fix/session.log', `${fixLog}\n`);
put('acme-sor/fix/session.fix.gz', gzipSync(`${fixLog}\n`));
put('acme-sor/fix/not-gzip.fix.gz', `${fixLog}\n`);

// ---- Parquet -----------------------------------------------------------------------------------
const inst = await DuckDBInstance.create(':memory:');
const db = await inst.connect();
await db.run("SET TimeZone = 'UTC'");
const pq = join(files, 'acme-sor/executions/typed.parquet');
await db.run(
  `COPY (SELECT 'P' || i AS exec_id, 'O' || i AS order_id, NULL::VARCHAR AS route_id, 'XNAS' AS venue,
          TIMESTAMPTZ '2026-07-01 13:30:00+00' + to_seconds(i) AS exec_ts, CAST(100 + i / 8 AS DECIMAL(10, 4)) AS price,
          CAST(100 * i AS BIGINT) AS qty, 'A' AS liquidity, -0.001 * i AS fee
        FROM range(1, 11) t(i)) TO '${pq}' (FORMAT parquet)`,
);
await db.run(
  `COPY (SELECT 'Q' || i AS exec_id, 'O' || i AS order_id, 'XNAS' AS venue, TIMESTAMP '2026-07-01 09:30:00' + to_seconds(i) AS exec_ts,
          100.5 AS price, i AS qty FROM range(1, 4) t(i)) TO '${join(files, 'acme-sor/executions/naive-timestamps.parquet')}' (FORMAT parquet)`,
);
db.closeSync();
inst.closeSync();
put('acme-sor/executions/truncated.parquet', readFileSync(pq).subarray(0, Math.floor(readFileSync(pq).length / 2)));
put('acme-sor/executions/csv-named.parquet', `${good}\n`);

// ---- hostile: injection attempts and framing faults (issue 11) ---------------------------------
// Every payload tries to write CANARY; test/ingest/hostile.test.ts checks it never appears.
const CANARY = '/tmp/bestex-canary.csv';
const SQL = `COPY (SELECT 'pwned') TO '${CANARY}'`;
const P = {
  quote: `x'); ${SQL}; --`,
  dquote: `x"); ${SQL}; --`,
  comment: `*/ ${SQL}; /*`,
  dollar: `$$; ${SQL}; $$`,
  braces: '{{input}} {{dir}} {{columns}}',
  semicolon: `; ${SQL};`,
  cr: `desk\r${SQL}; --`,
};
/** A CSV field: quoted (quotes doubled) when it holds a delimiter, quote, CR or LF. */
const f = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const ten = execRows(10);
const withExtra = (name: string, value = 'D1') => `${[`${EXEC_HEADER},${f(name)}`, ...ten.map((r) => `${r},${f(value)}`)].join('\n')}\n`;

// Header cells: the vendor's column names never reach SQL (an extra column is ignored).
put('evil-sor/executions/header-cr.csv', `${EXEC_HEADER},${P.cr}\n${ten.map((r) => `${r},D1`).join('\n')}\n`);
put('evil-sor/executions/header-cr.csv.gz', gzipSync(readFileSync(join(files, 'evil-sor/executions/header-cr.csv'))));
put('evil-sor/executions/header-lf-quoted.csv', `${EXEC_HEADER},"desk\n${SQL}; --"\n${ten.map((r) => `${r},D1`).join('\n')}\n`);
put('evil-sor/executions/header-quote.csv', withExtra(P.quote));
put('evil-sor/executions/header-dquote.csv', withExtra(P.dquote));
put('evil-sor/executions/header-comment.csv', withExtra(P.comment));
put('evil-sor/executions/header-dollar.csv', withExtra(P.dollar));
put('evil-sor/executions/header-braces.csv', withExtra(P.braces));
put('evil-sor/executions/header-semicolon.csv', withExtra(P.semicolon));
put('evil-sor/executions/header-semicolon.csv.gz', gzipSync(withExtra(P.semicolon)));

// Values: data, stored as sent (exec_id has no pattern), or rejected by their own rules.
const valueRows = [
  ...ten.slice(0, 5),
  `${f(P.quote)},O6,R6,XNAS,2026-07-01T13:36:00Z,100.06,100,A,0`,
  `${f(P.dollar)},O7,${f(P.comment)},XNAS,2026-07-01T13:37:00Z,100.07,100,A,0`,
  `${f(P.braces)},O8,${f(P.dquote)},XNAS,2026-07-01T13:38:00Z,100.08,100,A,0`,
  `E9,${f(P.semicolon)},R9,XNAS,2026-07-01T13:39:00Z,100.09,100,A,0`,
  `E10,O10,R10,${f(P.quote)},2026-07-01T13:40:00Z,100.10,100,A,0`,
];
put('evil-sor/executions/values.csv', `${[EXEC_HEADER, ...valueRows].join('\n')}\n`);
put('evil-sor/executions/values.csv.gz', gzipSync(`${[EXEC_HEADER, ...valueRows].join('\n')}\n`));
put(
  'evil-sor/executions/values-formula.csv',
  `${[EXEC_HEADER, ...ten.slice(0, 9), `${f('=HYPERLINK("http://x")')},O10,${f("=cmd|' /C calc'!A0")},XNAS,2026-07-01T13:40:00Z,100.10,+1+2,A,@SUM(1)`].join('\n')}\n`,
);

// Framing: each fault is one rejected record with its line; the lines after it are records.
const bad = (lines: string[], at: Record<number, string>) => lines.map((l, i) => at[i + 2] ?? l);
put(
  'evil-sor/executions/values-cr.csv',
  `${[EXEC_HEADER, ...bad(ten, { 3: `E2,O2,R2\r${SQL}; --,XNAS,2026-07-01T13:32:00Z,100.02,300,A,0` })].join('\n')}\n`,
);
put(
  'evil-sor/executions/values-cr-quoted.csv',
  `${[EXEC_HEADER, ...bad(ten, { 3: `E2,O2,"R2\r${SQL}; --",XNAS,2026-07-01T13:32:00Z,100.02,300,A,0` })].join('\n')}\n`,
);
const lfRows = [...ten.slice(0, 1), `E2,O2,"R2`, `${SQL}; --",XNAS,2026-07-01T13:32:00Z,100.02,300,A,0`, ...ten.slice(2)];
put('evil-sor/executions/values-lf-quoted.csv', `${[EXEC_HEADER, ...lfRows].join('\n')}\n`);
put('evil-sor/executions/values-lf-quoted.csv.gz', gzipSync(`${[EXEC_HEADER, ...lfRows].join('\n')}\n`));
const hundred = execRows(101);
const unterminated = [
  EXEC_HEADER,
  ...hundred.map((r, i) => (i === 50 ? r.replace(',XNAS,', ',"XNAS,').replace(/,(XNYS|ARCX|BATS|EDGX),/, ',"$1,') : r)),
];
put('evil-sor/executions/unterminated-quote.csv', `${unterminated.join('\n')}\n`);
put('evil-sor/executions/unterminated-quote.csv.gz', gzipSync(`${unterminated.join('\n')}\n`));
put(
  'evil-sor/executions/quote-mid-field.csv',
  `${[EXEC_HEADER, ...bad(ten, { 4: 'E3,O3,R"3,XNAS,2026-07-01T13:33:00Z,100.03,400,R,0' })].join('\n')}\n`,
);
put(
  'evil-sor/executions/text-after-quote.csv',
  `${[EXEC_HEADER, ...bad(ten, { 4: '"E3"x,O3,R3,XNAS,2026-07-01T13:33:00Z,100.03,400,R,0' })].join('\n')}\n`,
);
put('evil-sor/executions/mac-line-ends.csv', `${[EXEC_HEADER, ...ten].join('\r')}\r`);
put(
  'evil-sor/executions/blank-lines-middle.csv',
  `${[EXEC_HEADER, ten[0], '', ten[1], '', '', ...ten.slice(2, 9), ten[9]?.replace(',1100,', ',-5,').replace(/,(\d+),([AR]),/, ',-5,$2,')].join('\n')}\n`,
);
const big = (bytes: number) => `E2,O2,${'R'.repeat(bytes)},XNAS,2026-07-01T13:32:00Z,100.02,300,A,0`;
put('evil-sor/executions/oversized-record.csv.gz', gzipSync(`${[EXEC_HEADER, ...bad(ten, { 3: big(5 * 1024 * 1024) })].join('\n')}\n`));
put('evil-sor/executions/oversized-64mib.csv.gz', gzipSync(`${[EXEC_HEADER, ...bad(ten, { 3: big(65 * 1024 * 1024) })].join('\n')}\n`));
put(
  'evil-sor/executions/many-faults.csv',
  `${[
    EXEC_HEADER,
    ...execRows(20).map((r, i) =>
      i === 3
        ? r.replace(',EDGX,', ',ED\rGX,')
        : i === 7
          ? r.replace(/^E8,/, '"E8,')
          : i === 11
            ? `${r},extra`
            : i === 15
              ? r.replace(/,(\d+),([AR]),/, ',1.5,$2,')
              : r,
    ),
  ].join('\n')}\n`,
);

// Nothing altered silently: whole shares, offsets, years, DST.
put(
  'evil-sor/executions/fractions.csv',
  `${[EXEC_HEADER, ...execRows(10).map((r, i) => (i === 1 ? r.replace(/,(\d+),([AR]),/, ',100.5,$2,') : i === 2 ? r.replace(/,(\d+),([AR]),/, ',100.0000001,$2,') : i === 3 ? r.replace(/,(\d+),([AR]),/, ',1e2,$2,') : i === 4 ? r.replace(/,(\d+),([AR]),/, ',100.0,$2,') : r))].join('\n')}\n`,
);
const tsRow = (i: number, ts: string) => `T${i},O${i},,XNAS,${ts},100.01,100,A,0`;
put(
  'evil-sor/executions/offsets-years.csv',
  `${[
    EXEC_HEADER,
    tsRow(1, '2026-07-01T09:30:00-04:00'),
    tsRow(2, '2026-07-01T09:30:00+25:00'),
    tsRow(3, '2026-07-01T23:30:00+14:00'),
    tsRow(4, '0026-07-01T13:30:00Z'),
    tsRow(5, '12026-07-01T13:30:00Z'),
    tsRow(6, '-2026-07-01T13:30:00Z'),
    tsRow(7, '2026-07-01T13:30:00-12:00'),
    tsRow(8, '2026-07-01T13:30:00.5Z'),
    tsRow(9, '2026-07-01T13:30:00+0530'),
    tsRow(10, '2026-07-01T13:30:00-14:30'),
    ...Array.from({ length: 4 }, (_, k) => tsRow(11 + k, '2026-07-01T13:30:00Z')),
    ...Array.from({ length: 10 }, (_, k) => tsRow(15 + k, '2026-07-01T13:30:00Z')),
  ].join('\n')}\n`,
);
const dst = [
  'exec_id,order_id,venue,exec_ts,price,qty',
  'D1,O1,XNAS,2026-11-01 01:30:00,10.01,100',
  'D2,O2,XNAS,2026-03-08 02:30:00,10.02,100',
  ...Array.from({ length: 8 }, (_, k) => `D${k + 3},O${k + 3},XNAS,2026-07-01 09:3${k}:00,10.0${k},100`),
].join('\n');
put('dst-sor/executions/dst.csv', `${dst}\n`);
put('dstr-sor/executions/dst.csv', `${dst}\n`);

// JSON lines: keys are data; a key twice in one object is rejected.
const ORDER_JSON = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    order_id: `J${i}`,
    symbol: 'AAPL',
    side: 'B',
    order_type: 'MKT',
    tif: 'DAY',
    qty: 100,
    received_ts: '2026-07-01T13:30:00Z',
    ...extra,
  });
const jsonKeys = Array.from({ length: 10 }, (_, k) =>
  ORDER_JSON(k + 1, { [P.quote]: 1, [P.braces]: 2, [P.comment]: 3, [P.dollar]: 4, 'a"b.c[0]': 5, [P.cr]: 6 }),
).join('\n');
put('evil-sor/orders/keys.jsonl', `${jsonKeys}\n`);
put('evil-sor/orders/keys.jsonl.gz', gzipSync(`${jsonKeys}\n`));
const repeated = Array.from({ length: 10 }, (_, k) =>
  k === 1 ? ORDER_JSON(2).replace('"qty":100', '"qty":100,"qty":1000') : ORDER_JSON(k + 1),
).join('\n');
put('evil-sor/orders/repeated-key.jsonl', `${repeated}\n`);
put('evil-sor/orders/repeated-key.jsonl.gz', gzipSync(`${repeated}\n`));
const jsonValues = Array.from({ length: 10 }, (_, k) =>
  ORDER_JSON(k + 1, k === 2 ? { order_id: P.quote } : k === 3 ? { order_id: P.cr } : {}),
).join('\n');
put('evil-sor/orders/values.jsonl', `${jsonValues}\n`);
const crJson = Array.from({ length: 10 }, (_, k) => (k === 4 ? ORDER_JSON(5).replace(',"side"', ',\r"side"') : ORDER_JSON(k + 1))).join(
  '\n',
);
put('evil-sor/orders/bare-cr.jsonl', `${crJson}\n`);

// Drop keys: the key is data too (lineage source_key).
put(`evil-sor/executions/x'); COPY (SELECT 1) TO 'canary'; --.csv`, `${good}\n`);
put('evil-sor/executions/$$ {{dir}} ;.csv', `${good}\n`);
put('evil-sor/executions/a*/ b.csv', `${good}\n`);

// A vendor profile with hostile names, codes and format (config/profiles/evilp-sor.json).
put(
  'evilp-sor/executions/profile.csv',
  `${[`exec_id,order_id,route_id,${f(P.quote)},exec_ts,price,qty,${f(P.comment)},fee`, ...ten.map((r, i) => (i === 9 ? r.replace(/,([AR]),/, `,${f(P.dollar)},`) : r.replace(/,([AR]),/, (_, l: string) => (l === 'A' ? `,${f(P.quote)},` : ',R,'))))].join('\n')}\n`,
);
put('evilp-sor/executions/profile.csv.gz', gzipSync(readFileSync(join(files, 'evilp-sor/executions/profile.csv'))));

// FIX: values are data; a mapped tag twice in an order is rejected.
const nosWith = (id: string, extra: [number, string][] = []) => nosFrame(id, [[40, '1'], [38, '100'], ...extra]);
const evilFix = [
  nosWith(P.quote),
  nosWith(P.dollar),
  nosWith(P.braces),
  nosWith('F4', [[38, '1000']]),
  ...Array.from({ length: 6 }, (_, k) => nosWith(`F${k + 5}`)),
].join('\n');
put('evil-sor/fix/inject.log', `${evilFix}\n`);
put('evil-sor/fix/inject.fix.gz', gzipSync(`${evilFix}\n`));

// Parquet: column names and values from the file are data.
{
  const hi = await DuckDBInstance.create(':memory:');
  const hdb = await hi.connect();
  await hdb.run("SET TimeZone = 'UTC'");
  const q = (v: string) => `'${v.replaceAll("'", "''")}'`;
  const id = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const base = `'V' || i AS exec_id, 'O' || i AS order_id, 'XNAS' AS venue, TIMESTAMPTZ '2026-07-01 13:30:00+00' + to_seconds(i) AS exec_ts, 100.5 AS price, CAST(100 AS BIGINT) AS qty`;
  mkdirSync(join(files, 'evil-sor/executions'), { recursive: true });
  await hdb.run(
    `COPY (SELECT ${base}, 1 AS ${id(P.quote)}, 2 AS ${id(P.dquote)}, 3 AS ${id(P.cr)}, 4 AS ${id(P.braces)} FROM range(1, 11) t(i)) TO ${q(join(files, 'evil-sor/executions/colnames.parquet'))} (FORMAT parquet)`,
  );
  await hdb.run(
    `COPY (SELECT CASE i WHEN 1 THEN ${q(P.quote)} WHEN 2 THEN ${q(P.cr)} WHEN 3 THEN ${q(P.dollar)} ELSE 'V' || i END AS exec_id, 'O' || i AS order_id, CASE i WHEN 4 THEN ${q(P.braces)} END AS route_id, 'XNAS' AS venue, TIMESTAMPTZ '2026-07-01 13:30:00+00' + to_seconds(i) AS exec_ts, 100.5 AS price, CAST(100 AS BIGINT) AS qty FROM range(1, 11) t(i)) TO ${q(join(files, 'evil-sor/executions/values.parquet'))} (FORMAT parquet)`,
  );
  hdb.closeSync();
  hi.closeSync();
}

console.log(`corpus written to ${files}`);
