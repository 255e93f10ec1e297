import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundHalfUp, roundTrimmed } from '../../lambdas/core/regulatory/decimal';

describe('half-up decimal rounding (Rule 605 technical specification, section III(a))', () => {
  it('rounds the sixth decimal up when the seventh digit is five or more', () => {
    expect(roundHalfUp(12.3456789, 6)).toBe('12.345679'); // the specification's own example
    expect(roundHalfUp(12.3456785, 6)).toBe('12.345679'); // binary 12.34567849999…, decimal 12.3456785
    expect(roundHalfUp(12.3456784, 6)).toBe('12.345678');
    expect(roundHalfUp(99.9999995, 6)).toBe('100.000000');
    expect(roundHalfUp(0.0000005, 6)).toBe('0.000001');
    expect(roundHalfUp(1e-7, 6)).toBe('0.000000');
    expect(roundHalfUp(-1.0000005, 6)).toBe('-1.000001');
    expect(roundHalfUp(-0.0000004, 6)).toBe('0.000000');
    expect(roundHalfUp(2.675, 2)).toBe('2.68');
    expect(roundHalfUp(1.5e21, 2)).toBe('1500000000000000000000.00');
    expect(roundHalfUp(13.6, 2)).toBe('13.60');
    expect(roundHalfUp(0.00205, 4)).toBe('0.0021');
  });

  it('drops trailing zeros where the specification allows it', () => {
    expect(roundTrimmed(27.8, 6)).toBe('27.8');
    expect(roundTrimmed(1, 6)).toBe('1');
    expect(roundTrimmed(0, 6)).toBe('0');
    expect(roundTrimmed(-0.0000001, 6)).toBe('0');
    expect(roundTrimmed(4671.0025645, 6)).toBe('4671.002565');
  });

  it('agrees with exact integer arithmetic on values with at most 9 decimals', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }), (n) => {
        // n / 1e9 as a decimal; rounding at 6 places by integer arithmetic, halves away from zero.
        const x = Number(n) / 1e9;
        if (String(x).includes('e')) return;
        const abs = n < 0n ? -n : n;
        const q = abs / 1000n + (abs % 1000n >= 500n ? 1n : 0n);
        const s = `${q / 1_000_000n}.${String(q % 1_000_000n).padStart(6, '0')}`;
        const want = n < 0n && q !== 0n ? `-${s}` : s;
        expect(roundHalfUp(x, 6)).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });
});
