/**
 * `athena.engine` (lambdas/shared/config.ts): 'v3' embeds the Trino window form of the as-of
 * lookup and runs it in the main workgroup; 'duckdb' adds a workgroup on Amazon Athena powered by
 * DuckDB and embeds the ASOF JOIN form. Either way the aggregation stays on engine v3.
 */
import { describe, expect, it } from 'vitest';
import { configWith, synth } from '../infra/synth';

/** The review state machine's definition as synthesised (the embedded SQL is plain text in it). */
function reviewDefinition(s: ReturnType<typeof synth>): string {
  const r = Object.values(s.json.Resources).find(
    (x) => x.Type === 'AWS::StepFunctions::StateMachine' && x.Properties?.StateMachineName === 'Bestex-review',
  );
  return JSON.stringify(r?.Properties?.DefinitionString ?? '');
}

describe('athena.engine', () => {
  it('v3 (default): the portable window form, in the main workgroup', () => {
    const s = synth();
    const sql = reviewDefinition(s);
    expect(sql).toContain('quote_group');
    expect(sql).not.toContain('ASOF LEFT JOIN');
    s.template.resourcePropertiesCountIs('AWS::Athena::WorkGroup', {}, 1);
  });
  it('duckdb: a DuckDB workgroup for the enrichment, with the ASOF JOIN form', () => {
    const s = synth(configWith({ athena: { bytesScannedCutoffGiB: 100, engine: 'duckdb' } }));
    expect(reviewDefinition(s)).toContain('ASOF LEFT JOIN');
    s.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'Bestex-bestex-duckdb',
      WorkGroupConfiguration: { EngineVersion: { SelectedEngineVersion: 'DuckDB' } },
    });
  });
});
