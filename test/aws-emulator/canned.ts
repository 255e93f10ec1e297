/**
 * The task results both interpreters are given: Prepare's comes from the real pure module
 * (lambdas/prepare/run.ts) for the execution input; Athena's is the `.sync` integration's
 * output shape; Evaluate, Package and Rule 606 return what their handlers' result types declare.
 * moto's Lambda runs no code, so these are queued there in invocation order.
 */

import { type PreparedRun, type PrepareInput, prepareRun } from '../../lambdas/prepare/run';
import type { Notice } from '../../lambdas/shared/notice';
import { BUCKETS } from './stack';

export const NOW = new Date('2026-10-05T12:00:00Z');

export function prepared(input: PrepareInput): PreparedRun {
  return prepareRun(input, { now: NOW, heightened: [], maxQuoteAgeSeconds: 10 });
}

/** What `athena:startQueryExecution.sync` returns once the query has succeeded. */
export function athenaSync(id: string): Record<string, unknown> {
  return {
    QueryExecution: {
      QueryExecutionId: id,
      Query: '-- elided',
      StatementType: 'DML',
      ResultConfiguration: { OutputLocation: `s3://${BUCKETS.athena}/results/${id}.csv` },
      Status: { State: 'SUCCEEDED' },
      Statistics: { DataScannedInBytes: 2048, EngineExecutionTimeInMillis: 812 },
      WorkGroup: 'bestex-analysts',
    },
  };
}

export function breachNotice(source: string, period: string): Notice {
  return {
    subject: `[bestex] ${source} ${period}: 1 high breach`,
    message: `price_improvement_per_share for market orders of ${source} is below its benchmark.`,
    attributes: { severity: 'high', source, period, kind: 'breach' },
  };
}

export function evaluation(run: PreparedRun, notices: Notice[]): Record<string, unknown> {
  return {
    period: run.period,
    runId: run.runId,
    dryRun: run.dryRun,
    breachCount: notices.length,
    sources: [
      { source: 'acme-sor', breaches: notices.length, status: notices.length ? 'heightened' : 'normal' },
      { source: 'bolt-sor', breaches: 0, status: 'normal' },
    ],
    notices,
    outputs: [],
    files: { breaches: `reviews/${run.period}/${run.runId}/breaches.json` },
    thresholds: { uri: 'config/thresholds.json', version: '1', sha256: '0'.repeat(64) },
  };
}

export function packaged(run: PreparedRun): Record<string, unknown> {
  const prefix = `${run.dryRun ? 'dry-run/' : ''}packages/${run.period}/acme-sor/`;
  return {
    period: run.period,
    runId: run.runId,
    dryRun: run.dryRun,
    keys: [`${prefix}report.html`],
    evidenceKeys: [`${prefix}evidence.json`],
    packages: [{ source: 'acme-sor', prefix, report: `${prefix}report.html`, evidence: `${prefix}evidence.json` }],
  };
}

export function rule606(run: PreparedRun): Record<string, unknown> {
  return { period: run.period, keys: [`regulatory/rule606/${run.period}/rule606-${run.period}.xml`], months: 3 };
}

/**
 * The enrichment plan with every date already fresh (no unit to run): moto's queue is one FIFO for
 * every Lambda, and the figures' own path is proven on the local runtime (test/enrich/workflow.test.ts).
 */
export const freshPlan = (): Record<string, unknown> => ({ units: [], fresh: 0, stale: 0, missing: 0 });
