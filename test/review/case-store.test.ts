import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaseEvents, recordCaseEvent } from '../../lambdas/adapters/case-store';
import { caseSummaries } from '../../lambdas/core/review/cases';
import { type S3rverFixture, startS3rver } from '../support/s3rver';

const BUCKET = 'cases-test';
let store: S3rverFixture;
let s3: S3Client;

beforeAll(async () => {
  store = await startS3rver([BUCKET], { tmpPrefix: 'bestex-cases-test-' });
  s3 = store.s3;
});
afterAll(async () => {
  await store?.stop();
});

const base = {
  case_id: '2026Q3-acme-sor-manual-1',
  source: 'acme-sor',
  period: '2026Q3',
  rule_id: '',
  who: 'jane.doe',
  breach_refs: [] as string[],
};

describe('case log in S3', () => {
  it('records a life cycle as one object per event and reads it back in order', async () => {
    const steps = [
      { event: 'opened', text: 'Opened after the committee meeting.', at: '2026-10-06T09:00:00.000Z' },
      { event: 'notified', text: 'Formal notice sent.', at: '2026-10-07T09:00:00.000Z' },
      { event: 'corrective_action_plan', text: 'Vendor plan received.', at: '2027-01-10T09:00:00.000Z' },
      { event: 'closed', closure: 'remediated', text: 'Two clean monthly reviews.', at: '2027-03-05T09:00:00.000Z' },
    ] as const;
    const keys: string[] = [];
    for (const s of steps) {
      const r = await recordCaseEvent(s3, BUCKET, { ...base, ...s });
      if (!r.ok) throw new Error(r.reason);
      keys.push(r.value.key);
    }
    expect(keys).toEqual([
      'cases/events/2026/2026Q3-acme-sor-manual-1-0001.json',
      'cases/events/2026/2026Q3-acme-sor-manual-1-0002.json',
      'cases/events/2027/2026Q3-acme-sor-manual-1-0003.json',
      'cases/events/2027/2026Q3-acme-sor-manual-1-0004.json',
    ]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'cases/' }));
    expect(listed.KeyCount).toBe(4);
    const raw = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[3] }))).Body?.transformToString();
    expect(JSON.parse(raw ?? '')).toMatchObject({ seq: 4, event: 'closed', closure: 'remediated', who: 'jane.doe' });
    const events = await loadCaseEvents(s3, BUCKET);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(caseSummaries(events)[0]).toMatchObject({ status: 'closed', closure: 'remediated', notified_at: '2026-10-07T09:00:00.000Z' });
  });

  it('refuses an event after closure and writes nothing', async () => {
    const r = await recordCaseEvent(s3, BUCKET, { ...base, event: 'investigation_note', text: 'late', at: '2027-04-01T09:00:00.000Z' });
    expect(r.ok).toBe(false);
    expect((await loadCaseEvents(s3, BUCKET)).length).toBe(4);
  });

  it('a malformed object in the log is an error naming it', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cases/events/2027/broken-0001.json', Body: '{"case_id":' }));
    await expect(loadCaseEvents(s3, BUCKET)).rejects.toThrow(`s3://${BUCKET}/cases/events/2027/broken-0001.json: not JSON`);
  });
});
