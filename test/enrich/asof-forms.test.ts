/**
 * The two as-of forms of sql/enrich (DuckDB ASOF JOIN, and the Trino window form Athena engine
 * v3 runs) give identical rows, column for column and bit for bit, on seeded random lakes, and the
 * local batch (several dates per query) gives the rows of one query per date (as on AWS); and
 * both agree with the plain reference implementation (test/reference/figures.ts) to 1e-9. The
 * lakes are built to hit every edge of the lookup: several quotes at one instant (file order
 * decides: key, then line), a quote and a probe at one instant, stale, crossed and locked quotes, symbols with no
 * quote, New York midnight (a quote of the previous trade date must not be used), the 16:00
 * close, sub-millisecond and negative latencies, one order id in two sources on one date (the local
 * batch looks up all its sources at once). The test counts each edge it saw and fails if
 * the lakes missed one, so it cannot pass vacuously.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceFigures } from '../reference/figures';
import { writeLake } from '../reference/lake';
import { randomLake } from '../reference/random-lake';
import { diffFigures, enrichAll } from './run';

const dir = mkdtempSync(join(tmpdir(), 'bestex-enrich-forms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('as-of forms of sql/enrich', () => {
  it('DuckDB ASOF JOIN and the Trino window form give identical rows, equal to the reference', async () => {
    const seen = new Map<string, number>();
    const note = (what: string): void => {
      seen.set(what, (seen.get(what) ?? 0) + 1);
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(2, 10, 400), async (seed, maxQuoteAgeS) => {
        const data = randomLake(seed, { edges: true, orders: 16, quotesPerSymbolDay: 18 });
        const lakeDir = join(dir, 'lake');
        await writeLake(lakeDir, data);
        // The local batch (several dates per query, two to a batch so a lake has several batches)
        // against one query per date, the text Athena runs: with the DuckDB form, then the Trino one.
        const duck = await enrichAll(lakeDir, data, 'duckdb', maxQuoteAgeS, { batchDates: 2 });
        const duckPerDate = await enrichAll(lakeDir, data, 'duckdb', maxQuoteAgeS, { scope: 'one' });
        const trino = await enrichAll(lakeDir, data, 'trino', maxQuoteAgeS, { scope: 'one' });
        expect(duckPerDate.executions).toStrictEqual(duck.executions);
        expect(duckPerDate.orders).toStrictEqual(duck.orders);
        expect(trino.executions).toStrictEqual(duck.executions);
        expect(trino.orders).toStrictEqual(duck.orders);
        const datesPerSource = new Map<string, Set<string>>();
        for (const o of data.orders) datesPerSource.set(o.source, (datesPerSource.get(o.source) ?? new Set()).add(o.trade_date));
        if ([...datesPerSource.values()].some((d) => d.size > 2)) note('several batches of dates');
        const orderKeys = new Map<string, Set<string>>();
        for (const o of data.orders) {
          const k = `${o.trade_date}|${o.order_id}`;
          orderKeys.set(k, (orderKeys.get(k) ?? new Set()).add(o.source));
        }
        if ([...orderKeys.values()].some((s) => s.size > 1)) note('one order id in two sources on one date');

        const ref = referenceFigures(data, { maxQuoteAgeS });
        const diffs = [...diffFigures(duck.executions, ref.executions, 'exec_id'), ...diffFigures(duck.orders, ref.orders, 'order_id')];
        if (diffs.length > 0) throw new Error(`seed ${seed}, max age ${maxQuoteAgeS}s:\n${diffs.slice(0, 20).join('\n')}`);

        const instants = new Map<string, Set<string>>();
        for (const q of data.quotes) {
          const k = `${q.symbol}|${q.ts}`;
          instants.set(k, (instants.get(k) ?? new Set()).add(`${q.source_key}|${q.bid}|${q.ask}`));
        }
        if ([...instants.values()].some((n) => n.size > 1)) note('quotes tied at one instant');
        for (const o of duck.orders) {
          note(`nbbo:${o.nbbo_status}`);
          if (o.nbbo_status === 'crossed_or_locked_nbbo' && o.nbb === o.nbo) note('locked');
          if (o.nbbo_status === 'crossed_or_locked_nbbo' && (o.nbb as number) > (o.nbo as number)) note('crossed');
          if (o.regular_hours === false) note('outside regular hours');
          if (o.regular_hours === true && instants.has(`${o.symbol}|${o.received_us}`)) note('quote and order at one instant');
          if (o.exclusion_reason) note(`exclusion:${o.exclusion_reason}`);
          if (o.covered && o.executions !== 0) note('covered order with fills');
        }
        // A receipt whose NBBO came from an instant with different quotes in different files.
        for (const o of duck.orders) {
          const at = data.quotes.filter((q) => q.symbol === o.symbol && q.trade_date === o.trade_date && q.ts <= (o.received_us as number));
          const last = Math.max(...at.map((q) => q.ts));
          const tied = at.filter((q) => q.ts === last);
          if (new Set(tied.map((q) => q.bid)).size > 1) {
            const files = tied.map((q) => q.source_key);
            if (new Set(files).size > 1) note('tie across files decides the NBBO');
            if (new Set(files).size < files.length) note('tie within one file: the later line decides');
          }
        }
        for (const x of duck.executions) {
          if (typeof x.fill_time_ms === 'number' && !Number.isInteger(x.fill_time_ms)) note('sub-millisecond latency');
          if (x.mid_300s !== null) note('mid 300 s later');
          // Each horizon's figures are missing exactly when its status names a reason.
          for (const h of [1, 5, 15, 60, 300]) {
            const status = x[`mid_${h}s_status`];
            note(`horizon status:${status}`);
            if ((x[`markout_${h}s`] === null) !== (status !== 'ok'))
              throw new Error(`seed ${seed}: ${x.exec_id} markout_${h}s ${x[`markout_${h}s`]} with status ${status}`);
          }
          if (x.exclusion_reason === 'orphan_execution' && data.orders.some((o) => o.source === x.source && o.order_id === x.order_id))
            note('order on another trade date');
        }
        // A probe just after New York midnight with quotes only before it: no NBBO, never yesterday's.
        for (const o of data.orders) {
          const prior = data.quotes.some((q) => q.symbol === o.symbol && q.trade_date < o.trade_date && q.ts <= o.received_ts);
          const today = data.quotes.some((q) => q.symbol === o.symbol && q.trade_date === o.trade_date && q.ts <= o.received_ts);
          if (prior && !today) note('day boundary: only an earlier date quoted');
        }
      }),
      { seed: 20261204, numRuns: 25, endOnFailure: true },
    );
    const needed = [
      'several batches of dates',
      'one order id in two sources on one date',
      'quotes tied at one instant',
      'tie across files decides the NBBO',
      'tie within one file: the later line decides',
      'quote and order at one instant',
      'nbbo:ok',
      'nbbo:no_nbbo',
      'nbbo:stale_nbbo',
      'locked',
      'crossed',
      'outside regular hours',
      'day boundary: only an earlier date quoted',
      'sub-millisecond latency',
      'order on another trade date',
      'covered order with fills',
      'exclusion:directed',
      'exclusion:not_marketable',
      'exclusion:negative_exec_time',
      'mid 300 s later',
      'horizon status:ok',
      'horizon status:stale_nbbo',
      'horizon status:orphan_execution',
    ];
    const missed = needed.filter((n) => !seen.has(n));
    expect(missed, JSON.stringify(Object.fromEntries(seen))).toEqual([]);
  }, 600_000);
});
