/**
 * One contract between Evaluate and Package: the state machine CDK synthesises passes Evaluate's
 * result at `$.evaluation` and the run parameters beside it, and Package parses that input with a
 * schema whose `evaluation` IS Evaluate's output schema. These tests read the synthesised
 * definition (not a restatement of it) and check every path it wires against the schemas.
 */
import { describe, expect, it } from 'vitest';
import type { EvaluateResult } from '../../lambdas/evaluate/run';
import type { PackageResult } from '../../lambdas/package/run';
import { loadConfig } from '../../lambdas/shared/config';
import { type PackageOutput, packageInputSchema, packageOutputSchema } from '../../lambdas/shared/contracts/package';
import { type EvaluateOutput, evaluateOutputSchema } from '../../lambdas/shared/contracts/review';
import { REVIEW_STATES } from '../../lib/constructs/review-workflow';
import { stateMachines, synthTemplate } from '../../lib/local/asl';
import { localBuckets } from '../../lib/local/runtime';

type State = { Type: string; ResultPath?: string; Parameters?: Record<string, unknown>; ItemsPath?: string; Next?: string };

const review = stateMachines(synthTemplate(loadConfig()), { buckets: localBuckets() }).review;
const states = (review?.definition.States ?? {}) as Record<string, State>;

/** The Lambda payload a task state builds (LambdaInvoke with payloadResponseOnly: Parameters are the payload). */
const payload = (s: State | undefined): Record<string, unknown> =>
  (s?.Parameters?.Payload ?? s?.Parameters ?? {}) as Record<string, unknown>;

/** The field names a payload gives, without the `.$` of a path. */
const fields = (p: Record<string, unknown>) => Object.keys(p).map((k) => k.replace(/\.\$$/, ''));

const objectKeys = (schema: { shape: Record<string, unknown> }) => Object.keys(schema.shape);

/**
 * Exactly the same key set, checked by the compiler (`npm run typecheck`): the producers declare
 * their own result types, and a field renamed or added on one side only must not compile. (Plain
 * assignability would let a producer drop or rename any optional field.)
 */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
type Item<T> = T extends readonly (infer I)[] ? I : never;
const exactKeys: {
  evaluate: SameKeys<EvaluateResult, EvaluateOutput>;
  evaluateSources: SameKeys<Item<EvaluateResult['sources']>, Item<EvaluateOutput['sources']>>;
  evaluateNotices: SameKeys<Item<EvaluateResult['notices']>, Item<EvaluateOutput['notices']>>;
  evaluateThresholds: SameKeys<EvaluateResult['thresholds'], EvaluateOutput['thresholds']>;
  package: SameKeys<PackageResult, PackageOutput>;
  packages: SameKeys<Item<PackageResult['packages']>, Item<PackageOutput['packages']>>;
} = { evaluate: true, evaluateSources: true, evaluateNotices: true, evaluateThresholds: true, package: true, packages: true };

describe('Evaluate → Package contract in the synthesised state machine', () => {
  const evaluate = states[REVIEW_STATES.evaluate];
  const pkg = states[REVIEW_STATES.package];

  it('puts Evaluate’s result where Package reads it, and Package’s result apart', () => {
    expect(evaluate?.Type).toBe('Task');
    expect(evaluate?.ResultPath).toBe('$.evaluation');
    expect(payload(pkg)['evaluation.$']).toBe(evaluate?.ResultPath);
    expect(evaluate?.Next).toBe(REVIEW_STATES.package);
    expect(pkg?.ResultPath).toBe('$.package');
  });

  it('passes Package exactly the fields its input schema knows, each from the state of the same name', () => {
    const p = payload(pkg);
    const known = objectKeys(packageInputSchema);
    for (const f of fields(p)) expect(known, `Package payload field ${f}`).toContain(f);
    // Every required field of the schema is wired.
    for (const k of known.filter(
      (k) => !packageInputSchema.shape[k as keyof typeof packageInputSchema.shape].safeParse(undefined).success,
    )) {
      expect(fields(p), `required field ${k}`).toContain(k);
    }
    for (const [k, v] of Object.entries(p)) if (k !== 'evaluation.$') expect(v).toBe(`$.${k.replace(/\.\$$/, '')}`);
  });

  it('publishes the notices from a field Evaluate’s output schema has', () => {
    const notify = Object.values(states).find((s) => s.Type === 'Map' && s.ItemsPath?.startsWith('$.evaluation.'));
    const field = notify?.ItemsPath?.slice('$.evaluation.'.length);
    expect(field).toBe('notices');
    expect(objectKeys(evaluateOutputSchema)).toContain(field);
  });

  it('accepts a state as the machine builds it, and refuses one Evaluate did not produce', () => {
    const evaluation = {
      period: '2026Q3',
      runId: 'run-1',
      dryRun: false,
      findingCount: 1,
      breachCount: 3,
      sources: [{ source: 'acme-sor', breaches: 1, status: 'normal' }],
      notices: [{ subject: 's', message: 'm' }],
      outputs: ['reviews/2026Q3/run-1/findings.json'],
      files: { findings: 'reviews/2026Q3/run-1/findings.json' },
      thresholds: { uri: 'config/thresholds.json', version: 'v1', sha256: 'a'.repeat(64) },
    };
    const state = {
      period: '2026Q3',
      start: '2026-07-01',
      end: '2026-10-01',
      runId: 'run-1',
      dryRun: 'false',
      sources: [],
      metricResults: [{ name: 'm', result: { queryExecutionId: 'q', outputLocation: 's3://b/k.csv' } }],
      evaluation,
    };
    const ok = packageInputSchema.safeParse(state);
    expect(ok.success).toBe(true);
    expect(ok.data?.dryRun).toBe(false);
    const { findingCount: _drop, ...old } = evaluation;
    const bad = packageInputSchema.safeParse({ ...state, evaluation: old });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toContain('evaluation.findingCount');
  });

  it('has producers whose declared results carry exactly the contract’s fields', () => {
    // The compile-time check above is the test; this keeps the object from being optimised away unread.
    expect(Object.values(exactKeys).every(Boolean)).toBe(true);
  });

  it('refuses any field the contract does not name, at every level (strict schemas)', () => {
    const out = { period: '2026Q3', runId: 'r', dryRun: false, keys: [], evidenceKeys: [], packages: [], agendas: [] };
    expect(packageOutputSchema.safeParse(out).success).toBe(true);
    expect(packageOutputSchema.safeParse({ ...out, extra: 1 }).success).toBe(false);
    const pkg = { source: 's', prefix: 'p/', report: 'p/report.html', evidence: 'e.json', link: 'l' };
    expect(packageOutputSchema.safeParse({ ...out, packages: [pkg] }).success).toBe(true);
    expect(packageOutputSchema.safeParse({ ...out, packages: [{ ...pkg, reportKey: 'renamed' }] }).success).toBe(false);
  });
});
