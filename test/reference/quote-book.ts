/**
 * The as-of quote lookup both reference computations (figures.ts, metrics.ts) and the plain
 * Rule 605/606 one share: written once here so the definition cannot drift between them, and
 * still nothing shared with the SQL (sql/enrich), which they check.
 */
import type { Micros, QuoteRow } from './lake';

export type NbboStatus = 'ok' | 'no_nbbo' | 'stale_nbbo' | 'crossed_or_locked_nbbo';

export interface BookQuote {
  status: NbboStatus;
  bid: number | null;
  ask: number | null;
  ts: Micros | null;
}

/** The last element with ts <= t of a list sorted by ts (binary search), or undefined. */
export function lastAtOrBefore<T extends { ts: number }>(list: readonly T[], t: number): T | undefined {
  let lo = 0;
  let hi = list.length; // first index with ts > t
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as T).ts <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : list[lo - 1];
}

/** The last quote at or before t on the same symbol and trade date (ties: last in file order). */
export function quoteBook(quotes: readonly QuoteRow[], maxAgeS: number): (symbol: string, date: string, t: Micros) => BookQuote {
  const bySymbolDay = new Map<string, QuoteRow[]>();
  for (const q of quotes) {
    const k = `${q.symbol}|${q.trade_date}`;
    const list = bySymbolDay.get(k) ?? [];
    list.push(q);
    bySymbolDay.set(k, list);
  }
  // Time, then file order: among quotes at one instant the last in the file is the NBBO.
  for (const list of bySymbolDay.values()) {
    list.sort(
      (a, b) => a.ts - b.ts || (a.source_key < b.source_key ? -1 : a.source_key > b.source_key ? 1 : 0) || a.source_line - b.source_line,
    );
  }
  return (symbol, date, t) => {
    const q = lastAtOrBefore(bySymbolDay.get(`${symbol}|${date}`) ?? [], t);
    if (!q) return { status: 'no_nbbo', bid: null, ask: null, ts: null };
    let status: NbboStatus = 'ok';
    if (t - q.ts > maxAgeS * 1_000_000) status = 'stale_nbbo';
    else if (q.bid >= q.ask) status = 'crossed_or_locked_nbbo';
    return { status, bid: q.bid, ask: q.ask, ts: q.ts };
  };
}
