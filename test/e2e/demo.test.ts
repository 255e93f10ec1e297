/**
 * End to end on the local runtime: generated drops → S3 API → normalise → lake → the review
 * state machine as CDK synthesises it → thresholds → breaches → notices. Real s3rver, real
 * DuckDB, real aws-local-stepfunctions; nothing mocked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambdas/shared/config';
import { evaluateOutputSchema } from '../../lambdas/shared/contracts/review';
import { generateDemo } from '../../lib/demo/generate';
import { stateMachines, type Template } from '../../lib/local/asl';
import { type DropResult, LocalRuntime, localBuckets, type RunResult } from '../../lib/local/runtime';

let home: string;
let rt: LocalRuntime;
let loads: DropResult[];
let review: RunResult;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'bestex-e2e-'));
  generateDemo({ outDir: join(home, 'data'), period: '2026Q3', seed: 7, ordersPerDay: 6 });
  rt = await LocalRuntime.start({ home });
  loads = await rt.drop(join(home, 'data'));
  review = await rt.run('review', { period: '2026Q3' });
}, 600_000);

afterAll(async () => {
  await rt?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('local end-to-end run of the demo quarter', () => {
  it('loads every drop and accounts for every row', () => {
    // One load per file the generator wrote, counted on disk.
    const files = readdirSync(join(home, 'data'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(loads.map((l) => l.key.split('/').pop()).sort()).toEqual(files.map((f) => f.name).sort());
    for (const l of loads) {
      expect(l.ok, `${l.key}: ${l.error ?? ''}`).toBe(true);
      const m = l.manifest as Record<string, number | string>;
      expect(m.status, l.key).toBe('loaded');
      expect(m.rows_read).toBe(Number(m.rows_written) + Number(m.rows_rejected) + Number(m.rows_duplicate));
    }
  });

  it('lands the generated rows in the lake, queryable as tables', async () => {
    const r = await rt.query('SELECT source, count(*) AS n FROM orders GROUP BY source ORDER BY source');
    expect(r.rows.map((x) => x.source)).toEqual(['acme-sor', 'bolt-sor']);
    const written = loads.filter((l) => l.key.includes('/orders/')).reduce((s, l) => s + Number(l.manifest?.rows_written), 0);
    expect(r.rows.reduce((s, x) => s + Number(x.n), 0)).toBe(written);
  });

  it('counts in its output exactly the breached findings the review_findings table holds, per source', async () => {
    const ev = evaluateOutputSchema.parse(review.output.evaluation);
    // Counted again by SQL over the Parquet the run wrote, not taken from the run's own summary.
    const r = await rt.query(
      `SELECT source, count(*) FILTER (WHERE status = 'breach') AS breaches FROM review_findings GROUP BY source ORDER BY source`,
    );
    const counted = r.rows.map((x) => ({ source: String(x.source), breaches: Number(x.breaches) }));
    expect(counted).toEqual([
      { source: 'acme-sor', breaches: 3 },
      { source: 'bolt-sor', breaches: 0 },
    ]);
    expect(ev.sources.map(({ source, breaches }) => ({ source, breaches }))).toEqual(counted);
    expect(ev.findingCount).toBe(3);
  });

  it('files one finding per planted problem for acme-sor, each on the right side of its benchmark, and none for bolt-sor', async () => {
    const r = await rt.query(
      `SELECT source, problem, direction, value, benchmark FROM review_findings
       WHERE status = 'breach' ORDER BY source, problem`,
    );
    // The generator plants three defects in acme-sor (lib/demo/generate.ts): order flow steered to a
    // paying venue at a cost in price improvement, first fills ~400 ms against ~60 ms, and limit
    // orders filled ~45 % against ~80 %. bolt-sor is drawn clean.
    expect(r.rows.filter((x) => x.source === 'bolt-sor')).toEqual([]);
    const acme = r.rows.filter((x) => x.source === 'acme-sor');
    expect(acme.map((x) => x.problem)).toEqual(['limit_fill', 'price', 'speed']);
    for (const f of acme) {
      const [value, benchmark] = [Number(f.value), Number(f.benchmark)];
      if (f.direction === 'below') expect(value, String(f.problem)).toBeLessThan(benchmark);
      else expect(value, String(f.problem)).toBeGreaterThan(benchmark);
    }
  });

  it('sends exactly one compliance notice per source and kind, the breach one naming the vendor and its findings', () => {
    const dir = join(home, 'outbox', 'compliance');
    const notices = readdirSync(dir).map(
      (f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { subject: string; attributes: Record<string, string> },
    );
    const perSourceAndKind: Record<string, number> = {};
    for (const n of notices) {
      const k = `${n.attributes.source}/${n.attributes.kind}`;
      perSourceAndKind[k] = (perSourceAndKind[k] ?? 0) + 1;
    }
    expect(perSourceAndKind).toEqual({ 'acme-sor/review': 1, 'bolt-sor/review': 1 });
    const acme = notices.find((n) => n.attributes.source === 'acme-sor');
    const bolt = notices.find((n) => n.attributes.source === 'bolt-sor');
    // The subject names the router and what was found (docs/review-package.md): a phone shows it whole.
    expect(acme?.subject).toMatch(/acme-sor 2026Q3: 3 findings, \$[\d,]+ \(/);
    expect(acme?.attributes.severity).not.toBe('none');
    expect(bolt?.subject).toMatch(/bolt-sor 2026Q3: clean, no finding/);
  });

  it('ran the state machine that the CDK app synthesises, not a copy', () => {
    // Synthesise through the CDK app entry point (what `cdk synth` runs), in a child process.
    const outdir = join(home, 'cdk.out');
    const cdkContext = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> }).context;
    execFileSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      // As the CDK CLI does: cdk.json's context in CDK_CONTEXT_JSON (bundling skipped: only the template is compared).
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkContext, 'aws:cdk:bundling-stacks': [] }) },
    });
    const stackName = loadConfig().deployment.stackName;
    const template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8')) as Template;
    const synthesised = stateMachines(template, { buckets: localBuckets() }).review;
    if (!synthesised) throw new Error('the synthesised template has no review state machine');
    expect(rt.stateMachine('review').definition).toEqual(synthesised.definition);
    const states = Object.keys((synthesised.definition as { States: object }).States);
    expect(states).toEqual(expect.arrayContaining(['Prepare', 'RunMetricQueries', 'Evaluate', 'Package', 'NotifyCompliance']));
  });
});
