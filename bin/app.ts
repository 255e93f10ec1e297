#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`. Configuration comes from config/ (validated
 * and cross-checked here); cdk-nag runs on every synth and fails it on any unacknowledged finding.
 */
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../lambdas/shared/config';
import { addNagChecks, buildApp } from '../lib/app';

const app = new App();
buildApp(app, loadConfig(app.node.tryGetContext('bestex:configDir')));
addNagChecks(app);
app.synth();
