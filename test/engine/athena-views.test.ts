import { describe, expect, it } from 'vitest';
import { lintSql } from '../../bin/lint-sql';
import { DATASETS, tableColumns } from '../../lambdas/shared/schema';
import { canonicalViewSql, filesTable, LAKE_COMMITS_TABLE, lakeCommitsTableInput } from '../../lib/catalog';

describe('Athena canonical views over committed files', () => {
  it.each(DATASETS.map((d) => [d.table, d] as const))('%s: parses as Trino and reads only loaded manifests', (_t, spec) => {
    const sql = canonicalViewSql(spec, 'lake-bucket');
    expect(lintSql(`${spec.table}.view.sql`, sql, false)).toEqual([]);
    expect(sql).toMatch(new RegExp(`^CREATE OR REPLACE VIEW ${spec.table} AS\\n`));
    expect(sql).toContain(`FROM ${spec.table}_files\n`);
    expect(filesTable(spec)).toBe(`${spec.table}_files`);
    const select = /^SELECT (.*)$/m.exec(sql)?.[1];
    expect(select?.split(', ')).toEqual(tableColumns(spec).map((c) => c.name));
    expect(sql).toContain(`concat('s3://lake-bucket/', o."key")`);
    expect(sql).toContain(`FROM lake_commits CROSS JOIN UNNEST(outputs) AS t (o)`);
    expect(sql).toContain(`WHERE status = 'loaded' AND o."table" = '${spec.table}'`);
  });

  it('lake_commits reads the manifests as JSON lines', () => {
    const t = lakeCommitsTableInput('lake-bucket');
    expect(t.name).toBe(LAKE_COMMITS_TABLE);
    expect(t.storageDescriptor.location).toBe('s3://lake-bucket/_manifests/');
    expect(t.storageDescriptor.serdeInfo.serializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(t.storageDescriptor.columns).toEqual([
      { name: 'status', type: 'string' },
      { name: 'outputs', type: 'array<struct<table:string,key:string,rows:bigint>>' },
    ]);
  });
});
