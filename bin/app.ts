#!/usr/bin/env node
/** The CDK app: `npx cdk synth` / `npx cdk deploy`. Configuration comes from config/ (validated here). */
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../lambdas/shared/config';
import { buildApp } from '../lib/app';

const app = new App();
buildApp(app, loadConfig(app.node.tryGetContext('bestex:configDir')));
app.synth();
