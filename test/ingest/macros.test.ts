/**
 * The parsing macros (lambdas/normalise/sql/macros.sql) against independent computations:
 * the New York trade date against Intl (ICU in V8, not DuckDB's), decimal rounding against exact
 * BigInt arithmetic, and hand-picked texts for whole numbers and timestamps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { usePreparedCore } from './prepared-core';

const core = usePreparedCore(1);

const one = async (sql: string): Promise<unknown> => (await core.db.runAndReadAll(sql)).getRowsJson()[0]?.[0];
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

const nyDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });

describe('trade date', () => {
  it('is the America/New_York calendar date of the instant (DST edges included)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), { minLength: 50, maxLength: 50 }),
        async (ms) => {
          const iso = ms.map((m) => new Date(m).toISOString());
          const rows = (
            await core.db.runAndReadAll(`SELECT CAST(nx_trade_date(nx_ts(v)) AS VARCHAR) FROM unnest([${iso.map(q).join(', ')}]) t(v)`)
          ).getRowsJson();
          expect(rows.map((r) => r[0])).toEqual(ms.map((m) => nyDate.format(new Date(m))));
        },
      ),
      { numRuns: 20, seed: 3 },
    );
    // Around the 2026 switches: 03-08 07:00Z and 11-01 06:00Z.
    for (const [ts, d] of [
      ['2026-03-08T04:59:59Z', '2026-03-07'],
      ['2026-03-08T05:00:00Z', '2026-03-08'],
      ['2026-11-02T04:59:59Z', '2026-11-01'],
      ['2026-11-02T05:00:00Z', '2026-11-02'],
    ]) {
      expect(await one(`SELECT CAST(nx_trade_date(nx_ts(${q(ts as string)})) AS VARCHAR)`)).toBe(d);
    }
  });
});

/** Round half away from zero at 6 places, exactly, on the decimal text. */
function round6(text: string): number {
  const neg = text.startsWith('-');
  const [i = '0', f = ''] = text.replace('-', '').split('.');
  const scaled = BigInt(i + f.padEnd(7, '0').slice(0, 7));
  const r = (scaled + 5n) / 10n;
  const s = r.toString().padStart(7, '0');
  return Number(`${neg ? '-' : ''}${s.slice(0, -6)}.${s.slice(-6)}`);
}

describe('decimals', () => {
  it('are rounded to 6 places exactly, then stored as the nearest double', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 999_999 }), fc.stringMatching(/^[0-9]{1,7}$/)), {
          minLength: 40,
          maxLength: 40,
        }),
        async (xs) => {
          const texts = xs.map(([neg, i, f]) => `${neg ? '-' : ''}${i}.${f}`);
          const rows = (await core.db.runAndReadAll(`SELECT nx_dec(v) FROM unnest([${texts.map(q).join(', ')}]) t(v)`)).getRowsJson();
          expect(rows.map((r) => Number(r[0]))).toEqual(texts.map(round6));
        },
      ),
      { numRuns: 20, seed: 5 },
    );
    expect(await one("SELECT nx_dec('100.1234565')")).toBe(100.123457);
    expect(await one("SELECT nx_dec('0.1') + nx_dec('0.2')")).toBe(0.1 + 0.2);
    for (const bad of ['abc', 'NaN', 'inf', '1e400', '', '1,5']) expect(await one(`SELECT nx_dec(${q(bad)})`), bad).toBeNull();
  });

  it('whole numbers accept 100 and 100.0, refuse fractions, hex and words', async () => {
    const cases: [string, number | null][] = [
      ['100', 100],
      ['+7', 7],
      ['100.0', 100],
      ['100.5', null],
      ['100.0000001', null],
      ['100.0000000000000000000001', null],
      ['1e2', null],
      ['', null],
      ['0x10', null],
      ['abc', null],
      ['-3', -3],
    ];
    for (const [t, want] of cases) {
      const got = await one(`SELECT nx_int(${q(t)})`);
      expect(got === null ? null : Number(got), t).toBe(want);
    }
  });
});

