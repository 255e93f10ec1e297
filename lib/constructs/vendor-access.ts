import { CfnOutput, Stack } from 'aws-cdk-lib';
import { AccountPrincipal, ArnPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { VendorAccess as VendorAccessConfig } from '../../lambdas/shared/config';
import { objectArns } from './grants';
import { acknowledgeWildcards } from './nag';

export interface VendorAccessProps {
  readonly drop: Bucket;
  /** deployment.vendorAccess, validated (lambdas/shared/config.ts vendorAccessSchema, lib/config-checks.ts). */
  readonly vendors: readonly VendorAccessConfig[];
}

/** The only actions a vendor gets: upload (single or multipart) and abandon its own multipart upload. */
export const VENDOR_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload'] as const;

/**
 * Each vendor's write-only path to its own `<source>/` prefix of the drop bucket
 * (docs/security.md, "Vendor access"):
 * - `accountId` (+ `externalId`): a role `<stack>-vendor-<source>` in this account that the
 *   vendor's account may assume when it passes the agreed external id;
 * - `principalArns`: a statement in the drop bucket's policy for those principals of the vendor's
 *   account, so they upload with their own credentials (no role to assume).
 * Neither can read, list, overwrite another vendor's prefix or delete: a vendor re-sends by
 * uploading again, and the versioned bucket keeps what it sent before.
 */
export class VendorAccess extends Construct {
  /** Upload roles by source. */
  readonly roles: Record<string, Role> = {};

  constructor(scope: Construct, id: string, props: VendorAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    for (const v of props.vendors) {
      const prefix = objectArns(props.drop, [`${v.source}/`]);
      if (v.accountId) {
        const role = new Role(this, `Upload-${v.source}`, {
          roleName: `${stack.stackName}-vendor-${v.source}`,
          description: `bestex: ${v.source} uploads to s3://<drop>/${v.source}/ (write only)`,
          assumedBy: new AccountPrincipal(v.accountId).withConditions({ StringEquals: { 'sts:ExternalId': v.externalId ?? '' } }),
        });
        const upload = new PolicyStatement({ actions: [...VENDOR_ACTIONS], resources: prefix });
        role.addToPolicy(upload);
        acknowledgeWildcards(
          role,
          [upload],
          `The vendor names its own files under ${v.source}/ (the drop layout <source>/<dataset>/…): the prefix is the narrowest scope, and the actions are upload only.`,
        );
        this.roles[v.source] = role;
        new CfnOutput(this, `UploadRoleArn-${v.source}`, {
          value: role.roleArn,
          description: `Role ${v.source} assumes to upload (docs/security.md)`,
        });
      }
      if (v.principalArns.length) {
        props.drop.addToResourcePolicy(
          new PolicyStatement({
            sid: `VendorUpload${v.source.replace(/[^A-Za-z0-9]/g, '')}`,
            principals: v.principalArns.map((a) => new ArnPrincipal(a)),
            actions: [...VENDOR_ACTIONS],
            resources: prefix,
          }),
        );
      }
    }
  }
}
