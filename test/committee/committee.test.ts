import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type Agenda,
  type CommitteeRecord,
  chainRecord,
  differenceId,
  dueDiligenceChanges,
  dueDiligenceHistory,
  dueDiligenceStatus,
  minutesOf,
  type NewCommitteeRecord,
  openItems,
  periodBefore,
  signoffCovers,
  validateDetermination,
  verifyChain,
} from '../../lambdas/core/review/committee';
import { committeeLog, DUE_DILIGENCE_ANSWERS } from '../support/committee';

const AT = '2026-10-05T15:00:00.000Z';

const build = committeeLog;

const minutes: NewCommitteeRecord = {
  kind: 'minutes',
  at: AT,
  who: 'Jane Doe',
  period: '2026Q3',
  meeting_date: '2026-10-05',
  attendees: ['Jane Doe (CCO)', 'Raj Patel (Head of Trading)'],
  text: '',
};
const determination = (item: string, decision: 'accept' | 'remediate' = 'accept'): NewCommitteeRecord => ({
  kind: 'determination',
  at: AT,
  who: 'Jane Doe',
  period: '2026Q3',
  source: 'acme-sor',
  item_id: item,
  item_kind: 'finding',
  decision,
  rationale: 'Spread widening during the March volatility explains the gap.',
  owner: 'Raj Patel',
  case_id: decision === 'remediate' ? '2026Q3-acme-sor-pi_market' : null,
});

describe('committee log chain', () => {
  it('numbers and links records; each hash is SHA-256 of the record with its keys sorted, without its own hash', () => {
    const log = build([minutes, determination('2026Q3/acme-sor/pi_market')]);
    expect(log.map((r) => r.seq)).toEqual([1, 2]);
    expect(log[0]?.prev_sha256).toBeNull();
    expect(log[1]?.prev_sha256).toBe(log[0]?.sha256);
    // Independent computation: JSON.stringify with a sorted key list (a different canonicaliser).
    const { sha256: own, ...rest } = log[1] as CommitteeRecord;
    const keys = Object.keys(rest).sort();
    const expected = createHash('sha256').update(JSON.stringify(rest, keys)).digest('hex');
    expect(own).toBe(expected);
    expect(verifyChain(log)).toEqual({ ok: true, value: { records: 2, head: own } });
  });

  it('names the record that was edited, removed or reordered', () => {
    const log = build([minutes, determination('a'), determination('b')]);
    const edited = log.map((r) => (r.seq === 2 ? { ...r, rationale: 'something else' } : r)) as CommitteeRecord[];
    expect(verifyChain(edited)).toMatchObject({ ok: false, reason: expect.stringContaining('record 2') });
    expect(verifyChain([log[0], log[2]] as CommitteeRecord[])).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
    // Re-hashing an edited record does not help: the next record's link breaks.
    const rehashed = build([
      minutes,
      { ...(determination('a') as Extract<NewCommitteeRecord, { kind: 'determination' }>), rationale: 'forged' },
    ]);
    expect(verifyChain([rehashed[0], rehashed[1], log[2]] as CommitteeRecord[])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('record 3'),
    });
  });

  it('refuses an incomplete record', () => {
    const r = chainRecord([], { ...minutes, attendees: [] } as NewCommitteeRecord);
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('attendees') });
  });
});

