/**
 * Where a deployed stack's resources are: the CloudFormation outputs of lib/stack.ts, discovered
 * from the stack name (DescribeStacks) or read from a file (`cdk deploy --outputs-file`). The
 * output names are the contract between the stack and the CLI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { BUCKET_ROLES, type BucketRole } from '../../lambdas/shared/layout';
import { awsCall, CliError } from './errors';

/** CfnOutput ids of lib/stack.ts, by bucket role. */
export const BUCKET_OUTPUTS: Record<BucketRole, string> = {
  drop: 'DropBucketName',
  lake: 'LakeBucketName',
  quarantine: 'QuarantineBucketName',
  results: 'ResultsBucketName',
  evidence: 'EvidenceBucketName',
  athena: 'AthenaResultsBucketName',
};

export const MACHINE_OUTPUTS = { review: 'ReviewStateMachineArn', exceptions: 'ExceptionsStateMachineArn' } as const;
export type MachineName = keyof typeof MACHINE_OUTPUTS;

export const WORKGROUP_OUTPUT = 'AthenaWorkGroupName';
export const DATABASE_OUTPUT = 'GlueDatabaseName';

/** Every output name the CLI reads. */
export const STACK_OUTPUT_NAMES: readonly string[] = [
  ...Object.values(BUCKET_OUTPUTS),
  ...Object.values(MACHINE_OUTPUTS),
  WORKGROUP_OUTPUT,
  DATABASE_OUTPUT,
];

/**
 * The stack's outputs and where they came from. Each getter fails with a message naming the
 * missing output, so a command only needs the outputs it uses (drop works before the exceptions
 * workflow is deployed).
 */
export class StackOutputs {
  constructor(
    readonly values: Readonly<Record<string, string>>,
    /** "stack Bestex (us-east-1)" or the outputs file. */
    readonly origin: string,
  ) {}

  private need(name: string): string {
    const v = this.values[name];
    if (v) return v;
    const have = Object.keys(this.values).sort().join(', ') || 'none';
    throw new CliError(
      `output ${name} is missing from ${this.origin} (it has: ${have}): update the stack (\`npx cdk deploy\`) or add it to the outputs file`,
    );
  }

  bucket(role: BucketRole): string {
    return this.need(BUCKET_OUTPUTS[role]);
  }

  /** Bucket names by role; roles without an output are left out. */
  buckets(): Partial<Record<BucketRole, string>> {
    const out: Partial<Record<BucketRole, string>> = {};
    for (const r of BUCKET_ROLES) {
      const v = this.values[BUCKET_OUTPUTS[r]];
      if (v) out[r] = v;
    }
    return out;
  }

  stateMachineArn(name: MachineName): string {
    return this.need(MACHINE_OUTPUTS[name]);
  }

  workGroup(): string {
    return this.need(WORKGROUP_OUTPUT);
  }

  database(): string {
    return this.need(DATABASE_OUTPUT);
  }
}

/**
 * CDK prefixes the id of an output declared inside a construct with its path and a hash
 * (`ReviewReviewStateMachineArnA1B2C3D4`). Exact names win; otherwise a key that ends with the
 * name plus an 8-hex-digit hash, and only when exactly one does.
 */
export function normaliseOutputKeys(raw: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  const mapped = new Set<string>();
  for (const name of STACK_OUTPUT_NAMES) {
    const exact = raw[name];
    if (exact !== undefined) {
      out[name] = exact;
      continue;
    }
    const re = new RegExp(`${name}[0-9A-F]{8}$`);
    const matches = Object.keys(raw).filter((k) => re.test(k));
    const only = matches.length === 1 ? (matches[0] as string) : undefined;
    if (only) {
      out[name] = raw[only] as string;
      mapped.add(only);
    }
  }
  for (const [k, v] of Object.entries(raw)) if (!(k in out) && !mapped.has(k)) out[k] = v;
  return out;
}

/** Outputs of a deployed stack. A missing stack or credentials come back as a one-line CliError. */
export async function describeStackOutputs(cfn: CloudFormationClient, stackName: string, region: string): Promise<StackOutputs> {
  const r = await awsCall({ action: 'CloudFormation DescribeStacks', stackName, region }, () =>
    cfn.send(new DescribeStacksCommand({ StackName: stackName })),
  );
  const stack = r.Stacks?.[0];
  if (!stack)
    throw new CliError(`stack "${stackName}" not found in region ${region}: deploy it (\`npx cdk deploy\`) or pass --stack / --region`);
  if (stack.StackStatus?.endsWith('_FAILED') || stack.StackStatus === 'ROLLBACK_COMPLETE' || stack.StackStatus?.startsWith('DELETE')) {
    throw new CliError(`stack "${stackName}" is ${stack.StackStatus}: fix the deployment (\`npx cdk deploy\`) before using it`);
  }
  const raw: Record<string, string> = {};
  for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) raw[o.OutputKey] = o.OutputValue;
  return new StackOutputs(normaliseOutputKeys(raw), `stack ${stackName} (${region})`);
}

/**
 * Outputs from a JSON file: either flat `{ "DropBucketName": "…" }` or as `cdk deploy
 * --outputs-file` writes it, `{ "<stack>": { … } }`.
 */
export function readOutputsFile(path: string, stackName: string): StackOutputs {
  if (!existsSync(path)) throw new CliError(`outputs file ${path} does not exist: write it with \`npx cdk deploy --outputs-file ${path}\``);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(
      `outputs file ${path} is not JSON (${(e as Error).message}): write it with \`npx cdk deploy --outputs-file ${path}\``,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`outputs file ${path} must be a JSON object of output name → value`);
  }
  const obj = parsed as Record<string, unknown>;
  const nested = obj[stackName];
  const flat = typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? (nested as Record<string, unknown>) : obj;
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(flat)) if (typeof v === 'string') raw[k] = v;
  if (!Object.keys(raw).length) throw new CliError(`outputs file ${path} has no string outputs for stack ${stackName}`);
  return new StackOutputs(normaliseOutputKeys(raw), path);
}
