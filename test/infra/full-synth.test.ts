/**
 * The one full synthesis with asset bundling, as `npx cdk synth` does it: esbuild bundles every
 * handler and the DuckDB layer is assembled from node_modules, offline and without Docker (the
 * Docker command is pointed at a path that does not exist). The deployed definitions must equal
 * the ones the local runtime extracts from its bundling-free synthesis.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { secSpecPath } from '../../lambdas/core/regulatory/rule605';
import { rule606XsdPath } from '../../lambdas/core/regulatory/rule606';
import { loadConfig } from '../../lambdas/shared/config';
import { addNagChecks, buildApp } from '../../lib/app';
import { stateMachines, synthTemplate, type Template } from '../../lib/local/asl';
import { localBuckets } from '../../lib/local/runtime';

const outdir = mkdtempSync(join(tmpdir(), 'bestex-fullsynth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
/** Set by the first test: each function's bundle folder and handler export, by lambdas/ folder. */
const bundles: { name: string; handler: string; dir: string }[] = [];

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
      const env = ((fn.Properties?.Environment ?? {}) as { Variables: Record<string, string> }).Variables;
      bundles.push({ name: env.BESTEX_FUNCTION as string, handler: String(fn.Properties?.Handler).replace(/^index\./, ''), dir });
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

describe('what the bundles carry', () => {
  const rule606 = () => {
    const b = bundles.find((x) => x.name === 'rule606');
    if (!b) throw new Error('the full synthesis above did not run');
    return b.dir;
  };

  it('the Rule 606 bundle holds xmllint-wasm (module, worker, .wasm) and the SEC XSD, and with them rejects an invalid report', () => {
    const dir = rule606();
    // esbuild leaves xmllint-wasm external (it starts a worker from its own folder): the bundle imports it by name.
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toMatch(/from\s*"xmllint-wasm"/);
    for (const f of ['package.json', 'index-node.js', 'xmllint-node.js', 'xmllint.wasm']) {
      expect(existsSync(join(dir, 'node_modules', 'xmllint-wasm', f)), f).toBe(true);
    }
    const xsd = join(dir, 'specs', 'sec', 'oh-20191231.xsd');
    expect(readFileSync(xsd, 'utf8')).toBe(readFileSync(rule606XsdPath(), 'utf8'));
    // The copied package, resolved from the bundle's own folder (cwd), validates against the copied XSD.
    const good = readFileSync(secSpecPath('606a1_held_order_public_report.xml'), 'utf8');
    const bad = good.replace(/<\/year>/, '</year><unexpected>1</unexpected>');
    const validate = (xml: string): { valid: boolean; resolved: string } =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            '-e',
            `const fs = require('node:fs'); const x = require('xmllint-wasm');
             x.validateXML({ xml: [{ fileName: 'r.xml', contents: fs.readFileSync(0, 'utf8') }], schema: [{ fileName: 'oh.xsd', contents: fs.readFileSync(${JSON.stringify(xsd)}, 'utf8') }] })
               .then((r) => process.stdout.write(JSON.stringify({ valid: r.valid, resolved: require.resolve('xmllint-wasm') })));`,
          ],
          { cwd: dir, input: xml, encoding: 'utf8' },
        ),
      );
    const ok = validate(good);
    expect(ok.resolved.startsWith(join(dir, 'node_modules', 'xmllint-wasm'))).toBe(true);
    expect(ok.valid).toBe(true);
    expect(validate(bad).valid).toBe(false);
  });

  it('every bundle loads as Lambda loads it and exports its handler (Powertools, middy and zod bundled)', () => {
    // Every function the first test found (9), each loaded on its own.
    expect(bundles.length).toBe(9);
    // Lambda's runtime provides @aws-sdk/* and the layer @duckdb/*: node_modules above the bundles stands in for both.
    symlinkSync(join(new URL('../../', import.meta.url).pathname, 'node_modules'), join(outdir, 'node_modules'));
    for (const b of bundles) {
      const out = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(join(b.dir, 'index.mjs'))}); process.stdout.write(typeof m[${JSON.stringify(b.handler)}]);`,
        ],
        {
          cwd: b.dir,
          encoding: 'utf8',
          env: { ...process.env, BESTEX_CONFIG_DIR: join(b.dir, 'config'), POWERTOOLS_TRACE_ENABLED: 'false' },
        },
      );
      expect(out, `${b.name} ${b.handler}`).toBe('function');
    }
  });
});