describe('timestamps', () => {
  it('need a zone unless one is given; offsets become UTC', async () => {
    const epoch = async (sql: string) => {
      const v = await one(`SELECT epoch_us(${sql})`);
      return v === null ? null : Number(v) / 1000;
    };
    expect(await epoch("nx_ts('2026-07-01T09:30:00-04:00')")).toBe(Date.UTC(2026, 6, 1, 13, 30));
    expect(await epoch("nx_ts('2026-07-01T09:30:00-0400')")).toBe(Date.UTC(2026, 6, 1, 13, 30));
    expect(await epoch("nx_ts('2026-07-01 13:30:00.123456Z')")).toBe(Date.UTC(2026, 6, 1, 13, 30, 0, 123) + 0.456);
    expect(await epoch("nx_ts('2026-07-01T13:30:00')")).toBeNull();
    expect(await epoch("nx_ts('07/01/2026 13:30')")).toBeNull();
    expect(await epoch("nx_ts_in('2026-01-15T09:30:00', 'America/New_York', 'reject')")).toBe(Date.UTC(2026, 0, 15, 14, 30));
    expect(await epoch("nx_ts_in('2026-07-15 09:30:00', 'America/New_York', 'reject')")).toBe(Date.UTC(2026, 6, 15, 13, 30));
    expect(await epoch("nx_ts_in('2026-07-15T09:30:00Z', 'America/New_York', 'reject')")).toBe(Date.UTC(2026, 6, 15, 9, 30));
  });

  it('reject offsets beyond ±14:00 (DuckDB alone accepts +25:00)', async () => {
    for (const ok of ['2026-07-01T09:30:00+14:00', '2026-07-01T09:30:00-1200', '2026-07-01T09:30:00+05', '2026-07-01T09:30:00Z']) {
      expect(await one(`SELECT nx_ts(${q(ok)}) IS NOT NULL`), ok).toBe(true);
    }
    for (const bad of ['2026-07-01T09:30:00+25:00', '2026-07-01T09:30:00+14:01', '2026-07-01T09:30:00-0960', '2026-07-01T09:30:00+15']) {
      expect(await one(`SELECT nx_ts(${q(bad)})`), bad).toBeNull();
      expect(String(await one(`SELECT nx_ts_reason('t', ${q(bad)})`)), bad).toContain('beyond ±14:00');
    }
  });

  it('local times at a DST change: rejected, or the earlier/later instant when the profile says so', async () => {
    const epoch = async (v: string, mode: string) => {
      const r = await one(`SELECT epoch_us(nx_ts_in(${q(v)}, 'America/New_York', ${q(mode)}))`);
      return r === null ? null : Number(r) / 1000;
    };
    // 2026-11-01 01:30 happens twice in New York (EDT 05:30Z, then EST 06:30Z).
    expect(await epoch('2026-11-01T01:30:00', 'reject')).toBeNull();
    expect(await epoch('2026-11-01T01:30:00', 'earlier')).toBe(Date.UTC(2026, 10, 1, 5, 30));
    expect(await epoch('2026-11-01T01:30:00', 'later')).toBe(Date.UTC(2026, 10, 1, 6, 30));
    // 2026-03-08 02:30 never happens (02:00 EST → 03:00 EDT): read with EDT 06:30Z or EST 07:30Z.
    expect(await epoch('2026-03-08T02:30:00', 'reject')).toBeNull();
    expect(await epoch('2026-03-08T02:30:00', 'earlier')).toBe(Date.UTC(2026, 2, 8, 6, 30));
    expect(await epoch('2026-03-08T02:30:00', 'later')).toBe(Date.UTC(2026, 2, 8, 7, 30));
    // Either side of the changes, one reading only.
    expect(await epoch('2026-11-01T00:59:59', 'reject')).toBe(Date.UTC(2026, 10, 1, 4, 59, 59));
    expect(await epoch('2026-11-01T02:00:00', 'reject')).toBe(Date.UTC(2026, 10, 1, 7, 0));
    expect(await epoch('2026-03-08T03:00:00', 'reject')).toBe(Date.UTC(2026, 2, 8, 7, 0));
    expect(await epoch('2026-03-08T01:59:59', 'reject')).toBe(Date.UTC(2026, 2, 8, 6, 59, 59));
  });
});
