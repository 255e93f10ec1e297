/** The compliance notice a person reads on a phone, written from the findings. */
import { describe, expect, it } from 'vitest';
import { composeNotices, verdictLines } from '../../lambdas/core/review/notify';
import { FINDINGS, outcome } from '../package/fixtures';

const LINK =
  'https://us-east-1.console.aws.amazon.com/s3/object/results?region=us-east-1&prefix=packages%2F2026Q3%2Fvendor-a%2Freport.html';

describe('phone notice from findings', () => {
  const [a, b] = composeNotices(
    [outcome({ rule_id: 'pi-market', metric: 'price_improvement_per_share', status: 'breach', severity: 'high' })],
    {
      period: '2026Q3',
      packageUri: (s) => `s3://results/packages/2026Q3/${s}/`,
      link: () => LINK,
      decideBy: '2026-11-04',
      monitoring: {},
      findings: FINDINGS,
      expectedSources: ['vendor-a', 'vendor-b'],
    },
  );

  it('names the router, the findings and their cost in the subject', () => {
    expect(a?.subject).toBe('[bestex] vendor-a 2026Q3: 2 findings, $41,100 (price improvement, speed)');
    expect(b?.subject).toBe('[bestex] vendor-b 2026Q3: clean, no finding');
  });

  it('keeps every line under 80 characters, except the link, which stays whole', () => {
    const lines = (a?.message ?? '').split('\n');
    expect(lines.filter((l) => l.length >= 80)).toEqual([LINK]);
  });

  it('says the top findings in plain words with units and customer cost, what to decide by when, and links the report', () => {
    const m = a?.message ?? '';
    for (const s of [
      '1. Market orders: price improvement vs NBBO (high)',
      '−$0.00003/share vs $0.0030/share peer vendor-b',
      '$0.0030/share below; customer cost $41,100',
      '2. Market orders: average fill time (medium)',
      '176 ms vs 91 ms peer vendor-b',
      'by 2026-11-04',
      'bestex committee determine',
      `Report:\n${LINK}`,
    ]) {
      expect(m).toContain(s);
    }
    expect(m).not.toMatch(/\d\.\d{7,}/);
    expect(m).not.toContain('price_improvement_per_share');
  });

  it('gives the terminal the same words', () => {
    const lines = verdictLines('vendor-a', FINDINGS, { decideBy: '2026-11-04' });
    for (const l of lines) expect(a?.message).toContain(l);
  });
});
