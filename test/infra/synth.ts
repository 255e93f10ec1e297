/**
 * Synthesis for the infrastructure tests: the real stack from the real config/ (or a variant of
 * it), asset bundling skipped (only the template matters here; test/infra/full-synth.test.ts
 * bundles once), one synthesis per configuration per test process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type BestexConfig, type Deployment, deploymentSchema, loadConfig } from '../../lambdas/shared/config';
import { buildApp } from '../../lib/app';
import type { BestexStack } from '../../lib/stack';

export interface Synth {
  app: App;
  stack: BestexStack;
  template: Template;
  /** The raw template JSON. */
  json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>; Outputs?: object };
  config: BestexConfig;
}

const cache = new Map<string, Synth>();

/** The repository's configuration with deployment settings replaced (then re-validated, defaults filled in). */
export function configWith(deployment: Partial<Deployment> & Record<string, unknown> = {}): BestexConfig {
  const base = loadConfig();
  return { ...base, deployment: deploymentSchema.parse({ ...base.deployment, ...deployment }) };
}

export function synth(config: BestexConfig = loadConfig()): Synth {
  const key = JSON.stringify(config);
  const hit = cache.get(key);
  if (hit) return hit;
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'bestex-infra-')), context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, config);
  const template = Template.fromStack(stack);
  const s: Synth = { app, stack, template, json: template.toJSON() as Synth['json'], config };
  cache.set(key, s);
  return s;
}

/** Logical ids of the resources of a type whose properties satisfy `pred`. */
export function idsOf(s: Synth, type: string, pred: (props: Record<string, unknown>) => boolean = () => true): string[] {
  return Object.entries(s.json.Resources)
    .filter(([, r]) => r.Type === type && pred(r.Properties ?? {}))
    .map(([id]) => id);
}

/** The logical id of the bucket tagged with `bestex:role` = role (exactly one). */
export function bucketId(s: Synth, role: string): string {
  const ids = idsOf(s, 'AWS::S3::Bucket', (p) =>
    ((p.Tags as { Key: string; Value: string }[] | undefined) ?? []).some((t) => t.Key === 'bestex:role' && t.Value === role),
  );
  if (ids.length !== 1) throw new Error(`expected one bucket with role ${role}, found ${ids.length}`);
  return ids[0] as string;
}

/** The logical id of the Lambda function whose BESTEX_FUNCTION (and BESTEX_HANDLER) are these. */
export function functionId(s: Synth, name: string, handler = 'handler'): string {
  const ids = idsOf(s, 'AWS::Lambda::Function', (p) => {
    const vars = (p.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
    return vars.BESTEX_FUNCTION === name && (vars.BESTEX_HANDLER ?? 'handler') === handler;
  });
  if (ids.length !== 1) throw new Error(`expected one function ${name}#${handler}, found ${ids.length}`);
  return ids[0] as string;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
  Principal?: unknown;
}

/** Every Allow statement attached to a role: its inline policies and every AWS::IAM::Policy naming it. */
export function roleStatements(s: Synth, roleId: string): Statement[] {
  const role = s.json.Resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not a role`);
  const inline = ((role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  const attached = Object.values(s.json.Resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        ((r.Properties?.Roles ?? []) as unknown[]).some((x) => JSON.stringify(x) === JSON.stringify({ Ref: roleId })),
    )
    .flatMap((r) => ((r.Properties?.PolicyDocument ?? {}) as { Statement: Statement[] }).Statement);
  return [...inline, ...attached].filter((st) => st.Effect === 'Allow');
}

/** The role a function runs as. */
export function functionRole(s: Synth, fnId: string): string {
  const role = s.json.Resources[fnId]?.Properties?.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** An action list as an array. */
export const actions = (st: Statement): string[] => [st.Action].flat();

/** `<bucket logical id>` + `/prefix*` → the grants as readable strings, e.g. "s3:PutObject Lake/_manifests/*". */
export function s3Grants(s: Synth, statements: readonly Statement[]): string[] {
  const roleOf = new Map<string, string>();
  for (const id of idsOf(s, 'AWS::S3::Bucket')) {
    const tags = (s.json.Resources[id]?.Properties?.Tags ?? []) as { Key: string; Value: string }[];
    roleOf.set(id, tags.find((t) => t.Key === 'bestex:role')?.Value ?? id);
  }
  const name = (r: unknown): string => {
    const j = r as { 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
    if (j['Fn::GetAtt']) return roleOf.get(j['Fn::GetAtt'][0]) ?? j['Fn::GetAtt'][0];
    if (j['Fn::Join']) return j['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : name(p))).join('');
    return String(r);
  };
  const out: string[] = [];
  for (const st of statements) {
    for (const a of actions(st)) {
      if (!a.startsWith('s3:')) continue;
      for (const r of [st.Resource].flat()) out.push(`${a} ${name(r)}${st.Condition ? ` if ${JSON.stringify(st.Condition)}` : ''}`);
    }
  }
  return out.sort();
}
