/**
 * Order-level simulation of a quarter for the calibration harness: several routers trade the same
 * symbols on the same days, with market-wide day shocks and symbol × day shocks shared by every
 * router (the dependence the inference must survive), and optional planted defects of stated size.
 * Each simulated order is reduced to exactly the cells the review's SQL produces (order cells,
 * venue cells, first-fill histograms), so the real evaluation code runs on them unchanged.
 */
import type { FillTimeBin, OrderCell, VenueCell } from '../lambdas/core/review/findings';
import { FILL_TIME_BIN_WIDTH } from '../lambdas/core/review/findings';
import { seededRandom } from '../lambdas/core/review/stats';
import type { OrderCellSum } from '../lambdas/shared/config';
import { ORDER_CELL_SUMS } from '../lambdas/shared/config';

export interface Defects {
  /** Share of marketable flow the router steers to PFOF venues (peers: `pfofShare`), and the price improvement those venues then give it less, $/share. */
  pfofSteering?: { share: number; piCost: number };
  /** Median time to first fill, ms (peers: `latencyMs`). */
  latencyMs?: number;
  /** Fill probability of non-marketable limit orders (peers: `limitFill`). */
  limitFill?: number;
}

export interface RouterSpec {
  source: string;
  defects?: Defects;
}

export interface SimOptions {
  seed: number;
  routers: readonly RouterSpec[];
  ordersPerDay: number;
  /** First trading day (weekdays are taken from it). */
  start?: string;
  days?: number;
  symbols?: number;
}

export interface SimQuarter {
  cells: OrderCell[];
  venueCells: VenueCell[];
  fillTimes: FillTimeBin[];
}

/** The clean market every router faces (and the defect-free parameters). */
export const CLEAN = { pfofShare: 0.3, latencyMs: 60, limitFill: 0.8 } as const;

/** The defects of the issue, at their stated sizes. */
export const PLANTED: Record<'pfof' | 'latency' | 'limit', Defects> = {
  pfof: { pfofSteering: { share: 0.7, piCost: 0.002 } },
  latency: { latencyMs: 400 },
  limit: { limitFill: 0.45 },
};

const VENUES = [
  { venue: 'XNYS', pfof: false },
  { venue: 'XNAS', pfof: false },
  { venue: 'BATS', pfof: false },
  { venue: 'WHSA', pfof: true },
  { venue: 'WHSB', pfof: true },
];
const SIZE_EDGES = [0, 250, 1000, 5000, 10000, 20000, 50000, 200000];

