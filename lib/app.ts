import type { App } from 'aws-cdk-lib';
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
