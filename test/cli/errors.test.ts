/**
 * The usual AWS failures as one-line messages, and finding the stack's outputs. The errors are
 * built in the shapes SDK v3 throws (name, message, $metadata; S3's region header). The
 * CloudFormation client is mocked (aws-sdk-client-mock): moto serves DescribeStacks, but only for a
 * stack it deployed itself, and it cannot hold a stack in ROLLBACK_COMPLETE or with the CDK-hashed
 * output names these cases are about; moto's CloudFormation is a false green (docs/deploy.md).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError, explainAwsError } from '../../lib/aws/errors';
import { describeStackOutputs, normaliseOutputKeys, readOutputsFile } from '../../lib/aws/outputs';

/** An error shaped as SDK v3 service exceptions are (name, message, $fault, $metadata). */
function sdkError(name: string, message: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'b7a1c0de-0000-4000-8000-000000000000', attempts: 1, totalRetryDelay: 0 },
    ...extra,
  });
}

const dir = mkdtempSync(join(tmpdir(), 'bestex-cli-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one line per usual failure', () => {
  it('no credentials', () => {
    const e = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
      tryNextLink: false,
    });
    const m = explainAwsError(e, { action: 'CloudFormation DescribeStacks', stackName: 'Bestex' }).message;
    expect(m).toMatch(/^no AWS credentials found for CloudFormation DescribeStacks: configure credentials: `aws configure`/);
    expect(m).not.toContain('\n');
  });

  it('expired session and rejected keys', () => {
    expect(
      explainAwsError(sdkError('ExpiredTokenException', 'The security token included in the request is expired', 400), {
        action: 'Athena StartQueryExecution',
      }).message,
    ).toBe('your AWS session has expired (Athena StartQueryExecution): log in again (`aws sso login`) or refresh the credentials');
    expect(
      explainAwsError(sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400), {
        action: 'Step Functions StartExecution',
      }).message,
    ).toMatch(/^the AWS credentials were rejected \(UnrecognizedClientException\) for Step Functions StartExecution/);
  });

  it('stack not found in the region', () => {
    const e = sdkError('ValidationError', 'Stack with id Bestex does not exist', 400, { Type: 'Sender', Code: 'ValidationError' });
    expect(explainAwsError(e, { action: 'CloudFormation DescribeStacks', stackName: 'Bestex', region: 'eu-west-1' }).message).toBe(
      'stack "Bestex" not found in region eu-west-1: deploy it (`npx cdk deploy`), or pass --stack NAME / --region REGION (the stack is where config/bestex.json says)',
    );
  });

  it('a bucket in another region names the right one', () => {
    const e = sdkError(
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      301,
      { $response: { statusCode: 301, headers: { 'x-amz-bucket-region': 'eu-west-1' } } },
    );
    expect(
      explainAwsError(e, { action: 'S3 ListObjectsV2', bucket: 'bestex-results', key: 'cases/events/', region: 'us-east-1' }).message,
    ).toBe(
      's3://bestex-results/cases/events/ is in another region (eu-west-1) than us-east-1: pass --region eu-west-1 (or fix "region" in config/bestex.json)',
    );
    const header = sdkError(
      'AuthorizationHeaderMalformed',
      "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-central-1'",
      400,
    );
    expect(explainAwsError(header, { action: 'S3 GetObject', bucket: 'b', key: 'k', region: 'us-east-1' }).message).toContain(
      'pass --region eu-central-1',
    );
  });

  it('access denied on a prefix names the call, the prefix and what to do', () => {
    const s3 = sdkError('AccessDenied', 'Access Denied', 403);
    expect(explainAwsError(s3, { action: 'S3 ListObjectsV2', bucket: 'bestex-quarantine', key: 'files/' }).message).toBe(
      "access denied: S3 ListObjectsV2 on s3://bestex-quarantine/files/: ask for a role with this permission (the stack's prefix-scoped grants are in lib/constructs/), or use another AWS_PROFILE",
    );
    const athena = sdkError(
      'AccessDeniedException',
      'User: arn:aws:iam::123456789012:user/jdoe is not authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:123456789012:workgroup/Bestex-bestex',
      400,
    );
    expect(explainAwsError(athena, { action: 'Athena StartQueryExecution' }).message).toContain(
      '(User: arn:aws:iam::123456789012:user/jdoe is not authorized',
    );
    // The review's S3 helpers wrap SDK errors in a message; the denial is still recognised.
    expect(
      explainAwsError(new Error('cannot write s3://r/cases/events/x.json: Access Denied'), {
        action: 'S3 PutObject',
        bucket: 'r',
        key: 'cases/',
      }).message,
    ).toMatch(/^access denied: S3 PutObject on s3:\/\/r\/cases\//);
  });

  it('a misspelt region cannot be reached', () => {
    const e = Object.assign(new Error('getaddrinfo ENOTFOUND states.us-eats-1.amazonaws.com'), { code: 'ENOTFOUND', name: 'Error' });
    expect(explainAwsError(e, { action: 'Step Functions StartExecution', region: 'us-eats-1' }).message).toMatch(
      /^cannot reach the AWS endpoint for Step Functions StartExecution in region "us-eats-1"/,
    );
  });

  it('anything else keeps the service’s name and message', () => {
    const e = sdkError('InvalidRequestException', 'WorkGroup Bestex-bestex is disabled.', 400);
    expect(explainAwsError(e, { action: 'Athena StartQueryExecution' }).message).toBe(
      'Athena StartQueryExecution failed: InvalidRequestException: WorkGroup Bestex-bestex is disabled.',
    );
    const c = new CliError('already explained', 3);
    expect(explainAwsError(c, { action: 'x' })).toBe(c);
  });
});

