/**
 * The analyst views: each sql/views file is run in the workgroup at deploy time, by a custom
 * resource whose id follows the file's content (so a changed view is re-created).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { viewFiles } from '../../lib/engine';
import { idsOf, synth } from './synth';

const s = synth();

describe('analyst views in Athena', () => {
  const views = idsOf(s, 'Custom::AWS').map((id) => {
    const create = JSON.parse(String(s.json.Resources[id]?.Properties?.Create)) as {
      service: string;
      action: string;
      parameters: { QueryString: string; QueryExecutionContext: { Database: string } };
      physicalResourceId: { id: string };
    };
    return create;
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
