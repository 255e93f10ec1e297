/**
 * The case the CLI tests open, on both targets: acme-sor's pi-market rule in 2026Q3. The case id
 * is derived from the three by lambdas/core/review/cases.ts; the tests spell it out to check that.
 */
export const PI_MARKET_CASE: readonly string[] = ['--source', 'acme-sor', '--period', '2026Q3', '--rule', 'pi-market'];
export const PI_MARKET_CASE_ID = '2026Q3-acme-sor-pi-market';
