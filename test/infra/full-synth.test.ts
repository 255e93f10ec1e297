/**
 * The one full synthesis with asset bundling, as `npx cdk synth` does it: esbuild bundles every
 * handler and the DuckDB layer is assembled from node_modules, offline and without Docker (the
 * Docker command is pointed at a path that does not exist). The deployed definitions must equal
 * the ones the local runtime extracts from its bundling-free synthesis.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambdas/shared/config';
import { addNagChecks, buildApp } from '../../lib/app';
import { stateMachines, synthTemplate, type Template } from '../../lib/local/asl';
import { localBuckets } from '../../lib/local/runtime';

const outdir = mkdtempSync(join(tmpdir(), 'bestex-fullsynth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('full synthesis with bundling', () => {
  it('bundles every function and the DuckDB layer offline, passes cdk-nag, and deploys the definitions the local runtime runs', () => {
    const docker = process.env.CDK_DOCKER;
    process.env.CDK_DOCKER = '/nonexistent/docker';
    let template: Template;
    try {
      const app = new App({ outdir });
      const stack = buildApp(app, loadConfig());
      addNagChecks(app);
      template = app.synth().getStackByName(stack.stackName).template as Template;
    } finally {
      if (docker === undefined) delete process.env.CDK_DOCKER;
      else process.env.CDK_DOCKER = docker;
    }

    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    const fns = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties).includes('BESTEX_FUNCTION'),
    );
    // prepare, normalise, evaluate, package, rule606, the day's prepare and summary, and the enrichment plan and commit both workflows share.
    expect(fns.length).toBe(9);
    for (const fn of fns) {
      const key = ((fn.Properties?.Code ?? {}) as { S3Key: string }).S3Key.replace(/\.zip$/, '');
      const dir = join(outdir, `asset.${key}`);
      expect(assets).toContain(`asset.${key}`);
      expect(existsSync(join(dir, 'index.mjs')), dir).toBe(true);
      // config/ ships with the code: the deployed thresholds are part of the evidence.
      expect(existsSync(join(dir, 'config', 'thresholds.json')), dir).toBe(true);
    }
    const layer = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::LayerVersion');
    const layerDir = join(outdir, `asset.${((layer?.Properties?.Content ?? {}) as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`);
    expect(existsSync(join(layerDir, 'nodejs', 'node_modules', '@duckdb', 'node-api', 'package.json'))).toBe(true);
    expect(existsSync(join(layerDir, 'nodejs', 'node_modules', '@duckdb', 'node-bindings-linux-x64'))).toBe(true);

    const local = { buckets: localBuckets() };
    const deployed = stateMachines(template, local);
    const runtime = stateMachines(synthTemplate(loadConfig()), local);
    expect(Object.keys(deployed).sort()).toEqual(['exceptions', 'review']);
    for (const name of Object.keys(deployed)) expect(deployed[name]?.definition, name).toEqual(runtime[name]?.definition);
  }, 900_000);
});
