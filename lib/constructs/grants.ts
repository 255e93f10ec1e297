/**
 * Exact IAM statements for the pipeline: object actions under named key prefixes, SNS publishing
 * to an encrypted topic. CDK's `bucket.grantRead/Write` and `topic.grantPublish` add action
 * wildcards (`s3:GetObject*`, `s3:List*`, `s3:DeleteObject*`, `kms:GenerateDataKey*`); these
 * helpers list only the actions the code calls, so every policy reads as a specification
 * (docs/security.md, test/infra/iam.test.ts).
 */
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from './nag';

/** The parts of a bucket a grant needs (a structural type: CDK's Bucket and IBucket differ under exactOptionalPropertyTypes). */
export type BucketRef = Pick<IBucket, 'bucketName' | 'bucketArn' | 'arnForObjects'>;

/** What a principal may do with the objects under some prefixes of a bucket. */
export interface PrefixAccess {
  /** GetObject (and HeadObject, which needs the same permission). */
  readonly read?: readonly string[];
  /** GetObjectVersion: reading a specific version (drop objects named by their event's version id). */
  readonly readVersions?: readonly string[];
  /** PutObject (single and multipart uploads, CopyObject's destination). */
  readonly write?: readonly string[];
  /** DeleteObject: removing an output that a re-drop replaced (adds a delete marker in a versioned bucket). */
  readonly delete?: readonly string[];
  /**
   * ListBucket on the whole bucket. Also what makes S3 answer 404 rather than 403 for a missing key,
   * which the handlers rely on ("no manifest yet", "no monitoring state yet"). Key names in these
   * buckets carry sources, dates, periods and hashes, never order data.
   */
  readonly list?: boolean;
  /** Why this principal needs these prefixes: recorded with the cdk-nag acknowledgement of each prefix wildcard. */
  readonly why: string;
}

/**
 * Object ARNs for key prefixes: `<bucket>/<prefix>*` for a prefix ending with `/`, the exact key
 * otherwise; `''` means every object of the bucket.
 */
export function objectArns(bucket: BucketRef, prefixes: readonly string[]): string[] {
  for (const p of prefixes) {
    if (p.includes('*')) throw new Error(`prefix "${p}" contains "*": give the literal prefix, the grant appends one wildcard`);
  }
  return prefixes.map((p) => bucket.arnForObjects(p === '' || p.endsWith('/') ? `${p}*` : p));
}

/** Adds one statement per kind of access; returns them (for tests and docs). */
export function grantPrefixes(grantee: IGrantable, bucket: BucketRef, access: PrefixAccess): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const add = (actions: string[], prefixes: readonly string[] | undefined) => {
    if (prefixes?.length) statements.push(new PolicyStatement({ actions, resources: objectArns(bucket, prefixes) }));
  };
  add(['s3:GetObject'], access.read);
  add(['s3:GetObjectVersion'], access.readVersions);
  add(['s3:PutObject'], access.write);
  add(['s3:DeleteObject'], access.delete);
  if (access.list) statements.push(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  const principal = grantee.grantPrincipal;
  for (const s of statements) {
    principal.addToPrincipalPolicy(s);
    if (Construct.isConstruct(principal)) {
      acknowledgeWildcards(
        principal,
        [s],
        `${s.actions.join(', ')} on objects named at run time (trade dates, periods, run ids, hashes of drop keys) under fixed key prefixes; each prefix is the narrowest scope known at deploy time. ${access.why}`,
      );
    }
  }
  return statements;
}

/** sns:Publish on one topic, and the two KMS actions SNS needs to encrypt the message with the topic's key. */
export function grantPublish(grantee: IGrantable, topic: ITopic, key: IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
  );
}
