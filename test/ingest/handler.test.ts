/**
 * The S3 path with the real handler and a real S3 endpoint (s3rver on 127.0.0.1): AWS-encoded
 * keys with spaces, '+' and '%', test events, partial batch failure, limits, replacement of an
 * earlier version's outputs, and the orphan count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeS3Key, refsFromSqsBody } from '../../lambdas/normalise/events';
import { handler } from '../../lambdas/normalise/handler';
import { normaliseObject } from '../../lambdas/normalise/run';
import { keyId, LAKE, QUARANTINE } from '../../lambdas/shared/layout';
import { encodeS3EventKey, s3Notification, sqsEvent } from './events';
import { manifestOf, queryLake } from './lake';
import { type LocalS3, startS3 } from './s3';

const EXEC = 'exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee';
const execs = (ids: string[], orders: string[] = ids.map((i) => `O${i}`)) =>
  `${[EXEC, ...ids.map((id, i) => `E${id},${orders[i]},,XNAS,2026-07-01T14:00:00Z,10.5,100,A,`)].join('\n')}\n`;

let s: LocalS3;
beforeAll(async () => {
  s = await startS3();
});
afterAll(async () => {
  await s?.stop();
});

describe('S3 event keys', () => {
  it('decodes the way S3 encodes: + is a space, %2B a plus, %25 a percent sign', () => {
    expect(decodeS3Key('a+b%2Bc%25d%20e/%C3%A9.csv')).toBe('a b+c%d e/é.csv');
    expect(decodeS3Key(encodeS3EventKey('x/y z+%é.csv'))).toBe('x/y z+%é.csv');
  });

  it('ignores test events and non-create events, and rejects bodies that are not S3 events', () => {
    expect(refsFromSqsBody(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' }))).toEqual({
      ok: true,
      refs: [],
      ignored: 1,
    });
    expect(refsFromSqsBody(s3Notification('b', 'k/k/k.csv', 1, 'ObjectRemoved:Delete'))).toEqual({ ok: true, refs: [], ignored: 1 });
    expect(refsFromSqsBody('not json').ok).toBe(false);
    expect(refsFromSqsBody('{"Records":[{"s3":{}}]}').ok).toBe(false);
  });
});

describe('handler over S3', () => {
  it.each([
    'acme-sor/executions/with space/a b.csv',
    'acme-sor/executions/plus+sign.csv',
    'acme-sor/executions/100% done%2B.csv',
    'acme-sor/executions/été/naïve.csv',
  ])('processes %s under its exact key', async (key) => {
    // Ids of their own: the same ids in another file of the source would be duplicates.
    const tag = keyId(key).slice(0, 6);
    const body = execs(['1', '2', '3'].map((i) => `${tag}-${i}`));
    await s.put(key, body);
    const res = await handler(sqsEvent([s3Notification(s.buckets.drop, key, body.length)]));
    expect(res).toEqual({ batchItemFailures: [] });
    const m = await manifestOf(s, key);
    expect(m).toMatchObject({ drop_key: key, status: 'loaded', rows_read: 3, rows_written: 3 });
    expect(m.outputs.map((o) => o.key)).toEqual([
      `executions/source=acme-sor/trade_date=2026-07-01/part-${keyId(key)}-${m.load_id}.parquet`,
    ]);
    const [r] = await queryLake(s, [m.outputs[0]?.key as string], 'SELECT DISTINCT source_key FROM read_parquet({files})');
    expect(r?.source_key).toBe(key);
  });

  it('reports only the failed messages of a batch (partial batch failure)', async () => {
    const key = 'acme-sor/executions/batch-ok.csv';
    const body = execs(['1']);
    await s.put(key, body);
    const res = await handler(
      sqsEvent([
        s3Notification(s.buckets.drop, key, body.length),
        'this is not an S3 event',
        JSON.stringify({ Event: 's3:TestEvent' }),
        s3Notification(s.buckets.drop, 'acme-sor/executions/never-uploaded.csv', 10),
      ]),
    );
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-3' }]);
    expect((await manifestOf(s, key)).status).toBe('loaded');
  });

  it('rejects an object over MAX_OBJECT_BYTES without reading it, loudly', async () => {
    const key = 'acme-sor/executions/too big.csv';
    const body = execs(['1', '2']);
    await s.put(key, body);
    process.env.MAX_OBJECT_BYTES = '50';
    try {
      await handler(sqsEvent([s3Notification(s.buckets.drop, key, body.length)]));
    } finally {
      delete process.env.MAX_OBJECT_BYTES;
    }
    const m = await manifestOf(s, key);
    expect(m.status).toBe('rejected');
    expect(m.reason).toContain('more than the limit of 50 bytes');
    expect(m.rows_read).toBe(0);
    expect(await s.get('quarantine', QUARANTINE.file(key))).toBe(body);
    expect(s.notices().some((n) => n.subject.includes(key))).toBe(true);
  });

  it('writes nothing when the invocation is about to time out (the message is retried)', async () => {
    const key = 'acme-sor/executions/late.csv';
    await s.put(key, execs(['1']));
    await expect(normaliseObject({ bucket: s.buckets.drop, key }, { remainingMs: () => 1000 })).rejects.toThrow(/Lambda timeout/);
    expect(await s.get('lake', LAKE.manifest(key))).toBeUndefined();
    expect((await s.list('lake')).filter((k) => k.includes(keyId(key)))).toEqual([]);
  });

  it('a rejected new version removes the earlier version rows; a good one clears the quarantine', async () => {
    const key = 'acme-sor/executions/versions.csv';
    await s.put(key, execs(['v1', 'v2']));
    const v1 = await normaliseObject({ bucket: s.buckets.drop, key });
    expect(v1.status).toBe('loaded');
    await s.put(key, 'garbage;with;semicolons\n1;2;3\n');
    const v2 = await normaliseObject({ bucket: s.buckets.drop, key });
    expect(v2.status).toBe('rejected');
    expect(v2.replaced).toEqual({ previous_sha256: v1.sha256, removed_keys: v1.outputs.map((o) => o.key) });
    expect((await s.list('lake')).filter((k) => k.includes(keyId(key)) && k.endsWith('.parquet'))).toEqual([]);
    expect(await s.get('quarantine', QUARANTINE.reason(key))).toBeDefined();
    await s.put(key, execs(['v1', 'v2', 'v3']));
    const v3 = await normaliseObject({ bucket: s.buckets.drop, key });
    expect(v3).toMatchObject({ status: 'loaded', rows_written: 3 });
    expect(await s.get('quarantine', QUARANTINE.reason(key))).toBeUndefined();
    expect(await s.get('quarantine', QUARANTINE.file(key))).toBeUndefined();
  });

  it('counts executions whose order is not in the lake for that source and date (orphans)', async () => {
    const orders =
      'order_id,symbol,side,order_type,limit_price,tif,qty,received_ts\nOA,AAPL,B,MKT,,DAY,100,2026-07-01T14:00:00Z\nOB,AAPL,B,MKT,,DAY,100,2026-07-01T14:00:00Z\n';
    await s.put('zeta-sor/orders/o.csv', orders);
    expect((await normaliseObject({ bucket: s.buckets.drop, key: 'zeta-sor/orders/o.csv' })).rows_written).toBe(2);
    // OA, OB exist; OC and OD do not (OD twice): 3 orphans of 5.
    await s.put('zeta-sor/executions/e.csv', execs(['1', '2', '3', '4', '5'], ['OA', 'OB', 'OC', 'OD', 'OD']));
    const m = await normaliseObject({ bucket: s.buckets.drop, key: 'zeta-sor/executions/e.csv' });
    expect(m.rows_written).toBe(5);
    expect(m.orphans).toBe(3);
  });
});
