import { Duration, Stack } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DATASETS } from '../../lambdas/shared/schema';
import { glueTableInput, reviewMetricsTableInput } from '../catalog';
import type { Storage } from './storage';

export interface LakeProps {
  readonly storage: Storage;
  readonly sources: readonly string[];
  readonly quarantineDays: number;
  /** Athena refuses a query that would scan more. @default 100 GiB */
  readonly bytesScannedCutoff?: number;
}

/**
 * The canonical Parquet lake, its quarantine, the review results, and the catalog over them:
 * Glue tables generated from the schema module (partition projection, so no crawler and no
 * MSCK REPAIR), and an Athena workgroup that enforces its result location, encryption and a
 * per-query scan limit.
 */
export class Lake extends Construct {
  readonly lake: Bucket;
  readonly quarantine: Bucket;
  readonly results: Bucket;
  readonly athenaResults: Bucket;
  readonly database: CfnDatabase;
  readonly databaseName: string;
  readonly workGroup: CfnWorkGroup;

  constructor(scope: Construct, id: string, props: LakeProps) {
    super(scope, id);
    const { storage } = props;
    this.lake = storage.bucket(this, 'Lake', 'lake', {
      lifecycleRules: [{ id: 'expire-replaced-parts', noncurrentVersionExpiration: Duration.days(90) }],
    });
    this.quarantine = storage.bucket(this, 'Quarantine', 'quarantine', {
      lifecycleRules: [{ id: 'expire-quarantine', expiration: Duration.days(props.quarantineDays) }],
    });
    this.results = storage.bucket(this, 'Results', 'results');
    this.athenaResults = storage.bucket(this, 'AthenaResults', 'athena', {
      versioned: false,
      lifecycleRules: [{ id: 'expire-query-results', expiration: Duration.days(30) }],
    });

    this.databaseName = 'bestex';
    const account = Stack.of(this).account;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: this.databaseName, description: 'bestex canonical lake and review results' },
    });
    for (const spec of DATASETS) {
      const table = new CfnTable(this, `Table-${spec.table}`, {
        catalogId: account,
        databaseName: this.databaseName,
        tableInput: glueTableInput(spec, this.lake.bucketName, props.sources),
      });
      table.addDependency(this.database);
    }
    const reviewMetrics = new CfnTable(this, 'Table-review_metrics', {
      catalogId: account,
      databaseName: this.databaseName,
      tableInput: reviewMetricsTableInput(this.results.bucketName),
    });
    reviewMetrics.addDependency(this.database);

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: `${Stack.of(this).stackName}-bestex`,
      description: 'bestex reviews and analysts: results encrypted, scan-limited',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoff ?? 100 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.athenaResults.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }
}
