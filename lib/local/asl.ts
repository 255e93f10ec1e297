/**
 * Extracts the state machines *as CDK synthesises them* and resolves their CloudFormation tokens
 * onto the local runtime's resources. The local runtime never keeps a hand-written copy of a
 * definition: what runs locally is what `cdk deploy` would create.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { BestexConfig } from '../../lambdas/shared/config';
import type { BucketRole } from '../../lambdas/shared/layout';
import { buildApp } from '../app';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

type CfnValue = string | number | boolean | null | CfnValue[] | { [k: string]: CfnValue };
interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
}
export interface Template {
  Resources: Record<string, CfnResource>;
}

export interface ResolvedStateMachine {
  /** The part of the state machine's name after `<stack>-` (e.g. "review"). */
  name: string;
  logicalId: string;
  definition: Record<string, unknown>;
}

export interface LocalResources {
  buckets: Record<BucketRole, string>;
}

/** Synthesises the stack in process (asset bundling skipped: only the template is needed). */
export function synthTemplate(config: BestexConfig): Template {
  const outdir = mkdtempSync(join(tmpdir(), 'bestex-synth-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = buildApp(app, config);
    return app.synth().getStackByName(stack.stackName).template as Template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function tag(resource: CfnResource | undefined, key: string): string | undefined {
  const tags = resource?.Properties?.Tags;
  if (!Array.isArray(tags)) return undefined;
  const t = tags.find((x) => typeof x === 'object' && x !== null && !Array.isArray(x) && x.Key === key) as { Value?: string } | undefined;
  return t?.Value;
}

/** The environment variable BESTEX_FUNCTION of a Lambda resource: which lambdas/<name>/handler.ts it runs. */
export function functionName(template: Template, logicalId: string): string | undefined {
  const env = template.Resources[logicalId]?.Properties?.Environment as { Variables?: Record<string, string> } | undefined;
  return env?.Variables?.BESTEX_FUNCTION;
}

/** The export of that handler.ts the Lambda runs: env BESTEX_HANDLER, else `handler`. */
export function functionExport(template: Template, logicalId: string): string {
  const env = template.Resources[logicalId]?.Properties?.Environment as { Variables?: Record<string, string> } | undefined;
  return env?.Variables?.BESTEX_HANDLER ?? 'handler';
}

/** Resolves Ref / Fn::GetAtt / Fn::Join onto local names. Unknown constructs are an error, not a guess. */
export function resolveTokens(template: Template, value: CfnValue, local: LocalResources): CfnValue {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': LOCAL_REGION,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const ref = (id: string): string => {
    if (pseudo[id]) return pseudo[id];
    const r = template.Resources[id];
    if (!r) throw new Error(`template has no resource ${id}`);
    switch (r.Type) {
      case 'AWS::S3::Bucket': {
        const role = tag(r, 'bestex:role') as BucketRole | undefined;
        if (!role || !local.buckets[role]) throw new Error(`bucket ${id} has no bestex:role tag the local runtime knows`);
        return local.buckets[role];
      }
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${tag(r, 'bestex:role') ?? id}`;
      case 'AWS::Lambda::Function':
        return id;
      default:
        return `local-${id}`;
    }
  };
  const visit = (v: CfnValue): CfnValue => {
    if (Array.isArray(v)) return v.map(visit);
    if (v === null || typeof v !== 'object') return v;
    if ('Ref' in v) return ref(v.Ref as string);
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      const type = template.Resources[id]?.Type;
      if (type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${id}`;
      if (type === 'AWS::S3::Bucket' && attr === 'Arn') return `arn:aws:s3:::${ref(id)}`;
      throw new Error(`cannot resolve Fn::GetAtt ${id}.${attr} locally`);
    }
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, CfnValue[]];
      return parts.map((p) => String(visit(p))).join(sep);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
  };
  return visit(value);
}

/** Every state machine of the template, keyed by its short name, with tokens resolved locally. */
export function stateMachines(template: Template, local: LocalResources): Record<string, ResolvedStateMachine> {
  const out: Record<string, ResolvedStateMachine> = {};
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const props = r.Properties ?? {};
    const defString = resolveTokens(template, props.DefinitionString ?? null, local);
    if (typeof defString !== 'string') throw new Error(`state machine ${logicalId} has no DefinitionString`);
    const fullName = String(props.StateMachineName ?? logicalId);
    const name = fullName.includes('-') ? fullName.slice(fullName.lastIndexOf('-') + 1) : fullName;
    out[name] = { name, logicalId, definition: JSON.parse(defString) as Record<string, unknown> };
  }
  return out;
}