function normal(rnd: () => number): () => number {
  return () => {
    const u = 1 - rnd();
    const v = rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

function tradingDays(start: string, n: number): string[] {
  const out: string[] = [];
  const d = new Date(`${start}T00:00:00Z`);
  while (out.length < n) {
    const w = d.getUTCDay();
    if (w !== 0 && w !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

const emptySums = (): Record<OrderCellSum, number> =>
  Object.fromEntries(ORDER_CELL_SUMS.map((k) => [k, 0])) as Record<OrderCellSum, number>;

export function simulateQuarter(opts: SimOptions): SimQuarter {
  const rnd = seededRandom(opts.seed);
  const z = normal(rnd);
  const days = tradingDays(opts.start ?? '2026-07-01', opts.days ?? 63);
  const nSym = opts.symbols ?? 20;
  const symbols = Array.from({ length: nSym }, (_, i) => {
    const price = 20 * Math.exp(rnd() * 3); // $20 – $400
    const spread = Math.max(0.01, Math.round(price * 0.0004 * (0.5 + rnd()) * 100) / 100);
    return { symbol: `SYM${String(i).padStart(2, '0')}`, price, spread, sp500: i % 3 === 0 ? 'N' : 'Y' };
  });
  const cells = new Map<string, OrderCell>();
  const vcells = new Map<string, VenueCell>();
  const hist = new Map<string, FillTimeBin>();

  for (const day of days) {
    // Shared by every router: the day's market and each symbol's day.
    const dayPi = z();
    const dayLat = z();
    const dayFill = z();
    const symDay = symbols.map(() => ({ pi: z(), fill: z(), lat: z() }));
    for (const router of opts.routers) {
      const d = router.defects ?? {};
      const pfofShare = d.pfofSteering?.share ?? CLEAN.pfofShare;
      const latency = d.latencyMs ?? CLEAN.latencyMs;
      const limitP = d.limitFill ?? CLEAN.limitFill;
      for (let o = 0; o < opts.ordersPerDay; o++) {
        const si = Math.floor(rnd() * nSym);
        const s = symbols[si] as (typeof symbols)[number];
        const sd = symDay[si] as (typeof symDay)[number];
        const u = rnd();
        const category = u < 0.4 ? 'market' : u < 0.7 ? 'marketable_limit' : 'non_marketable_limit';
        const qty = Math.max(1, Math.round(Math.exp(4.5 + 1.1 * z()) / 10) * 10);
        const notional = qty * s.price;
        let b = 0;
        for (let i = 0; i < SIZE_EDGES.length; i++) if (notional >= (SIZE_EDGES[i] as number)) b = i;
        const size = String(SIZE_EDGES[b]);
        const tod = String(Math.floor(rnd() * 13));
        const key = `${router.source}|${day}|${s.symbol}|${category}|${size}`;
        let cell = cells.get(key);
        if (!cell) {
          cell = {
            source: router.source,
            trade_date: day,
            symbol: s.symbol,
            order_category: category,
            size_bucket: size,
            sp500: s.sp500,
            ...emptySums(),
          };
          cells.set(key, cell);
        }
        const pfof = rnd() < (category === 'non_marketable_limit' ? CLEAN.pfofShare : pfofShare);
        const venue = (VENUES.filter((v) => v.pfof === pfof)[Math.floor(rnd() * (pfof ? 2 : 3))] as (typeof VENUES)[number]).venue;
        cell.orders += 1;
        cell.shares += qty;
        cell.routed_shares += qty;
        if (pfof) cell.pfof_routed_shares += qty;
        cell.quoted_orders += 1;
        cell.quoted_shares += qty;
        cell.qs_qty_amount += qty * s.spread;
        if (category === 'non_marketable_limit') {
          const logit = Math.log(limitP / (1 - limitP)) + 0.25 * dayFill + 0.35 * sd.fill;
          const filled = rnd() < 1 / (1 + Math.exp(-logit));
          if (filled) cell.filled_orders += 1;
          else cell.unfilled_shares += qty;
          continue;
        }
        // Marketable: fills in full at one venue.
        const fair = s.spread * (0.12 + 0.04 * dayPi + 0.05 * sd.pi + 0.08 * z());
        // The paying venue gives less improvement, but (like a wholesaler) never trades outside a quote it would have met.
        const piPerShare = pfof && d.pfofSteering ? Math.max(fair - d.pfofSteering.piCost, Math.min(fair, 0)) : fair;
        const ms = latency * Math.exp(0.15 * dayLat + 0.15 * sd.lat + 0.6 * z());
        cell.filled_orders += 1;
        cell.covered_orders += 1;
        cell.covered_shares += qty;
        cell.pi_amount += piPerShare * qty;
        cell.es_amount += (s.spread - 2 * piPerShare) * qty;
        cell.qs_amount += s.spread * qty;
        cell.mid_amount += s.price * qty;
        if (piPerShare < 0) {
          cell.outside_amount += -piPerShare * qty;
          cell.shares_outside_quote += qty;
        }
        cell.fill_ms_sum += ms;
        cell.fill_ms_n += 1;
        const vk = `${router.source}|${day}|${s.symbol}|${size}|${tod}|${venue}`;
        const vc = vcells.get(vk) ?? {
          source: router.source,
          trade_date: day,
          symbol: s.symbol,
          size_bucket: size,
          tod_bucket: tod,
          venue,
          pfof_venue: pfof,
          shares: 0,
          covered_shares: 0,
          pi_amount: 0,
        };
        vc.shares += qty;
        vc.covered_shares += qty;
        vc.pi_amount += piPerShare * qty;
        vcells.set(vk, vc);
        const bin = Math.floor(Math.log1p(ms) / FILL_TIME_BIN_WIDTH);
        const hk = `${router.source}|${day}|${category}|${bin}`;
        const h = hist.get(hk) ?? { source: router.source, trade_date: day, order_category: category, bin, n: 0 };
        h.n += 1;
        hist.set(hk, h);
      }
    }
  }
  return { cells: [...cells.values()], venueCells: [...vcells.values()], fillTimes: [...hist.values()] };
}
