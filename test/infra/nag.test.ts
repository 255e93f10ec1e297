/**
 * cdk-nag's AWS Solutions checks, through CDK's validation API as `cdk synth` runs them: zero
 * unacknowledged findings, and every acknowledgement carries a written reason. A control stack
 * with a deliberately non-compliant bucket shows the check can fail.
 */
import { readFileSync } from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambdas/shared/config';
import { addNagChecks, buildApp } from '../../lib/app';

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  const out: { path: string; id: string; reason: string }[] = [];
  for (const c of root.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>))
        out.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
    }
  }
  return out;
}

describe('cdk-nag AwsSolutionsChecks', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  buildApp(app, loadConfig());
  addNagChecks(app);

  it('synthesises with the checks registered, with zero unacknowledged findings', () => {
    expect(() => app.synth()).not.toThrow();
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('every acknowledgement is a known kind, with a reason that explains it', () => {
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    const kinds = new Set(acks.map((a) => a.id.replace(/\[.*$/, '')));
    expect([...kinds].sort()).toEqual([
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SQS3',
    ]);
    for (const a of acks) expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(60);
    // Wildcards are acknowledged one resource at a time, never as a blanket rule.
    for (const a of acks.filter((x) => x.id.startsWith('AwsSolutions-IAM5'))) expect(a.id).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
  });

  it('docs/security.md explains each kind of acknowledgement', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    for (const kind of ['AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-S1', 'AwsSolutions-SQS3'])
      expect(doc).toContain(kind);
  });

  it('fails the synth on a finding nobody acknowledged (control)', () => {
    const control = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new Bucket(new Stack(control, 'Control'), 'Plain');
    addNagChecks(control);
    const report = new AwsSolutionsChecks(control).validateScope(control);
    expect(report.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
    expect(() => control.synth()).toThrow();
  });
});