describe('agenda, determinations and open items', () => {
  const agendas: Agenda[] = [
    {
      period: '2026Q2',
      source: 'acme-sor',
      runId: 'r1',
      decide_by: '2026-07-31',
      items: [
        {
          item_id: '2026Q2/acme-sor/pi_market',
          kind: 'finding',
          period: '2026Q2',
          source: 'acme-sor',
          title: 'x',
          severity: 'high',
          cost_usd: 10,
        },
        {
          item_id: '2026Q2/difference/x',
          kind: 'material_difference',
          period: '2026Q2',
          source: 'acme-sor',
          title: 'y',
          severity: 'medium',
          cost_usd: null,
        },
      ],
    },
    {
      period: '2026Q3',
      source: 'acme-sor',
      runId: 'r2',
      decide_by: '2026-10-31',
      items: [
        {
          item_id: '2026Q3/acme-sor/pi_market',
          kind: 'finding',
          period: '2026Q3',
          source: 'acme-sor',
          title: 'z',
          severity: 'high',
          cost_usd: 5,
        },
      ],
    },
  ];

  it('lists every item without a determination; a determination closes only its own item', () => {
    const log = build([minutes, determination('2026Q2/acme-sor/pi_market')]);
    expect(openItems(agendas, log).map((i) => i.item_id)).toEqual(['2026Q2/difference/x', '2026Q3/acme-sor/pi_market']);
    expect(openItems(agendas, log, { before: '2026Q3' }).map((i) => i.item_id)).toEqual(['2026Q2/difference/x']);
  });

  it('compares quarters and months by their start', () => {
    expect(periodBefore('2026Q2', '2026Q3')).toBe(true);
    expect(periodBefore('2026-06', '2026Q3')).toBe(true);
    expect(periodBefore('2026-07', '2026Q3')).toBe(false);
    expect(periodBefore('2025Q4', '2026-01')).toBe(true);
  });

  it('checks a determination against the agenda and asks a case of "remediate"', () => {
    const items = agendas.flatMap((a) => a.items);
    const d = determination('nope') as Extract<NewCommitteeRecord, { kind: 'determination' }>;
    expect(validateDetermination(d, items)).toMatchObject({ ok: false, reason: expect.stringContaining('2026Q2/difference/x') });
    const r = {
      ...(determination('2026Q3/acme-sor/pi_market', 'remediate') as Extract<NewCommitteeRecord, { kind: 'determination' }>),
      case_id: null,
    };
    expect(validateDetermination(r, items)).toMatchObject({ ok: false, reason: expect.stringContaining('case') });
  });

  it('a sign-off covers the records of its period since the last sign-off', () => {
    const log = build([minutes, determination('a')]);
    const covers = signoffCovers(log, '2026Q3');
    expect(covers.map((c) => c.seq)).toEqual([1, 2]);
    const signed = build([
      minutes,
      determination('a'),
      { kind: 'signoff', at: AT, who: 'Jane Doe', period: '2026Q3', name: 'Jane Doe', covers },
      determination('b'),
    ]);
    expect(signoffCovers(signed, '2026Q3').map((c) => c.seq)).toEqual([4]);
    expect(minutesOf(signed, '2026Q3')).toMatchObject({ unsigned: 1 });
  });

  it('gives a material difference the same id in a re-run', () => {
    const d = {
      dimension: 'source',
      metric: 'price_improvement_per_share',
      symbol: 'AAPL',
      order_category: 'market',
      better: 'bolt-sor',
      worse: 'acme-sor',
    };
    expect(differenceId('2026Q3', d)).toBe(differenceId('2026Q3', { ...d }));
    expect(differenceId('2026Q3', d)).toBe('2026Q3/difference/price_improvement_per_share/AAPL/market/acme-sor<bolt-sor');
  });
});

describe('due diligence', () => {
  it('says what changed: venues added and removed, and each changed answer', () => {
    const next = { ...DUE_DILIGENCE_ANSWERS, venues: ['XNAS', 'CDRG', 'EDGX'], pfof: 'CDRG pays $0.0010/share.' };
    expect(dueDiligenceChanges(DUE_DILIGENCE_ANSWERS, next)).toEqual([
      { field: 'venues', before: 'XNAS, XNYS, CDRG', after: 'XNAS, CDRG, EDGX', added: ['EDGX'], removed: ['XNYS'] },
      { field: 'pfof', before: 'None.', after: 'CDRG pays $0.0010/share.' },
    ]);
    expect(dueDiligenceChanges(undefined, next)).toEqual([]);
    expect(dueDiligenceChanges(DUE_DILIGENCE_ANSWERS, { ...DUE_DILIGENCE_ANSWERS, pfof: ' None. ' })).toEqual([]);
  });

  it('keeps every version and compares each with the one before', () => {
    const dd = (asOf: string, answers: typeof DUE_DILIGENCE_ANSWERS): NewCommitteeRecord => ({
      kind: 'due_diligence',
      at: AT,
      who: 'Jane Doe',
      source: 'acme-sor',
      as_of: asOf,
      answers,
      file_sha256: 'a'.repeat(64),
    });
    const log = build([
      dd('2025-11-15', DUE_DILIGENCE_ANSWERS),
      dd('2026-11-10', { ...DUE_DILIGENCE_ANSWERS, routing_logic: 'New model.' }),
    ]);
    const hist = dueDiligenceHistory(log, 'acme-sor');
    expect(hist.map((v) => [v.record.as_of, v.previous?.as_of, v.changes.map((c) => c.field)])).toEqual([
      ['2025-11-15', undefined, []],
      ['2026-11-10', '2025-11-15', ['routing_logic']],
    ]);
  });

  it('falls due a year after the answers and reminds before', () => {
    const log = build([
      {
        kind: 'due_diligence',
        at: AT,
        who: 'J',
        source: 'acme-sor',
        as_of: '2025-11-15',
        answers: DUE_DILIGENCE_ANSWERS,
        file_sha256: 'b'.repeat(64),
      },
    ]);
    // 2026-10-01 → 2026-11-15: 31 (Oct) − 1 + 15 = 45 days.
    expect(dueDiligenceStatus(log, 'acme-sor', '2026-10-01')).toMatchObject({ state: 'due_soon', due: '2026-11-15', days_left: 45 });
    expect(dueDiligenceStatus(log, 'acme-sor', '2026-03-01')).toMatchObject({ state: 'current', days_left: 259 });
    expect(dueDiligenceStatus(log, 'acme-sor', '2026-11-16')).toMatchObject({ state: 'overdue', days_left: -1 });
    expect(dueDiligenceStatus(log, 'bolt-sor', '2026-10-01')).toMatchObject({ state: 'none', due: null });
  });
});
