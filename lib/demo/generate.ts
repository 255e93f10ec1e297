/**
 * A small, seeded, synthetic quarter: two SOR vendors routing the same kind of flow, the firm's
 * own NBBO, the vendors' venue lists, the S&P 500 reference list and the vendors' self-reported
 * statistics. `acme-sor` has a planted price-improvement shortfall on market orders (it fills at
 * or outside the quote and sells flow to a PFOF wholesaler); `bolt-sor` is clean. Files are
 * written in the drop layout `<source>/<dataset>/<file>`, partly in vendor dialects (bolt-sor's
 * own column names and side words, acme-sor's FIX order-type codes) so the demo exercises the
 * vendor profiles too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
// The project's one seeded generator (mulberry32): the same seed gives the same data on any machine.
import { seededRandom as rng } from '../../lambdas/core/review/stats';
import { periodRange } from '../../lambdas/shared/layout';

export interface DemoOptions {
  outDir: string;
  period?: string;
  seed?: number;
  symbols?: number;
  /** Orders per vendor, symbol and trade day. */
  ordersPerDay?: number;
}

export interface DemoSummary {
  files: string[];
  orders: Record<string, number>;
  executions: Record<string, number>;
  quotes: number;
  tradeDays: number;
}

const SYMBOLS: readonly [string, number, boolean][] = [
  ['AAPL', 228, true],
  ['MSFT', 415, true],
  ['JPM', 212, true],
  ['XOM', 112, true],
  ['SOFI', 9.4, false],
  ['RIVN', 13.2, false],
  ['KO', 68, true],
  ['PLUG', 2.6, false],
];

/** US market holidays inside 2026Q3 that the demo skips (Independence Day observed, Labor Day). */
const HOLIDAYS = new Set(['2026-07-03', '2026-09-07']);

