/**
 * `bestex committee` on the AWS target against a real S3 protocol endpoint (s3rver standing in for
 * the deployed results and evidence buckets, found through a stack outputs file).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommitteeRecords, writeAgenda } from '../../lambdas/adapters/committee-store';
import { loadConfig } from '../../lambdas/shared/config';
import { AwsTarget } from '../../lib/aws/aws-target';
import { recordDetermination, recordDissent, recordDueDiligence, recordMinutes, recordSignoff } from '../../lib/cli/commands/committee';
import { collectStatus, describeStatus } from '../../lib/cli/commands/status';
import { caseEvents } from '../../lib/cli/support/case-log';
import { type FakeStack, startFakeStack } from '../cli/s3';
import { DUE_DILIGENCE_ANSWERS } from '../support/committee';

let stack: FakeStack;
let work: string;
const config = loadConfig();

const target = () =>
  AwsTarget.open({
    config,
    region: 'us-east-1',
    stackName: 'Bestex',
    outputsFile: stack.outputsFile,
    ui: { log: () => {} },
    clients: { s3: stack.s3 },
  });

beforeAll(async () => {
  stack = await startFakeStack();
  // Inside the stack's temporary folder, which stop() removes.
  work = mkdtempSync(join(stack.dir, 'work-'));
});
afterAll(() => stack?.stop());

const item = (id: string, kind: 'finding' | 'material_difference', title: string) => ({
  item_id: id,
  kind,
  period: '2026Q3',
  source: 'acme-sor',
  title,
  severity: 'high' as const,
  cost_usd: null,
});

describe('bestex committee on the AWS target', () => {
  it('files minutes, determinations, dissent and a sign-off; what is undecided stays open in status', async () => {
    const t = await target();
    await writeAgenda(stack.s3, stack.buckets.results, {
      period: '2026Q3',
      source: 'acme-sor',
      runId: 'run-1',
      decide_by: '2026-11-04',
      items: [
        item('2026Q3/acme-sor/pi_market', 'finding', 'Market orders got less price improvement than the peers.'),
        item('2026Q3/acme-sor/speed_market', 'finding', 'Market orders filled slower than the peers.'),
        item('2026Q3/difference/avg_exec_time_ms/*/market/acme-sor<bolt-sor', 'material_difference', 'bolt-sor filled faster.'),
      ],
    });
    const at = (d: string) => `2026-10-${d}T15:00:00.000Z`;
    await recordMinutes(t, { period: '2026Q3', date: '2026-10-05', attendees: ['Jane Doe (CCO)', 'Raj Patel'], who: 'jdoe', at: at('05') });
    await recordDetermination(t, '2026Q3/acme-sor/pi_market', {
      decision: 'accept',
      rationale: 'Gap explained by the odd-lot mix; watch next quarter.',
      owner: 'Raj Patel',
      who: 'jdoe',
      at: at('05'),
    });
    // "remediate" with no case yet opens the finding's own case (period-source-rule).
    const rem = await recordDetermination(t, '2026Q3/acme-sor/speed_market', {
      decision: 'remediate',
      rationale: 'Vendor to fix the queue.',
      owner: 'Raj Patel',
      who: 'jdoe',
      at: at('05'),
    });
    expect(rem.record).toMatchObject({ seq: 3, decision: 'remediate', case_id: '2026Q3-acme-sor-speed_market' });
    expect((await caseEvents(t)).map((e) => [e.case_id, e.event])).toEqual([['2026Q3-acme-sor-speed_market', 'opened']]);
    await expect(recordDetermination(t, 'no/such/item', { decision: 'accept', rationale: 'x', owner: 'y', who: 'jdoe' })).rejects.toThrow(
      /agenda/,
    );
    await recordDissent(t, {
      period: '2026Q3',
      name: 'Raj Patel',
      text: 'I would remediate the price gap too.',
      item: '2026Q3/acme-sor/pi_market',
      who: 'jdoe',
      at: at('05'),
    });
    const signed = await recordSignoff(t, { period: '2026Q3', name: 'Jane Doe, CCO', who: 'jdoe', at: at('06') });
    expect(signed.record).toMatchObject({ seq: 5, kind: 'signoff', name: 'Jane Doe, CCO' });
    expect((signed.record as { covers: { seq: number }[] }).covers.map((c) => c.seq)).toEqual([1, 2, 3, 4]);

    // Every record is in both buckets, byte for byte, and the chain reads back.
    for (const seq of [1, 2, 3, 4, 5]) {
      const key = `committee/records/00000${seq}.json`;
      expect((await stack.get('evidence', key))?.toString()).toBe((await stack.get('results', key))?.toString());
    }
    expect((await loadCommitteeRecords(stack.s3, stack.buckets.results)).map((r) => r.kind)).toEqual([
      'minutes',
      'determination',
      'determination',
      'dissent',
      'signoff',
    ]);

    const status = await collectStatus(t, 7, new Date('2026-10-07T00:00:00Z'));
    expect(status.openItems.map((i) => i.item_id)).toEqual(['2026Q3/difference/avg_exec_time_ms/*/market/acme-sor<bolt-sor']);
    expect(describeStatus(status)).toContain('Open committee items (1)');
  });

  it('keeps due-diligence answers as versions, says what changed, and reminds before the refresh falls due', async () => {
    const t = await target();
    const answers = DUE_DILIGENCE_ANSWERS;
    const f1 = join(work, 'dd-2025.json');
    writeFileSync(f1, JSON.stringify({ as_of: '2025-11-15', ...answers }));
    const first = await recordDueDiligence(t, { source: 'acme-sor', file: f1, who: 'jdoe', at: '2025-11-20T10:00:00.000Z' });
    expect(first.version?.previous).toBeUndefined();
    const f2 = join(work, 'dd-2026.json');
    writeFileSync(
      f2,
      JSON.stringify({ as_of: '2026-11-10', ...answers, venues: ['XNAS', 'CDRG', 'EDGX'], pfof: 'CDRG pays $0.0010/share.' }),
    );
    const second = await recordDueDiligence(t, { source: 'acme-sor', file: f2, who: 'jdoe', at: '2026-11-12T10:00:00.000Z' });
    expect(second.version?.changes.map((c) => [c.field, c.added, c.removed])).toEqual([
      ['venues', ['EDGX'], ['XNYS']],
      ['pfof', undefined, undefined],
    ]);
    await expect(recordDueDiligence(t, { source: 'acme-sor', file: f2, who: 'jdoe' })).rejects.toThrow(/already has/);
    const bad = join(work, 'dd-bad.json');
    writeFileSync(bad, JSON.stringify({ as_of: '2026-11-10', venues: [] }));
    await expect(recordDueDiligence(t, { source: 'acme-sor', file: bad, who: 'jdoe' })).rejects.toThrow(/venues/);

    // Both versions await sign-off; the refresh of 2026-11-10 falls due 2027-11-10.
    const status = await collectStatus(t, 7, new Date('2027-10-01T00:00:00Z'));
    expect(status.openItems.filter((i) => i.kind === 'due_diligence').map((i) => i.item_id)).toEqual([
      'due-diligence/acme-sor/2025-11-15',
      'due-diligence/acme-sor/2026-11-10',
    ]);
    expect(status.dueDiligence.find((d) => d.source === 'acme-sor')).toMatchObject({ state: 'due_soon', due: '2027-11-10', days_left: 40 });
    await recordDetermination(t, 'due-diligence/acme-sor/2026-11-10', {
      decision: 'escalate',
      rationale: 'New PFOF from CDRG: the board decides.',
      owner: 'Jane Doe',
      period: '2026Q4',
      who: 'jdoe',
    });
    const after = await collectStatus(t, 7, new Date('2027-10-01T00:00:00Z'));
    expect(after.openItems.filter((i) => i.kind === 'due_diligence').map((i) => i.item_id)).toEqual(['due-diligence/acme-sor/2025-11-15']);
  });

  it('refuses a log whose record was altered in the bucket, naming it', async () => {
    const key = 'committee/records/000002.json';
    const original = (await stack.get('results', key))?.toString() ?? '';
    await stack.put('results', key, original.replace('odd-lot', 'even-lot'));
    await expect(loadCommitteeRecords(stack.s3, stack.buckets.results)).rejects.toThrow(/record 2/);
    await stack.put('results', key, original);
  });
});
