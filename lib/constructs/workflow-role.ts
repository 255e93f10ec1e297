import { type IRole, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { Lake } from './lake';
import { acknowledgeWildcards } from './nag';

export interface WorkflowRoleProps {
  /** e.g. "review": the role's description says which state machine it serves. */
  readonly workflow: string;
  /** Functions the state machine invokes (unqualified ARNs only: no version or alias wildcard). */
  readonly functions: readonly IFunction[];
  /** Topics it publishes to, with the key that encrypts them. */
  readonly publishes: readonly { topic: ITopic; key: IKey }[];
  /** The lake whose catalog its Athena tasks query. */
  readonly lake: Lake;
  /** The state machine enriches dates itself (Athena writes figures to the lake). */
  readonly enriches?: boolean;
}

export interface WorkflowRole {
  /** The real role, holding the policy below inline. */
  readonly role: Role;
  /** The same role as the state machine sees it: CDK's automatic task grants are dropped. */
  readonly forStateMachine: IRole;
  readonly statements: readonly PolicyStatement[];
}

/**
 * A state machine's role with an inline policy written out in full. CDK's task constructs grant
 * broadly (`lambda:InvokeFunction` on `<fn>:*`; for Athena, S3 on every bucket and Glue on every
 * table), so the state machine gets this role wrapped with `withoutPolicyUpdates()` and the policy
 * lists exactly: invoking its functions, publishing to its topics, the lake's Athena/Glue/S3
 * statements, and the two services without resource-level permissions (CloudWatch Logs delivery,
 * X-Ray). Inline, the policy exists before the state machine is created, which Step Functions
 * checks for log delivery.
 */
export function workflowRole(scope: Construct, id: string, props: WorkflowRoleProps): WorkflowRole {
  const logDelivery = new PolicyStatement({
    actions: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    resources: ['*'],
  });
  const xray = new PolicyStatement({
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    resources: ['*'],
  });
  const statements: PolicyStatement[] = [
    ...(props.functions.length
      ? [new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: props.functions.map((f) => f.functionArn) })]
      : []),
    ...props.publishes.flatMap(({ topic, key }) => [
      new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
      new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
    ]),
    ...props.lake.queryStatements(),
    ...(props.enriches ? props.lake.enrichStatements() : []),
    logDelivery,
    xray,
  ];
  const role = new Role(scope, id, {
    assumedBy: new ServicePrincipal('states.amazonaws.com'),
    description: `bestex ${props.workflow} state machine`,
    inlinePolicies: { workflow: new PolicyDocument({ statements }) },
  });
  acknowledgeWildcards(
    role,
    [logDelivery, xray],
    'CloudWatch Logs vended log delivery (how Step Functions writes execution logs) and X-Ray tracing support no resource-level permissions: AWS documents Resource "*" for exactly these actions, and test/infra/iam.test.ts checks no other action gets it.',
  );
  if (props.enriches) {
    acknowledgeWildcards(
      role,
      props.lake.enrichStatements(),
      "Athena writes the figures of each date with the caller's credentials under generated object names: the staging prefix and the two figures tables' prefixes are the narrowest fixed scope.",
    );
  }
  acknowledgeWildcards(
    role,
    props.lake.queryStatements(),
    "Athena reads each table's objects with the caller's credentials: object names under a table location are partitions and parts made at run time, and query results get generated names; the table and result prefixes are the narrowest fixed scope.",
  );
  return { role, forStateMachine: role.withoutPolicyUpdates(), statements };
}