function tradeDays(period: string): string[] {
  const { start, end } = periodRange(period);
  const days: string[] = [];
  for (let d = new Date(`${start}T00:00:00Z`); d < new Date(`${end}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    const iso = d.toISOString().slice(0, 10);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && !HOLIDAYS.has(iso)) days.push(iso);
  }
  return days;
}

const round = (x: number, dp: number): number => Math.round(x * 10 ** dp) / 10 ** dp;
const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');

interface Quote {
  t: number;
  bid: number;
  ask: number;
}

/** The NBBO in effect at `t` (last quote with ts ≤ t). */
function quoteAt(quotes: Quote[], t: number): Quote {
  let lo = 0;
  let hi = quotes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((quotes[mid] as Quote).t <= t) lo = mid;
    else hi = mid - 1;
  }
  return quotes[lo] as Quote;
}

interface VendorStyle {
  source: string;
  /** Price improvement drawn per fill for marketable orders, in $/share (mean, spread). */
  pi: [number, number];
  /** Share of fills executed outside the quote. */
  outside: number;
  /** Venues with weights. */
  venues: [string, number][];
  latencyMs: [number, number];
  /** Price improvement at particular venues, overriding `pi` there (a paying venue that improves less). */
  piAt?: Record<string, [number, number]>;
  /** Probability that a non-marketable limit order fills. */
  limitFill: number;
}

const VENDORS: readonly VendorStyle[] = [
  {
    source: 'acme-sor',
    // The three planted defects (issue 13): PFOF steering that costs price improvement (70 % to
    // the paying wholesaler, which improves $0.0025/share less than acme's own exchange fills),
    // first fills ~400 ms after receipt against ~60 ms, and limit orders filled 45 % against 80 %.
    pi: [0.003, 0.0015],
    piAt: { WHLS: [0.0005, 0.0005] },
    outside: 0.01,
    venues: [
      ['WHLS', 0.7],
      ['XNAS', 0.15],
      ['XNYS', 0.15],
    ],
    latencyMs: [300, 500],
    limitFill: 0.45,
  },
  {
    source: 'bolt-sor',
    pi: [0.003, 0.0015],
    outside: 0.01,
    venues: [
      ['XNAS', 0.3],
      ['XNYS', 0.25],
      ['ARCX', 0.2],
      ['IEXG', 0.15],
      ['EDGX', 0.1],
    ],
    latencyMs: [30, 90],
    limitFill: 0.8,
  },
];

function pick<T>(r: () => number, items: [T, number][]): T {
  let x = r() * items.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of items) {
    x -= w;
    if (x <= 0) return v;
  }
  return (items[items.length - 1] as [T, number])[0];
}

export function generateDemo(opts: DemoOptions): DemoSummary {
  const period = opts.period ?? '2026Q3';
  const r = rng(opts.seed ?? 20260701);
  const symbols = SYMBOLS.slice(0, opts.symbols ?? 6);
  const perDay = opts.ordersPerDay ?? 8;
  const days = tradeDays(period);
  const files: string[] = [];
  const write = (rel: string, text: string): void => {
    const path = join(opts.outDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, rel.endsWith('.gz') ? gzipSync(text) : text);
    files.push(rel);
  };

  // The firm's NBBO: every 2 s around the morning window, a random walk per symbol.
  const quotesBy = new Map<string, Quote[]>();
  const quoteLines: Map<string, string[]> = new Map();
  let nQuotes = 0;
  for (const day of days) {
    const month = day.slice(0, 7);
    const lines = quoteLines.get(month) ?? ['symbol,ts,bid,ask,bid_size,ask_size'];
    quoteLines.set(month, lines);
    for (const [sym, px0] of symbols) {
      const t0 = Date.parse(`${day}T13:34:00Z`);
      let mid = px0 * (1 + (r() - 0.5) * 0.02);
      const series: Quote[] = [];
      for (let t = t0; t <= t0 + 17 * 60_000; t += 2000) {
        // ≈ 25 % annualised volatility: a 2 s step has σ ≈ 4.6e-5 (uniform half-width 8e-5).
        mid = Math.max(1, mid * (1 + (r() - 0.5) * 0.00016));
        // Liquid names quote one cent wide most of the time, sometimes two or three.
        const ticks = r() < 0.7 ? 1 : r() < 0.8 ? 2 : 3;
        const bid = round(Math.floor(mid * 100) / 100 - 0.01 * Math.floor((ticks - 1) / 2), 2);
        const ask = round(bid + 0.01 * ticks, 2);
        series.push({ t, bid, ask });
        lines.push(`${sym},${iso(t)},${bid},${ask},${100 * (1 + Math.floor(r() * 9))},${100 * (1 + Math.floor(r() * 9))}`);
        nQuotes++;
      }
      quotesBy.set(`${day}|${sym}`, series);
    }
  }
  for (const [month, lines] of quoteLines) write(`sip/quotes/${month.replace('-', '/')}/nbbo.csv.gz`, `${lines.join('\n')}\n`);

  const orders: Record<string, number> = {};
  const executions: Record<string, number> = {};
  for (const v of VENDORS) {
    const bolt = v.source === 'bolt-sor';
    const ordHeader = bolt
      ? 'ClientOrderId,Ticker,Side,Type,LimitPx,TimeInForce,Quantity,ReceivedAt,directed,vendor_nbb,vendor_nbo,canceled_ts'
      : 'order_id,symbol,side,order_type,limit_price,tif,qty,received_ts,directed,vendor_nbb,vendor_nbo,canceled_ts';
    const ordByMonth = new Map<string, string[]>();
    const execByMonth = new Map<string, string[]>();
    const routeByMonth = new Map<string, string[]>();
    let nOrd = 0;
    let nExec = 0;
    for (const day of days) {
      const month = day.slice(0, 7);
      const ol = ordByMonth.get(month) ?? [ordHeader];
      const el = execByMonth.get(month) ?? ['exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee'];
      const rl = routeByMonth.get(month) ?? ['route_id,order_id,venue,sent_ts,qty,limit_price,route_type'];
      ordByMonth.set(month, ol);
      execByMonth.set(month, el);
      routeByMonth.set(month, rl);
      for (const [sym] of symbols) {
        const quotes = quotesBy.get(`${day}|${sym}`) as Quote[];
        for (let k = 0; k < perDay; k++) {
          nOrd++;
          const id = `${v.source.slice(0, 4).toUpperCase()}-${day.replace(/-/g, '')}-${sym}-${k}`;
          const t = Date.parse(`${day}T13:35:00Z`) + Math.floor(r() * 600_000);
          const q = quoteAt(quotes, t);
          const buy = r() < 0.5;
          const side = buy ? 'B' : r() < 0.15 ? 'SS' : 'S';
          const u = r();
          const type: 'MKT' | 'LMT' = u < 0.55 ? 'MKT' : 'LMT';
          const marketable = type === 'MKT' || u < 0.75;
          const qty = 100 * (1 + Math.floor(r() * 20));
          const limit =
            type === 'MKT'
              ? ''
              : String(marketable ? round(buy ? q.ask + 0.02 : q.bid - 0.02, 2) : round(buy ? q.bid - 0.03 : q.ask + 0.03, 2));
          // The vendor's own view of the NBBO; a few are a tick off (nbbo_mismatch exceptions).
          const off = r() < 0.01 ? 0.02 : 0;
          const fills = marketable ? 1 + Math.floor(r() * 3) : r() < v.limitFill ? 1 : 0;
          const canceled = !marketable && fills === 0 && r() < 0.7 ? iso(t + 60_000) : '';
          const codes = bolt
            ? { side: { B: 'BUY', S: 'SELL', SS: 'SHORT', SX: 'SX' }[side] as string, type: type === 'MKT' ? 'MARKET' : 'LIMIT' }
            : { side, type: type === 'MKT' ? '1' : '2' };
          const ts = bolt ? new Date(t - 4 * 3600_000).toISOString().replace('Z', '000-04:00') : iso(t);
          ol.push(
            [
              id,
              sym,
              codes.side,
              codes.type,
              limit,
              'DAY',
              qty,
              ts,
              r() < 0.03 ? 'Y' : 'N',
              round(q.bid + off, 4),
              round(q.ask, 4),
              canceled,
            ].join(','),
          );
          let left = fills ? qty : 0;
          for (let f = 0; f < fills && left > 0; f++) {
            const fq = f === fills - 1 ? left : Math.max(100, Math.floor((left * r()) / 100) * 100);
            left -= fq;
            const venue = pick(r, v.venues);
            const lat = v.latencyMs[0] + r() * (v.latencyMs[1] - v.latencyMs[0]) + (marketable ? 0 : 20_000 + r() * 20_000);
            const tx = t + lat + f * 3;
            let price: number;
            if (marketable) {
              const outside = r() < v.outside;
              // Improvement never beyond the mid: a fill inside the spread, at the quote, or outside it.
              const [piMean, piSpread] = v.piAt?.[venue] ?? v.pi;
              const pi = outside ? -(0.001 + r() * 0.002) : Math.min((q.ask - q.bid) / 2, Math.max(0, piMean + (r() - 0.5) * 2 * piSpread));
              price = round(buy ? q.ask - pi : q.bid + pi, 4);
            } else {
              price = Number(limit);
            }
            const routeId = `${id}-R${f}`;
            rl.push([routeId, id, venue, iso(t + lat / 2), fq, limit, marketable ? 'IOC' : 'POST'].join(','));
            const liq = marketable ? 'R' : 'A';
            const fee = venue === 'WHLS' ? 0 : liq === 'R' ? round(fq * 0.003, 4) : round(-fq * 0.002, 4);
            el.push([`${id}-X${f}`, id, routeId, venue, iso(tx), price, fq, liq, fee].join(','));
            nExec++;
          }
        }
      }
    }
    for (const [month, lines] of ordByMonth) write(`${v.source}/orders/${month}.csv`, `${lines.join('\n')}\n`);
    for (const [month, lines] of routeByMonth) write(`${v.source}/routes/${month}.csv`, `${lines.join('\n')}\n`);
    for (const [month, lines] of execByMonth) write(`${v.source}/executions/${month}.csv.gz`, `${lines.join('\n')}\n`);
    orders[v.source] = nOrd;
    executions[v.source] = nExec;

    const venueRows = v.venues.map(([mic]) => {
      const wholesaler = mic === 'WHLS';
      return [
        mic,
        wholesaler ? 'Demo Wholesaler LLC' : mic,
        wholesaler ? 'WHOLESALER' : 'EXCHANGE',
        'Y',
        wholesaler ? 0.0011 : 0,
        wholesaler ? 0 : 0.003,
        wholesaler ? 0 : 0.002,
        '2026-01-02',
      ].join(',');
    });
    write(
      `${v.source}/venues/venues-2026.csv`,
      `venue,name,venue_type,approved,pfof_per_share,fee_per_share,rebate_per_share,effective_from\n${venueRows.join('\n')}\n`,
    );
  }

  // acme-sor's self-reported figures are rosier than what it delivered: reconciliation finds it.
  write(
    'acme-sor/vendor-metrics/2026Q3.jsonl',
    `${[
      { period, symbol: '*', order_type: 'market', metric: 'price_improvement_per_share', value: 0.0016 },
      { period, symbol: '*', order_type: '*', metric: 'fill_rate_pct', value: 97.5 },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n')}\n`,
  );
  write(
    'firm/reference/sp500.csv',
    `list,symbol,effective_from\n${symbols
      .filter(([, , sp]) => sp)
      .map(([s]) => `SP500,${s},2020-01-01`)
      .join('\n')}\n`,
  );
  // Other market centers' Rule 605(a)(2) summaries for the period's months (OES CSV as the SEC
  // specifies it): the industry benchmark. Made up, at levels a liquid-stock wholesaler or exchange
  // publishes: ~97 % of shares at the quote or better, E/Q ~70 %, a few thousandths of a percent of
  // price improvement. A firm downloads the real files from each market center's Rule 605 page.
  const oes = [
    'DsgntParticipant,RprtEntityCd,RptDate,Sp500,OrderSize,OrderType,AvgOrderQty,AvgOrderSize,ExctdOrderMidPtAvg,PctExctdAtQuotOrBetter,PctExctdPI,WghtdAvgPctPI,AvgEffctvSprdPct,AvgPctQuotSprd,AvgEFQPct,AvgRealSprdPct15sec,AvgRealSprdPct1min,WghtdAvgExctnTime',
  ];
  const centers: [string, string, number][] = [
    ['Z', 'DEMOWA', 1.0],
    ['Z', 'DEMOWB', 0.8],
    ['Q', 'DEMOEX', 0.6],
  ];
  for (const month of [...new Set(days.map((d) => d.slice(0, 7)))]) {
    for (const [dp, code, k] of centers) {
      for (const sp of ['Y', 'N']) {
        for (const size of ['0', '250', '1000', '5000', '10000', '20000', '50000', '200000']) {
          for (const type of ['M', 'ML']) {
            const mid = sp === 'Y' ? 180 : 9;
            const qty = Math.max(1, Math.round(Number(size === '0' ? 100 : size) / mid));
            oes.push(
              [
                dp,
                code,
                month.replace('-', ''),
                sp,
                size,
                type,
                qty,
                round(qty * mid, 2),
                mid,
                round(0.975 + 0.01 * r(), 6),
                round(0.3 * k, 6),
                round(0.00001 * k, 6),
                0.00004,
                0.00006,
                round(0.7 - 0.05 * k, 6),
                0.00001,
                0.00001,
                round(120 + 80 * r(), 3),
              ].join(','),
            );
          }
        }
      }
    }
  }
  write(`industry/rule605/oes-${period}.csv`, `${oes.join('\n')}\n`);
  return { files, orders, executions, quotes: nQuotes, tradeDays: days.length };
}
