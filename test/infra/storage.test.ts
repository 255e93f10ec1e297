import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BUCKET_ROLES } from '../../lambdas/shared/layout';
import { bucketId, configWith, idsOf, type Statement, synth } from './synth';

const s = synth();
const bucketProps = (role: string) => s.json.Resources[bucketId(s, role)]?.Properties as Record<string, unknown>;
const accessLogsId = idsOf(s, 'AWS::S3::Bucket', (p) => !((p.Tags as unknown[] | undefined) ?? []).length)[0] as string;

/** The statements of the bucket policy attached to a bucket. */
function bucketPolicy(id: string): Statement[] {
  const policies = Object.values(s.json.Resources).filter(
    (r) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties?.Bucket) === JSON.stringify({ Ref: id }),
  );
  expect(policies).toHaveLength(1);
  return ((policies[0]?.Properties?.PolicyDocument ?? {}) as { Statement: Statement[] }).Statement;
}

const SSE_S3 = { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] };
const ALL_PUBLIC_ACCESS_BLOCKED = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };

describe('storage: every pipeline bucket', () => {
  it('exists once per bucket role, tagged with its role', () => {
    for (const role of BUCKET_ROLES) expect(bucketId(s, role)).toMatch(/^[A-Za-z0-9]+$/);
    expect(accessLogsId).toBeDefined();
  });

  it.each([...BUCKET_ROLES])('%s: SSE-S3, all public access blocked, ACLs disabled, access logs under its role, retained', (role) => {
    s.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        Tags: Match.arrayWith([{ Key: 'bestex:role', Value: role }]),
        BucketEncryption: SSE_S3,
        PublicAccessBlockConfiguration: ALL_PUBLIC_ACCESS_BLOCKED,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: accessLogsId }, LogFilePrefix: `${role}/` },
      }),
    });
  });

  it.each([...BUCKET_ROLES, 'access-logs'])('%s: the bucket policy denies plain HTTP and TLS below 1.2', (role) => {
    const id = role === 'access-logs' ? accessLogsId : bucketId(s, role);
    const deny = bucketPolicy(id).filter((st) => st.Effect === 'Deny');
    const arn = { 'Fn::GetAtt': [id, 'Arn'] };
    const objects = { 'Fn::Join': ['', [arn, '/*']] };
    expect(deny).toContainEqual(
      expect.objectContaining({
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Principal: { AWS: '*' },
        Resource: [arn, objects],
      }),
    );
    expect(deny).toContainEqual(
      expect.objectContaining({
        Action: 's3:*',
        Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
        Principal: { AWS: '*' },
        Resource: [arn, objects],
      }),
    );
  });

  it('versions what must not be lost (drop, lake, quarantine, results, evidence) and not the query scratch space', () => {
    for (const role of ['drop', 'lake', 'quarantine', 'results', 'evidence']) {
      expect(bucketProps(role).VersioningConfiguration, role).toEqual({ Status: 'Enabled' });
    }
    expect(bucketProps('athena').VersioningConfiguration).toBeUndefined();
  });

  it('has the lifecycle rules of its role', () => {
    const rules = (role: string) => (bucketProps(role).LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    const abort = { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' };
    for (const role of BUCKET_ROLES) expect(rules(role), role).toContainEqual(expect.objectContaining(abort));
    // Drop: originals archived to Glacier Instant Retrieval (still readable in milliseconds), never expired.
    expect(rules('drop')).toContainEqual(
      expect.objectContaining({
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
        NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
      }),
    );
    for (const role of ['drop', 'evidence']) {
      for (const r of rules(role)) {
        expect(r.ExpirationInDays, role).toBeUndefined();
        expect(r.NoncurrentVersionExpiration, role).toBeUndefined();
      }
    }
    // config/bestex.json retention: quarantine 400 days, its replaced versions 90; query results 30 days.
    expect(rules('quarantine')).toContainEqual(expect.objectContaining({ ExpirationInDays: 400 }));
    expect(rules('quarantine')).toContainEqual(expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } }));
    // Lake and results: a locked evidence manifest names exact versions, so replaced versions stay at least
    // as long as it does (6 years = at most 2,192 days), archived to Glacier Instant Retrieval after 30 days.
    for (const role of ['lake', 'results']) {
      const rule = rules(role).find((r) => r.NoncurrentVersionExpiration) as { NoncurrentVersionExpiration: { NoncurrentDays: number } };
      expect(rule.NoncurrentVersionExpiration.NoncurrentDays, role).toBeGreaterThanOrEqual(2192);
      expect(rule, role).toMatchObject({ NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }] });
      expect(
        rules(role).some((r) => r.ExpirationInDays !== undefined),
        role,
      ).toBe(false);
    }
    expect(rules('athena')).toContainEqual(expect.objectContaining({ ExpirationInDays: 30 }));
  });

  it('takes retention periods from the configuration', () => {
    const c = synth(
      configWith({
        retention: { evidenceYears: 7, quarantineDays: 30, logDays: 90, accessLogDays: 60, athenaResultsDays: 3, noncurrentDays: 10 },
      }),
    );
    const rules = (id: string) =>
      ((c.json.Resources[id]?.Properties?.LifecycleConfiguration ?? {}) as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules(bucketId(c, 'quarantine'))).toContainEqual(expect.objectContaining({ ExpirationInDays: 30 }));
    expect(rules(bucketId(c, 'athena'))).toContainEqual(expect.objectContaining({ ExpirationInDays: 3 }));
    expect(rules(bucketId(c, 'quarantine'))).toContainEqual(
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 10 } }),
    );
    // Seven years of evidence: 7 × 365 + 2 leap days at least.
    const kept = rules(bucketId(c, 'results')).find((r) => r.NoncurrentVersionExpiration) as {
      NoncurrentVersionExpiration: { NoncurrentDays: number };
    };
    expect(kept.NoncurrentVersionExpiration.NoncurrentDays).toBeGreaterThanOrEqual(7 * 365 + 2);
    const logs = idsOf(c, 'AWS::S3::Bucket', (p) => !((p.Tags as unknown[] | undefined) ?? []).length)[0] as string;
    expect(rules(logs)).toContainEqual(expect.objectContaining({ ExpirationInDays: 60 }));
    expect(c.json.Resources[bucketId(c, 'evidence')]?.Properties?.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 7 } },
    });
  });
});

