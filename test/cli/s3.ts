/**
 * A real s3rver on 127.0.0.1 (random port, temp folder) standing in for the deployed stack's
 * buckets, named as CloudFormation names them, and the outputs file that points the CLI at them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { makeS3Client } from '../../lambdas/adapters/aws';
import { BUCKET_ROLES, type BucketRole } from '../../lambdas/shared/layout';

/** CfnOutput names of lib/stack.ts, written out here rather than imported, so a rename is caught. */
export const OUTPUT_NAMES: Record<BucketRole, string> = {
  drop: 'DropBucketName',
  lake: 'LakeBucketName',
  quarantine: 'QuarantineBucketName',
  results: 'ResultsBucketName',
  evidence: 'EvidenceBucketName',
  athena: 'AthenaResultsBucketName',
};

export interface FakeStack {
  endpoint: string;
  s3: S3Client;
  dir: string;
  buckets: Record<BucketRole, string>;
  outputsFile: string;
  server: S3rver;
  put(role: BucketRole, key: string, body: string | Buffer): Promise<void>;
  get(role: BucketRole, key: string): Promise<Buffer | undefined>;
  stop(): Promise<void>;
}

export async function startFakeStack(extraOutputs: Record<string, string> = {}): Promise<FakeStack> {
  const dir = mkdtempSync(join(tmpdir(), 'bestex-cli-s3-'));
  // Names shaped like CDK's generated bucket names.
  const buckets = Object.fromEntries(BUCKET_ROLES.map((r) => [r, `bestex-storage${r}bucket-1a2b3c4d5e6f`])) as Record<BucketRole, string>;
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(dir, 's3'),
    configureBuckets: BUCKET_ROLES.map((r) => ({ name: buckets[r], configs: [] })),
  });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = makeS3Client(endpoint);
  const outputs = {
    ...Object.fromEntries(BUCKET_ROLES.map((r) => [OUTPUT_NAMES[r], buckets[r]])),
    ReviewStateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Bestex-review',
    AthenaWorkGroupName: 'Bestex-bestex',
    GlueDatabaseName: 'bestex',
    ...extraOutputs,
  };
  const outputsFile = join(dir, 'outputs.json');
  // The shape `cdk deploy --outputs-file` writes: { <stack>: { <output>: <value> } }.
  writeFileSync(outputsFile, JSON.stringify({ Bestex: outputs }, null, 2));
  return {
    endpoint,
    s3,
    dir,
    buckets,
    outputsFile,
    server,
    async put(role, key, body) {
      await s3.send(new PutObjectCommand({ Bucket: buckets[role], Key: key, Body: body }));
    },
    async get(role, key) {
      try {
        const r = await s3.send(new GetObjectCommand({ Bucket: buckets[role], Key: key }));
        return Buffer.from(await (r.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
      } catch (e) {
        if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
        throw e;
      }
    },
    async stop() {
      s3.destroy();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
