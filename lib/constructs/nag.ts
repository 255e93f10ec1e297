/**
 * cdk-nag acknowledgements that depend on synthesised names. cdk-nag reports each wildcard in an
 * IAM policy as its own finding, `AwsSolutions-IAM5[Resource::<LogicalId.Arn>/prefix/*]`; these
 * helpers acknowledge exactly the wildcards a construct wrote on purpose, with the reason, so an
 * unexpected wildcard still fails the check.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

type Cfn = string | number | boolean | null | undefined | Cfn[] | { [k: string]: Cfn };

/** The flat form cdk-nag gives a CloudFormation reference (`<Id.Arn>`, `<Id>`, joins concatenated). */
export function flattenReference(node: Cfn): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (typeof node !== 'object' || Array.isArray(node)) return JSON.stringify(node);
  if ('Fn::Join' in node) {
    const [sep, items] = node['Fn::Join'] as [string, Cfn[]];
    return items.map(flattenReference).join(sep);
  }
  if ('Fn::Sub' in node) return flattenReference(node['Fn::Sub']);
  if ('Fn::GetAtt' in node) {
    const [id, attr] = node['Fn::GetAtt'] as [string, string];
    return `<${id}.${attr}>`;
  }
  if ('Ref' in node) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(node);
}

/** The IAM5 finding ids of the statements' wildcard resources and actions. */
export function wildcardFindings(scope: IConstruct, statements: readonly PolicyStatement[]): string[] {
  const stack = Stack.of(scope);
  const ids = new Set<string>();
  for (const s of statements) {
    const json = stack.resolve(s.toStatementJson()) as { Action?: string | string[]; Resource?: Cfn };
    for (const a of [json.Action ?? []].flat()) if (a.includes('*')) ids.add(`AwsSolutions-IAM5[Action::${a}]`);
    for (const r of [json.Resource ?? []].flat() as Cfn[]) {
      const flat = flattenReference(r);
      if (flat.includes('*')) ids.add(`AwsSolutions-IAM5[Resource::${flat}]`);
    }
  }
  return [...ids];
}

/** Acknowledges, on `on` (a role, or an ancestor of the policy), each wildcard of these statements. */
export function acknowledgeWildcards(on: IConstruct, statements: readonly PolicyStatement[], reason: string): void {
  for (const id of wildcardFindings(on, statements)) Validations.of(on).acknowledge({ id, reason });
}

/** The finding of CDK's own deploy-time functions: they come with the AWS-managed basic execution role. */
export const BASIC_EXECUTION_ROLE_FINDING =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** Acknowledges findings on a construct: finding id → reason. */
export function acknowledge(on: IConstruct, findings: Record<string, string>): void {
  for (const [id, reason] of Object.entries(findings)) Validations.of(on).acknowledge({ id, reason });
}

/**
 * Acknowledges findings on a singleton CDK creates at the stack's root for a construct of ours (a
 * custom resource's function): its id starts with `idPrefix`, and we do not write its policy.
 */
export function acknowledgeCdkSingleton(scope: IConstruct, idPrefix: string, findings: Record<string, string>): void {
  for (const c of Stack.of(scope).node.children) if (c.node.id.startsWith(idPrefix)) acknowledge(c, findings);
}