describe('storage: the evidence bucket', () => {
  it('locks every object version in COMPLIANCE mode for six years by default', () => {
    expect(bucketProps('evidence')).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 6 } } },
    });
  });

  it('is the only bucket with Object Lock', () => {
    const locked = idsOf(s, 'AWS::S3::Bucket', (p) => p.ObjectLockEnabled === true);
    expect(locked).toEqual([bucketId(s, 'evidence')]);
  });
});

describe('storage: the access-log bucket', () => {
  it('is encrypted with SSE-S3 (S3 log delivery requires it), blocks public access and expires logs after the configured days', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: SSE_S3,
      PublicAccessBlockConfiguration: ALL_PUBLIC_ACCESS_BLOCKED,
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 400 })]) },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(s.json.Resources[accessLogsId]?.Properties?.LoggingConfiguration).toBeUndefined();
  });

  it('lets only the S3 logging service write, each bucket under its own role prefix, from this account', () => {
    const allow = bucketPolicy(accessLogsId).filter((st) => st.Effect === 'Allow');
    expect(allow).toHaveLength(BUCKET_ROLES.length);
    for (const role of BUCKET_ROLES) {
      expect(allow, role).toContainEqual({
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [accessLogsId, 'Arn'] }, `/${role}/*`]] },
        Condition: {
          ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId(s, role), 'Arn'] } },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      });
    }
  });
});
