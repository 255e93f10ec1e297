/**
 * Opens the target a command runs against (--target local|aws) and always closes it. The AWS
 * target is found from the stack name in config/bestex.json (or --stack), in its region (or
 * --region), or from an outputs file (--outputs, or <config>/outputs.json when present).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BestexConfig, ConfigError, DEFAULT_CONFIG_DIR, loadConfig } from '../../../lambdas/shared/config';
import { DRY_RUN_PREFIX } from '../../../lambdas/shared/layout';
import type { PublishedNotice } from '../../../lambdas/shared/notice';
import { CliError } from '../../aws/errors';
import type { Target, TargetUi } from '../../aws/target';
import type { GlobalOptions } from './options';
import { progress, uploadProgressUi } from './output';

export function targetUi(): TargetUi {
  const up = uploadProgressUi();
  return { log: progress, upload: up.upload, uploadDone: up.done };
}

/** The configuration, with validation errors as one CliError naming the file and fields. */
export function loadConfigFor(g: GlobalOptions): BestexConfig {
  try {
    return loadConfig(g.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}

export interface AwsSettings {
  region: string;
  stackName: string;
  outputsFile?: string;
}

/** Region, stack name and outputs file for --target aws, from the flags first, then the configuration. */
export function awsSettings(g: GlobalOptions, config: BestexConfig): AwsSettings {
  const configDir = g.config ?? DEFAULT_CONFIG_DIR;
  const inConfig = join(configDir, 'outputs.json');
  const outputsFile = g.outputs ?? (existsSync(inConfig) ? inConfig : undefined);
  return {
    region: g.region ?? config.deployment.region,
    stackName: g.stack ?? config.deployment.stackName,
    ...(outputsFile ? { outputsFile } : {}),
  };
}

export async function openTarget(g: GlobalOptions, ui: TargetUi = targetUi()): Promise<Target> {
  if (g.target === 'aws') {
    const config = loadConfigFor(g);
    const { AwsTarget } = await import('../../aws/aws-target');
    return AwsTarget.open({ config, ui, ...awsSettings(g, config) });
  }
  const { LocalTarget } = await import('../../local/target');
  return LocalTarget.open({
    home: g.home,
    ...(g.config ? { configDir: g.config } : {}),
    ui,
    onNotice: (n: PublishedNotice) => progress(`  ✉ ${n.topic}: ${n.subject}`),
  });
}

/** Runs `fn` against the chosen target and always closes it. */
export async function withTarget<T>(g: GlobalOptions, fn: (t: Target) => Promise<T>): Promise<T> {
  const t = await openTarget(g);
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

/** For commands that exist only on one target. */
export function requireLocal(g: GlobalOptions, command: string, instead: string): void {
  if (g.target !== 'local') throw new CliError(`\`bestex ${command}\` runs on the local target only: ${instead}`);
}

/** `dry-run/` before every key a dry run writes: its outputs never mix with reviews of record. */
export const dryRunPrefix = (dryRun: boolean | undefined): string => (dryRun ? DRY_RUN_PREFIX : '');

/** Where a fetched package goes by default: under --home, AWS packages apart from local ones. */
export function packagesDir(g: GlobalOptions, t: Target, dryRun: boolean | undefined, period: string): string {
  const base = t.kind === 'aws' ? join(g.home, 'aws', t.config.deployment.stackName) : g.home;
  return join(base, `${dryRunPrefix(dryRun)}packages`, period);
}
