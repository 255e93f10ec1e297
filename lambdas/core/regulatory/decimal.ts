/**
 * Decimal rounding for the regulatory files, on the decimal reading of a double (its shortest
 * round-trip form, what String(x) prints), so 12.3456785 rounds to 12.345679 as the SEC's rule
 * says ("if the digit following the sixth decimal place is five or greater ... round up"),
 * instead of to whatever the binary neighbour 12.34567849999… gives.
 */

interface Digits {
  neg: boolean;
  /** Integer digits, no leading zeros except "0". */
  int: string;
  /** Fraction digits, as many as the shortest form has. */
  frac: string;
}

function digitsOf(x: number): Digits {
  if (!Number.isFinite(x)) throw new Error(`cannot write ${x} as a decimal`);
  const neg = x < 0 || Object.is(x, -0);
  const s = String(Math.abs(x));
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
  if (!m) throw new Error(`unexpected number form ${s}`);
  let int = m[1] as string;
  let frac = m[2] ?? '';
  const exp = Number(m[3] ?? 0);
  if (exp > 0) {
    frac = frac.padEnd(exp, '0');
    int += frac.slice(0, exp);
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const all = int.padStart(-exp + 1, '0');
    frac = all.slice(all.length + exp) + frac;
    int = all.slice(0, all.length + exp);
  }
  int = int.replace(/^0+(?=\d)/, '');
  return { neg, int, frac };
}

/** `x` with exactly `places` decimals, halves rounded away from zero; "-0.00" is written "0.00". */
export function roundHalfUp(x: number, places: number): string {
  const { neg, int, frac } = digitsOf(x);
  const kept = (int + frac.padEnd(places, '0').slice(0, places)).split('').map(Number);
  if ((frac[places] ?? '0') >= '5') {
    let i = kept.length - 1;
    for (; i >= 0; i--) {
      if ((kept[i] as number) < 9) {
        kept[i] = (kept[i] as number) + 1;
        break;
      }
      kept[i] = 0;
    }
    if (i < 0) kept.unshift(1);
  }
  const digits = kept.join('');
  const intPart = digits.slice(0, digits.length - places).replace(/^0+(?=\d)/, '') || '0';
  const fracPart = digits.slice(digits.length - places);
  const body = places > 0 ? `${intPart}.${fracPart}` : intPart;
  return neg && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Rounded half-up to `places`, trailing zeros (and a bare point) dropped: 27.800000 → "27.8", 1.000000 → "1". */
export function roundTrimmed(x: number, places: number): string {
  const s = roundHalfUp(x, places);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
