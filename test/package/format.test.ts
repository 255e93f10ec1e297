import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { count, esc, fmtDifference, fmtMetric, ms, pct, pValue, usd, usdPerShare, when } from '../../lambdas/core/package/format';
import { METRICS } from '../../lambdas/shared/metrics';

describe('numbers for people', () => {
  it('formats dollars per share to a hundredth of a cent, with a true minus sign', () => {
    expect(usdPerShare(0.0012)).toBe('$0.0012/share');
    expect(usdPerShare(0.0015)).toBe('$0.0015/share');
    expect(usdPerShare(-0.0002)).toBe('\u2212$0.0002/share');
    expect(usdPerShare(0)).toBe('$0.0000/share');
    expect(usdPerShare(0.0005, { plus: true })).toBe('+$0.0005/share');
    expect(usdPerShare(null)).toBe('—');
    expect(usdPerShare(Number.NaN)).toBe('—');
  });

  it('never shows a small non-zero amount as $0.0000', () => {
    expect(usdPerShare(0.00003)).toBe('$0.00003/share');
    expect(usdPerShare(-0.000004)).toBe('\u2212$0.000004/share');
  });

  it('reads back within half a unit of the last digit shown', () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 1, noNaN: true }), (v) => {
        const s = usdPerShare(v);
        const m = /^(\u2212?)\$(\d+)\.(\d+)\/share$/.exec(s);
        expect(m).not.toBeNull();
        const [, sign, int, frac] = m as unknown as [string, string, string, string];
        const back = (sign ? -1 : 1) * Number(`${int}.${frac}`);
        expect(Math.abs(back - v)).toBeLessThanOrEqual(0.5 * 10 ** -frac.length + 1e-12);
      }),
    );
  });

  it('formats percentages, milliseconds, counts and dollars', () => {
    expect(pct(55)).toBe('55.0 %');
    expect(pct(99.95)).toBe('100.0 %');
    expect(pct(-3.25)).toBe('\u22123.3 %');
    expect(ms(150)).toBe('150 ms');
    expect(ms(1234.6)).toBe('1,235 ms');
    expect(ms(2.46)).toBe('2.5 ms');
    expect(count(12345)).toBe('12,345');
    expect(usd(1234.5)).toBe('$1,234.50');
    expect(pValue(0.0004)).toBe('< 0.001');
    expect(pValue(0.21)).toBe('0.210');
  });

  it('formats each metric in its own unit and differences of percentages in points', () => {
    expect(fmtMetric('avg_exec_time_ms', 120)).toBe('120 ms');
    expect(fmtMetric('spread_capture_pct', 45)).toBe('45.0 %');
    expect(fmtMetric('venue_hhi', 3450)).toBe('3,450');
    expect(fmtMetric('pfof_received_usd', 1234.5)).toBe('$1,234.50');
    // The SQL writes spreads over the mid as percentages (docs/metrics.md: 100 · Σ q·x / Σ q·M):
    // a 1.2 bp effective spread is 0.012, shown as-is, never multiplied again.
    expect(fmtMetric('pct_effective_spread', 0.012)).toBe('0.012 %');
    expect(fmtMetric('weighted_pct_price_improvement', 0.5)).toBe('0.500 %');
    expect(fmtDifference('limit_fill_rate_pct', 5)).toBe('+5.0 pp');
    expect(fmtDifference('avg_exec_time_ms', 30)).toBe('+30 ms');
    expect(fmtDifference('price_improvement_per_share', -0.0005)).toBe('\u2212$0.0005/share');
  });

  it('has a unit for every metric name', () => {
    for (const m of METRICS) expect(fmtMetric(m, 1)).not.toBe('—');
  });

  it('escapes every character that could open markup', () => {
    expect(esc(`<a href="x">Tom & 'Jerry'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
    expect(esc(undefined)).toBe('');
  });

  it('shows instants in UTC to the minute', () => {
    expect(when('2026-10-05T11:00:59.999Z')).toBe('2026-10-05 11:00 UTC');
    expect(when('not a date')).toBe('not a date');
  });
});
