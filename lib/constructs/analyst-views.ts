import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { DATASETS } from '../../lambdas/shared/schema';
import { canonicalViewSql } from '../catalog';
import { viewFiles } from '../sql-files';
import type { Lake } from './lake';
import { acknowledgeCdkSingleton, acknowledgeWildcards, BASIC_EXECUTION_ROLE_FINDING } from './nag';

/**
 * First the canonical datasets' views (lib/catalog.ts canonicalViewSql: each dataset's name shows
 * only files a committed load manifest names), then the analyst views of sql/views/ (order_quality, execution_quality), created in Athena at deploy
 * time by running each file's `CREATE OR REPLACE VIEW` in the workgroup: the same text the local
 * engine runs, so the two cannot drift. A changed file changes the resource's id and re-runs.
 * Athena runs DDL in about a second; a failed statement shows in the workgroup's query history.
 */
export class AnalystViews extends Construct {
  readonly views: string[] = [];

  constructor(scope: Construct, id: string, props: { readonly lake: Lake }) {
    super(scope, id);
    const { lake } = props;
    const stack = Stack.of(this);
    const viewTable = (name: string) =>
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${lake.databaseName}/${name}` });
    const sha = (sql: string) => createHash('sha256').update(sql).digest('hex').slice(0, 16);
    // The bucket name is a deploy-time token: hash the template text, not the resolved name.
    const canonical = DATASETS.map((spec) => {
      const template = canonicalViewSql(spec, 'LAKE_BUCKET');
      return { id: `Dataset-${spec.table}`, sql: canonicalViewSql(spec, lake.lake.bucketName), name: spec.table, sha: sha(template) };
    });
    const files = viewFiles().map((path) => {
      const sql = readFileSync(path, 'utf8');
      const name = /CREATE\s+OR\s+REPLACE\s+VIEW\s+([a-z_][a-z0-9_]*)/i.exec(sql)?.[1];
      if (!name) throw new Error(`${path}: a view file must be one CREATE OR REPLACE VIEW statement`);
      return { id: `View-${basename(path, '.sql')}`, sql, name, sha: sha(sql) };
    });
    const statements = [
      ...lake.queryStatements(),
      // Athena stores a view as a Glue table of type VIRTUAL_VIEW, with the caller's credentials.
      new PolicyStatement({
        actions: ['glue:CreateTable', 'glue:UpdateTable', 'glue:GetTable'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: lake.databaseName }),
          ...[...canonical, ...files].map((f) => viewTable(f.name)),
        ],
      }),
    ];
    const datasetViews: AwsCustomResource[] = [];
    for (const f of [...canonical, ...files]) {
      const call = {
        service: 'Athena',
        action: 'StartQueryExecution',
        parameters: {
          QueryString: f.sql,
          WorkGroup: lake.workGroupName,
          QueryExecutionContext: { Database: lake.databaseName, Catalog: 'AwsDataCatalog' },
        },
        physicalResourceId: PhysicalResourceId.of(`${f.name}-${f.sha}`),
      };
      const view = new AwsCustomResource(this, f.id, {
        onCreate: call,
        onUpdate: call,
        policy: AwsCustomResourcePolicy.fromStatements(statements),
        installLatestAwsSdk: false,
      });
      view.node.addDependency(lake);
      // sql/views read the canonical views: create those first.
      if (f.id.startsWith('Dataset-')) datasetViews.push(view);
      else for (const d of datasetViews) view.node.addDependency(d);
      this.views.push(f.name);
    }
    // The custom resources share one CDK-provided function and role (AwsCustomResource's singleton).
    acknowledgeCdkSingleton(this, 'AWS679f53fac002430cb0da5b7982bd2287', {
      [BASIC_EXECUTION_ROLE_FINDING]:
        'CDK’s AwsCustomResource function (runs only during deployment, to create the analyst views) comes with the AWS-managed basic execution role.',
      'AwsSolutions-L1': 'the AwsCustomResource function’s runtime is chosen by CDK; it runs only during deployment.',
    });
    acknowledgeWildcards(
      this,
      statements,
      'the view statements run with the catalog’s query permissions: object reads under each table’s prefix and query results under the workgroup’s output prefix.',
    );
  }
}
