/**
 * The stack's resources created in moto with the SDK, named as the CLI finds them (an outputs
 * file, as `cdk deploy --outputs-file` writes it), and the synthesised state machines as moto can
 * run them.
 *
 * What is NOT the deployed stack: CloudFormation in moto skips Glue, the Athena workgroup and
 * several policies while reporting success (a false green), so the resources are made one by one
 * here instead, without IAM, KMS or Lake Formation (docs/deploy.md lists what this leaves unproven).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AthenaClient, CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../lambdas/shared/config';
import { BUCKET_ROLES, type BucketRole } from '../../lambdas/shared/layout';
import { BUCKET_OUTPUTS, DATABASE_OUTPUT, MACHINE_OUTPUTS, WORKGROUP_OUTPUT } from '../../lib/aws/outputs';
import { LOCAL_ACCOUNT, stateMachines, synthTemplate } from '../../lib/local/asl';
import { MOTO_ACCOUNT, MOTO_REGION, type Moto } from './moto';

/** Bucket names in moto: the role, so messages read plainly. */
export const BUCKETS = Object.fromEntries(BUCKET_ROLES.map((r) => [r, `bestex-${r}`])) as Record<BucketRole, string>;
export const WORKGROUP = 'bestex-analysts';
export const DATABASE = 'bestex';
/** The Lambda that stands in for Athena's `.sync` integration in moto (see emulatorDefinition). */
export const ATHENA_STAND_IN = `arn:aws:lambda:${MOTO_REGION}:${MOTO_ACCOUNT}:function:AthenaStandIn`;

export interface Clients {
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  sfn: SFNClient;
  athena: AthenaClient;
}

export function clients(moto: Moto): Clients {
  const base = {
    endpoint: moto.endpoint,
    region: MOTO_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  return {
    s3: new S3Client({ ...base, forcePathStyle: true }),
    sqs: new SQSClient(base),
    sns: new SNSClient(base),
    sfn: new SFNClient(base),
    athena: new AthenaClient(base),
  };
}

type Json = Record<string, unknown>;

/** The synthesised state machines (tokens resolved as the local runtime resolves them). */
export function synthesisedMachines(): Record<string, { definition: Json }> {
  return stateMachines(synthTemplate(loadConfig()), { buckets: BUCKETS });
}

/**
 * The definition as moto's interpreter can run it, changed in two ways only: the account of every
 * ARN becomes moto's, and `athena:startQueryExecution.sync` (moto 5.2.1 lists Athena among its
 * unsupported optimised integrations) becomes a direct Lambda task, whose queued result is the
 * `.sync` output (`{ QueryExecution: … }`). Parameters, selectors, paths, Choice rules, Map and
 * SNS publishing are left as CDK wrote them.
 */
export function emulatorDefinition(definition: Json): Json {
  const text = JSON.stringify(definition)
    .replaceAll(`:${LOCAL_ACCOUNT}:`, `:${MOTO_ACCOUNT}:`)
    .replaceAll('"arn:aws:states:::athena:startQueryExecution.sync"', JSON.stringify(ATHENA_STAND_IN));
  return JSON.parse(text) as Json;
}

export interface Provisioned {
  outputsFile: string;
  dropQueueUrl: string;
  noticeQueueUrl: string;
  machineArns: Record<'review' | 'exceptions', string>;
}

/**
 * Buckets (drop versioned, as the stack makes it), the drop queue fed by the bucket's
 * ObjectCreated notifications, the two topics with an SQS subscriber that captures notices, the
 * workgroup, and both state machines; then the outputs file the CLI reads.
 */
export async function provision(c: Clients, dir: string, machines: Record<string, { definition: Json }>): Promise<Provisioned> {
  for (const name of Object.values(BUCKETS)) await c.s3.send(new CreateBucketCommand({ Bucket: name }));
  await c.s3.send(new PutBucketVersioningCommand({ Bucket: BUCKETS.drop, VersioningConfiguration: { Status: 'Enabled' } }));

  const dropQueueUrl = (await c.sqs.send(new CreateQueueCommand({ QueueName: 'bestex-drop-events' }))).QueueUrl as string;
  const arnOf = async (url: string) =>
    (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn as string;
  await c.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKETS.drop,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: await arnOf(dropQueueUrl), Events: ['s3:ObjectCreated:*'] }] },
    }),
  );

  const noticeQueueUrl = (await c.sqs.send(new CreateQueueCommand({ QueueName: 'bestex-notices' }))).QueueUrl as string;
  const noticeQueueArn = await arnOf(noticeQueueUrl);
  for (const topic of ['compliance', 'dataops']) {
    const { TopicArn } = await c.sns.send(new CreateTopicCommand({ Name: topic }));
    await c.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: noticeQueueArn }));
  }

  await c.athena.send(
    new CreateWorkGroupCommand({
      Name: WORKGROUP,
      Configuration: { ResultConfiguration: { OutputLocation: `s3://${BUCKETS.athena}/results/` }, EnforceWorkGroupConfiguration: true },
    }),
  );

  const machineArns = {} as Record<'review' | 'exceptions', string>;
  for (const name of ['review', 'exceptions'] as const) {
    const m = machines[name];
    if (!m) throw new Error(`the synthesised template has no ${name} state machine`);
    const r = await c.sfn.send(
      new CreateStateMachineCommand({
        name: `Bestex-${name}`,
        definition: JSON.stringify(emulatorDefinition(m.definition)),
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/bestex-${name}`,
      }),
    );
    machineArns[name] = r.stateMachineArn as string;
  }

  const outputs: Record<string, string> = {
    ...Object.fromEntries(BUCKET_ROLES.map((r) => [BUCKET_OUTPUTS[r], BUCKETS[r]])),
    [MACHINE_OUTPUTS.review]: machineArns.review,
    [MACHINE_OUTPUTS.exceptions]: machineArns.exceptions,
    [WORKGROUP_OUTPUT]: WORKGROUP,
    [DATABASE_OUTPUT]: DATABASE,
  };
  const outputsFile = join(dir, 'outputs.json');
  // Nested under the stack name, as `cdk deploy --outputs-file` writes it.
  writeFileSync(outputsFile, JSON.stringify({ [loadConfig().deployment.stackName]: outputs }, null, 2));
  return { outputsFile, dropQueueUrl, noticeQueueUrl, machineArns };
}
