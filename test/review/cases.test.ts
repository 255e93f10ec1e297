import { describe, expect, it } from 'vitest';
import {
  breachRef,
  type CaseEvent,
  caseEventKey,
  caseSummaries,
  casesForBreaches,
  type NewCaseEvent,
  parseCaseEvent,
  serializeCaseEvent,
  validateCaseEvent,
} from '../../lambdas/core/review/cases';
import type { RuleOutcome } from '../../lambdas/core/review/evaluate';

const breach = (p: Partial<RuleOutcome>): RuleOutcome =>
  ({
    period: '2026Q3',
    rule_id: 'pi-market',
    metric: 'price_improvement_per_share',
    source: 'acme-sor',
    symbol: '*',
    order_category: 'market',
    venue: '*',
    size_bucket: '*',
    sp500: '*',
    status: 'breach',
    severity: 'high',
    action: 'Investigate.',
    ...p,
  }) as RuleOutcome;

const ev = (p: Partial<NewCaseEvent>): NewCaseEvent => ({
  case_id: '2026Q3-acme-sor-pi-market',
  source: 'acme-sor',
  period: '2026Q3',
  rule_id: 'pi-market',
  event: 'investigation_note',
  text: 'text',
  who: 'jane.doe',
  at: '2026-10-06T09:00:00.000Z',
  breach_refs: [],
  ...p,
});

/** Appends through validation, failing the test on a refusal. */
function append(log: CaseEvent[], next: NewCaseEvent): CaseEvent[] {
  const r = validateCaseEvent(log, next);
  if (!r.ok) throw new Error(r.reason);
  return [...log, r.value];
}

describe('automatic opening', () => {
  const outcomes = [
    breach({}),
    breach({ symbol: 'AAPL' }),
    breach({ rule_id: 'fill-time-avg', metric: 'avg_exec_time_ms', severity: 'medium' }),
    breach({ source: 'bolt-sor', status: 'pass' }),
  ];

  it('one case per source + rule + period, with every breach referenced', () => {
    const events = casesForBreaches(outcomes, [], { at: '2026-10-05T11:00:00.000Z' });
    expect(events.map((e) => [e.case_id, e.event, e.seq])).toEqual([
      ['2026Q3-acme-sor-fill-time-avg', 'opened', 1],
      ['2026Q3-acme-sor-pi-market', 'opened', 1],
    ]);
    expect(events[1]?.breach_refs).toEqual(['2026Q3/pi-market/acme-sor/*,market,*,*,*', '2026Q3/pi-market/acme-sor/AAPL,market,*,*,*']);
    expect(events[1]?.who).toBe('bestex-review');
    expect(events[1]?.text).toMatch(/pi-market .* in 2 groups\. Action: Investigate\./);
  });

  it('is idempotent: a re-run opens nothing already open', () => {
    const first = casesForBreaches(outcomes, [], { at: '2026-10-05T11:00:00.000Z' });
    expect(casesForBreaches(outcomes, first, { at: '2026-10-05T12:00:00.000Z' })).toEqual([]);
  });

  it('records heightened monitoring on the new case when the source is heightened', () => {
    const events = casesForBreaches([breach({})], [], {
      at: '2026-10-05T11:00:00.000Z',
      heightened: new Set(['acme-sor']),
      cleanReviewsToExit: 2,
    });
    expect(events.map((e) => [e.event, e.seq])).toEqual([
      ['opened', 1],
      ['heightened_monitoring', 2],
    ]);
    expect(events[1]?.text).toMatch(/monthly reviews until 2 consecutive clean reviews/);
  });
});

describe('validation of the log', () => {
  const opened = casesForBreaches([breach({})], [], { at: '2026-10-05T11:00:00.000Z' });

  it('a full life cycle: notified, notes, plan, heightened monitoring, closed as justified', () => {
    let log = opened;
    log = append(log, ev({ event: 'notified', text: 'Formal notice sent to the vendor with the TCA evidence.' }));
    log = append(log, ev({ event: 'investigation_note', text: 'Vendor: a venue outage diverted flow.' }));
    log = append(
      log,
      ev({ event: 'corrective_action_plan', text: 'Vendor re-weights venue ranking by 2026-11-15.', at: '2026-10-20T09:00:00.000Z' }),
    );
    log = append(
      log,
      ev({
        event: 'closed',
        closure: 'justified',
        justification: 'Outage-driven, one-off; Q4 monthly reviews clean.',
        text: 'Closed by committee.',
      }),
    );
    expect(log.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const [s] = caseSummaries(log);
    expect(s).toMatchObject({
      case_id: '2026Q3-acme-sor-pi-market',
      status: 'closed',
      closure: 'justified',
      justification: 'Outage-driven, one-off; Q4 monthly reviews clean.',
      notified_at: '2026-10-06T09:00:00.000Z',
      plan_at: '2026-10-20T09:00:00.000Z',
      events: 5,
    });
    expect(s?.timeline[4]).toMatch(/closed \(justified\): Closed by committee\. Justification: Outage-driven/);
  });

  const refusals: [string, NewCaseEvent, RegExp][] = [
    ['event before opened', ev({ case_id: 'nope' }), /does not exist: open it first/],
    ['second opened', ev({ event: 'opened' }), /already open/],
    ['justified without justification', ev({ event: 'closed', closure: 'justified' }), /needs the justification/],
    ['closed without closure', ev({ event: 'closed' }), /closing needs a closure/],
    ['closure on a note', ev({ closure: 'remediated' }), /belong to a "closed" event only/],
    ['no who', ev({ who: ' ' }), /say who/],
    ['no text', ev({ text: '' }), /needs a text/],
    ['bad time', ev({ at: 'yesterday' }), /ISO-8601/],
    ['other source', ev({ source: 'bolt-sor' }), /belongs to source acme-sor/],
    ['bad id', ev({ case_id: '../x' }), /case id must be/],
  ];
  for (const [name, next, reason] of refusals) {
    it(`refuses: ${name}`, () => {
      const r = validateCaseEvent(opened, next);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    });
  }

  it('nothing after closed', () => {
    const log = append(opened, ev({ event: 'closed', closure: 'terminated', text: 'Vendor terminated.' }));
    const r = validateCaseEvent(log, ev({ text: 'late note' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/closed \(terminated\).*open a new case/);
  });
});

describe('storage format', () => {
  it('one object per event under cases/events/<yyyy>/, one JSON line each, round-tripping', () => {
    const [e] = casesForBreaches([breach({})], [], { at: '2026-10-05T11:00:00.000Z' });
    const event = e as CaseEvent;
    expect(caseEventKey(event)).toBe('cases/events/2026/2026Q3-acme-sor-pi-market-0001.json');
    const text = serializeCaseEvent(event);
    expect(text.split('\n')).toHaveLength(2); // one line + final newline: what the Athena JSON SerDe reads
    expect(parseCaseEvent(text, 'k')).toEqual({ ok: true, value: event });
    const bad = parseCaseEvent('{"case_id":1}', 's3://r/cases/events/2026/x.json');
    expect(bad.ok).toBe(false);
  });

  it('breachRef names the group', () => {
    expect(breachRef(breach({ symbol: 'MSFT', venue: 'XNAS' }))).toBe('2026Q3/pi-market/acme-sor/MSFT,market,XNAS,*,*');
  });
});
