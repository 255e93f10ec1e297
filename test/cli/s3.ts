/**
 * A real s3rver on 127.0.0.1 (random port, temp folder) standing in for the deployed stack's
 * buckets, named as CloudFormation names them, and the outputs file that points the CLI at them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type S3rver from 's3rver';
import { BUCKET_ROLES, type BucketRole } from '../../lambdas/shared/layout';
// The CLI's own output names: test/infra/pipeline.test.ts proves the template has each of them.
import { BUCKET_OUTPUTS } from '../../lib/aws/outputs';
import { startS3rver } from '../support/s3rver';

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
  // Names shaped like CDK's generated bucket names.
  const buckets = Object.fromEntries(BUCKET_ROLES.map((r) => [r, `bestex-storage${r}bucket-1a2b3c4d5e6f`])) as Record<BucketRole, string>;
  const f = await startS3rver(Object.values(buckets), { tmpPrefix: 'bestex-cli-s3-' });
  const outputs = {
    ...Object.fromEntries(BUCKET_ROLES.map((r) => [BUCKET_OUTPUTS[r], buckets[r]])),
    ReviewStateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Bestex-review',
    AthenaWorkGroupName: 'Bestex-bestex',
    GlueDatabaseName: 'bestex',
    ...extraOutputs,
  };
  const outputsFile = join(f.dir, 'outputs.json');
  // The shape `cdk deploy --outputs-file` writes: { <stack>: { <output>: <value> } }.
  writeFileSync(outputsFile, JSON.stringify({ Bestex: outputs }, null, 2));
  return {
    endpoint: f.endpoint,
    s3: f.s3,
    dir: f.dir,
    buckets,
    outputsFile,
    server: f.server,
    put: (role, key, body) => f.put(buckets[role], key, body),
    get: (role, key) => f.bytes(buckets[role], key),
    stop: () => f.stop(),
  };
}
