import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { BestexConfig } from '../lambdas/shared/config';
import { BestexStack } from './stack';

/** Builds the stack into an app; shared by bin/app.ts, the tests and the local runtime's ASL extraction. */
export function buildApp(app: App, config: BestexConfig): BestexStack {
  const { deployment } = config;
  return new BestexStack(app, deployment.stackName, {
    config,
    ...(deployment.account ? { env: { account: deployment.account, region: deployment.region } } : { env: { region: deployment.region } }),
    description: 'bestex: independent best-execution oversight of a third-party smart order router',
  });
}

/**
 * cdk-nag's AWS Solutions checks as a CDK validation plugin: any unacknowledged finding fails the
 * synth. Each acknowledgement sits beside the resource it concerns, with its reason
 * (docs/security.md lists them).
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
