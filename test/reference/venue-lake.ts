/**
 * Adds what the venue-analysis metrics need to a random lake, from its own seeded stream so the
 * lake itself is unchanged: directed orders, fees and rebates on fills (some missing, with or
 * without a liquidity flag), and venue terms with access fees, rebates and affiliates.
 */
import type { LakeData } from './lake';
import { rng } from './random-lake';

export function withVenueTerms(data: LakeData, seed: number): LakeData {
  const r = rng(seed ^ 0x5eed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  return {
    ...data,
    orders: data.orders.map((o) => ({ ...o, directed: r() < 0.15 ? 'Y' : 'N' })),
    executions: data.executions.map((x) => {
      const liquidity = pick(['A', 'R', 'X', null] as const);
      // 1e-6 grid like the lake's decimals; negative = rebate
      const fee = r() < 0.5 ? null : Math.round(x.qty * pick([-0.002, 0, 0.003]) * 1e6) / 1e6;
      return { ...x, liquidity, fee };
    }),
    venues: data.venues.map((v) => ({
      ...v,
      fee_per_share: pick([0, 0.003]),
      rebate_per_share: pick([0, 0.002]),
      affiliated: pick(['Y', 'N', 'N'] as const),
    })),
  };
}
