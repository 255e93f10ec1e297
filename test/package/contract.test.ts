/**
 * One contract between Evaluate and Package: the state machine CDK synthesises passes Evaluate's
 * result at `$.evaluation` and the run parameters beside it, and Package parses that input with a
 * schema whose `evaluation` IS Evaluate's output schema. These tests read the synthesised
 * definition (not a restatement of it) and check every path it wires against the schemas.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambdas/shared/config';
import { packageInputSchema, packageOutputSchema } from '../../lambdas/shared/contracts/package';
import { evaluateOutputSchema } from '../../lambdas/shared/contracts/review';
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

  it('returns what its output schema says', () => {
    expect(
      packageOutputSchema.safeParse({ period: '2026Q3', runId: 'r', dryRun: false, keys: [], evidenceKeys: [], packages: [], agendas: [] })
        .success,
    ).toBe(true);
  });
});
