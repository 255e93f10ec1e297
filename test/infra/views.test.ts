/**
 * The analyst views: each sql/views file is run in the workgroup at deploy time, by a custom
 * resource whose id follows the file's content (so a changed view is re-created).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../lambdas/shared/schema';
import { canonicalViewSql } from '../../lib/catalog';
import { viewFiles } from '../../lib/sql-files';
import { idsOf, synth } from './synth';

const s = synth();

describe('analyst views in Athena', () => {
  // A canonical view names the lake bucket, so its Create is an Fn::Join around the bucket's Ref.
  const text = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const [, parts] = (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map((p) => (typeof p === 'string' ? p : 'LAKE')).join('');
  };
  const all = idsOf(s, 'Custom::AWS').map((id) => {
    const create = JSON.parse(text(s.json.Resources[id]?.Properties?.Create)) as {
      service: string;
      action: string;
      parameters: { QueryString: string; QueryExecutionContext: { Database: string } };
      physicalResourceId: { id: string };
    };
    return { id, ...create };
  });
  const isCanonical = (v: { physicalResourceId: { id: string } }) =>
    DATASETS.some((d) => v.physicalResourceId.id.startsWith(`${d.table}-`));
  const views = all.filter((v) => !isCanonical(v));

  it('creates each canonical dataset as a view over committed loads only, before the analyst views', () => {
    const canonical = all.filter(isCanonical);
    expect(canonical.map((v) => v.parameters.QueryString).sort()).toEqual(DATASETS.map((d) => canonicalViewSql(d, 'LAKE')).sort());
    for (const v of views) {
      const deps = [(s.json.Resources[v.id] as { DependsOn?: string | string[] } | undefined)?.DependsOn ?? []].flat();
      for (const c of canonical) expect(deps).toContain(c.id);
    }
  });

  it('runs every sql/views file, verbatim, as an Athena statement in the bestex database', () => {
    const files = viewFiles().map((f) => readFileSync(f, 'utf8'));
    expect(files.length).toBeGreaterThan(0);
    expect(views.map((v) => v.parameters.QueryString).sort()).toEqual([...files].sort());
    for (const v of views) {
      expect(v).toMatchObject({
        service: 'Athena',
        action: 'StartQueryExecution',
        parameters: { QueryExecutionContext: { Database: 'bestex' } },
      });
      expect(v.physicalResourceId.id).toMatch(/^(order_quality|execution_quality)-[0-9a-f]{16}$/);
    }
  });
});