describe('the stack outputs', () => {
  const outputs = [
    { OutputKey: 'DropBucketName', OutputValue: 'bestex-drop-1' },
    { OutputKey: 'LakeBucketName', OutputValue: 'bestex-lake-1' },
    // Declared inside a construct, CDK adds the path and a hash.
    {
      OutputKey: 'ReviewReviewStateMachineArn0F1E2D3C',
      OutputValue: 'arn:aws:states:us-east-1:123456789012:stateMachine:Bestex-review',
      ExportName: 'x',
    },
  ];
  /** A client whose DescribeStacks answers `r` (or rejects with it, when it is an Error). */
  const cfn = (r: unknown): CloudFormationClient => {
    const client = new CloudFormationClient({ region: 'us-east-1' });
    const on = mockClient(client).on(DescribeStacksCommand);
    if (r instanceof Error) on.rejects(r);
    else on.resolves(r as never);
    return client;
  };

  it('reads them from DescribeStacks, recognising CDK-prefixed names', async () => {
    const o = await describeStackOutputs(
      cfn({ Stacks: [{ StackName: 'Bestex', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: outputs }] }),
      'Bestex',
      'us-east-1',
    );
    expect(o.bucket('drop')).toBe('bestex-drop-1');
    expect(o.stateMachineArn('review')).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Bestex-review');
    // A stack without the daily workflow: bestex exceptions names the missing output.
    expect(() => o.stateMachineArn('exceptions')).toThrow(/^output ExceptionsStateMachineArn is missing from stack Bestex/);
    expect(() => o.workGroup()).toThrow(
      /^output AthenaWorkGroupName is missing from stack Bestex \(us-east-1\) \(it has: DropBucketName, LakeBucketName, ReviewStateMachineArn\): update the stack/,
    );
    expect(o.origin).toBe('stack Bestex (us-east-1)');
  });

  it('refuses a stack that failed or is being deleted, and explains a missing one', async () => {
    await expect(
      describeStackOutputs(cfn({ Stacks: [{ StackName: 'Bestex', StackStatus: 'ROLLBACK_COMPLETE' }] }), 'Bestex', 'us-east-1'),
    ).rejects.toThrow('stack "Bestex" is ROLLBACK_COMPLETE: fix the deployment (`npx cdk deploy`) before using it');
    await expect(
      describeStackOutputs(cfn(sdkError('ValidationError', 'Stack with id Nope does not exist', 400)), 'Nope', 'us-west-2'),
    ).rejects.toThrow(/^stack "Nope" not found in region us-west-2/);
  });

  it('an ambiguous CDK-prefixed name is not guessed', () => {
    const o = normaliseOutputKeys({ AReviewStateMachineArn01234567: 'a', BReviewStateMachineArn89ABCDEF: 'b' });
    expect(o.ReviewStateMachineArn).toBeUndefined();
  });

  it('reads an outputs file, flat or as cdk deploy --outputs-file writes it', () => {
    const nested = join(dir, 'nested.json');
    writeFileSync(nested, JSON.stringify({ Bestex: { DropBucketName: 'd1' }, Other: { DropBucketName: 'x' } }));
    expect(readOutputsFile(nested, 'Bestex').bucket('drop')).toBe('d1');
    const flat = join(dir, 'flat.json');
    writeFileSync(flat, JSON.stringify({ DropBucketName: 'd2' }));
    expect(readOutputsFile(flat, 'Bestex').bucket('drop')).toBe('d2');
    expect(() => readOutputsFile(join(dir, 'absent.json'), 'Bestex')).toThrow(
      /does not exist: write it with `npx cdk deploy --outputs-file/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(() => readOutputsFile(bad, 'Bestex')).toThrow(/is not JSON/);
  });
});
