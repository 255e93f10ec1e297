/**
 * Rule 605 order-size bucket of a notional in USD (qty × mid at receipt), written out here from
 * the rule's table for the reference computations; the SQL (sql/enrich) has its own.
 */
const BOUNDS: readonly [upper: number, bucket: string][] = [
  [250, '0'],
  [1000, '250'],
  [5000, '1000'],
  [10000, '5000'],
  [20000, '10000'],
  [50000, '20000'],
  [200000, '50000'],
];

export function sizeBucket(notional: number): string {
  for (const [upper, bucket] of BOUNDS) if (notional < upper) return bucket;
  return '200000';
}
