import { Duration, Stack } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CASE_EVENTS_PREFIX } from '../../lambdas/core/review/cases';
import { FIGURE_TABLES } from '../../lambdas/shared/figures';
import { LAKE, RESULT_PREFIXES } from '../../lambdas/shared/layout';
import { DATASETS } from '../../lambdas/shared/schema';
import {
  caseEventsTableInput,
  figuresGlueTableInput,
  filesTable,
  type GlueTableInput,
  glueTableInput,
  LAKE_COMMITS_TABLE,
  lakeCommitsTableInput,
  reviewBreachesTableInput,
  reviewFindingsTableInput,
  reviewMetricsTableInput,
} from '../catalog';
import { objectArns } from './grants';
import type { Storage } from './storage';

export interface LakeProps {
  readonly storage: Storage;
  /** Sources expected in the lake: the `source` partition projection enumerates them. */
  readonly sources: readonly string[];
  /** Days rejected rows and files stay in quarantine. */
  readonly quarantineDays: number;
  /** Days a replaced (noncurrent) version of a quarantine object is kept. @default 90 */
  readonly noncurrentDays?: number;
  /**
   * Years an evidence manifest is locked. Replaced versions in the lake and results buckets are
   * kept as long (then some, for leap days): a manifest names the exact versions a review read and
   * wrote, and `bestex verify` must find them for as long as the manifest exists. @default 6
   */
  readonly evidenceYears?: number;
  /** Days Athena query result files are kept. @default 30 */
  readonly athenaResultsDays?: number;
  /** Athena cancels a query that would scan more. @default 100 GiB */
  readonly bytesScannedCutoffGiB?: number;
  /**
   * Engine of the enrichment queries (config `athena.engine`, docs/deploy.md): 'v3' runs them in
   * the main workgroup (Athena engine version 3); 'duckdb' adds a workgroup on Amazon Athena
   * powered by DuckDB (preview) for them. Reviews, exceptions and analysts stay on v3. @default 'v3'
   */
  readonly athenaEngine?: 'v3' | 'duckdb';
}

/** A Glue table and where its objects are: Athena (acting as the caller) needs exactly these. */
export interface CatalogTable {
  readonly name: string;
  readonly bucket: Bucket;
  /** Key prefix of the table location, ending with `/`. */
  readonly prefix: string;
}

/** Where Athena writes query results in the athena bucket (the workgroup enforces it). */
export const ATHENA_OUTPUT_PREFIX = 'results/';

/**
 * The canonical Parquet lake, its quarantine, the review results, and the catalog over them:
 * Glue tables generated from the schema module (partition projection, so no crawler and no
 * MSCK REPAIR), and an Athena workgroup that enforces its result location, SSE-S3 encryption of
 * results, CloudWatch metrics and a per-query scan limit.
 */
export class Lake extends Construct {
  readonly lake: Bucket;
  readonly quarantine: Bucket;
  readonly results: Bucket;
  readonly athenaResults: Bucket;
  readonly database: CfnDatabase;
  readonly databaseName: string;
  readonly workGroup: CfnWorkGroup;
  readonly workGroupName: string;
  /** Where the enrichment queries run: the main workgroup, or the DuckDB one. */
  readonly enrichWorkGroupName: string;
  readonly athenaEngine: 'v3' | 'duckdb';
  readonly tables: readonly CatalogTable[];

  constructor(scope: Construct, id: string, props: LakeProps) {
    super(scope, id);
    const { storage } = props;
    // Replaced versions are never read by Athena: archived after 30 days, kept while evidence may name them.
    const evidenceVersions = { noncurrentDays: 366 * (props.evidenceYears ?? 6), noncurrentArchiveDays: 30 };
    this.lake = storage.bucket(this, 'Lake', 'lake', evidenceVersions);
    this.quarantine = storage.bucket(this, 'Quarantine', 'quarantine', {
      noncurrentDays: props.noncurrentDays ?? 90,
      lifecycleRules: [{ id: 'expire-quarantine', expiration: Duration.days(props.quarantineDays) }],
    });
    this.results = storage.bucket(this, 'Results', 'results', evidenceVersions);
    // Query results are working files: the review copies what it keeps into the results bucket.
    this.athenaResults = storage.bucket(this, 'AthenaResults', 'athena', {
      versioned: false,
      lifecycleRules: [{ id: 'expire-query-results', expiration: Duration.days(props.athenaResultsDays ?? 30) }],
    });

    this.databaseName = 'bestex';
    const stack = Stack.of(this);
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: 'bestex canonical lake and review results' },
    });
    // Every Glue table of the database, created after it (CloudFormation does not infer the order).
    const glueTable = (name: string, tableInput: GlueTableInput): void => {
      const table = new CfnTable(this, `Table-${name}`, { catalogId: stack.account, databaseName: this.databaseName, tableInput });
      table.addResourceDependency(this.database);
    };
    const tables: CatalogTable[] = [];
    for (const spec of DATASETS) {
      glueTable(spec.table, glueTableInput(spec, this.lake.bucketName, props.sources));
      // Queries name the view (committed loads only, created by AnalystViews); it reads the `_files` table.
      tables.push({ name: spec.table, bucket: this.lake, prefix: `${spec.table}/` });
      tables.push({ name: filesTable(spec), bucket: this.lake, prefix: `${spec.table}/` });
    }
    // The load manifests: which files each committed load produced (read by the canonical views).
    glueTable(LAKE_COMMITS_TABLE, lakeCommitsTableInput(this.lake.bucketName));
    tables.push({ name: LAKE_COMMITS_TABLE, bucket: this.lake, prefix: LAKE.manifests });
    // The figures layer (sql/enrich), in the lake bucket beside the canonical tables it derives from.
    for (const spec of FIGURE_TABLES) {
      glueTable(spec.table, figuresGlueTableInput(spec, this.lake.bucketName, props.sources));
      tables.push({ name: spec.table, bucket: this.lake, prefix: `${spec.table}/` });
    }
    // The review's own tables over the results bucket, so analysts query outcomes and cases as they do metrics.
    const resultTables: [string, GlueTableInput, string][] = [
      ['review_metrics', reviewMetricsTableInput(this.results.bucketName), RESULT_PREFIXES.reviewMetrics],
      ['review_breaches', reviewBreachesTableInput(this.results.bucketName), RESULT_PREFIXES.reviewBreaches],
      ['review_findings', reviewFindingsTableInput(this.results.bucketName), RESULT_PREFIXES.reviewFindings],
      ['case_events', caseEventsTableInput(this.results.bucketName), CASE_EVENTS_PREFIX],
    ];
    for (const [name, tableInput, prefix] of resultTables) {
      glueTable(name, tableInput);
      tables.push({ name, bucket: this.results, prefix });
    }
    this.tables = tables;

    this.workGroupName = `${stack.stackName}-bestex`;
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'bestex reviews, daily exceptions and analysts: results encrypted, scan-limited',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: Math.round((props.bytesScannedCutoffGiB ?? 100) * 1024 ** 3),
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.athenaResults.bucketName}/${ATHENA_OUTPUT_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.athenaEngine = props.athenaEngine ?? 'v3';
    this.enrichWorkGroupName = this.workGroupName;
    if (this.athenaEngine === 'duckdb') {
      // DuckDB workgroups reject some settings v3 takes (docs: "Considerations and limitations"),
      // so this one sets only the engine and where results go.
      this.enrichWorkGroupName = `${stack.stackName}-bestex-duckdb`;
      new CfnWorkGroup(this, 'EnrichWorkGroup', {
        name: this.enrichWorkGroupName,
        description: 'bestex enrichment on Amazon Athena powered by DuckDB (preview)',
        recursiveDeleteOption: true,
        workGroupConfiguration: {
          engineVersion: { selectedEngineVersion: 'DuckDB' },
          resultConfiguration: {
            outputLocation: `s3://${this.athenaResults.bucketName}/${ATHENA_OUTPUT_PREFIX}`,
            encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          },
        },
      });
    }
  }

  get workGroupArn(): string {
    return Stack.of(this).formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName });
  }

  /**
   * What the enrichment queries need beyond `queryStatements()`: starting queries in the
   * enrichment workgroup, and writing their Parquet under the lake's figures staging prefix
   * (UNLOAD, v3) or the figures tables' own prefixes (COPY, DuckDB engine), with the listing UNLOAD
   * does to check its target is empty.
   */
  enrichStatements(): PolicyStatement[] {
    const writes = [LAKE.figuresStagingRoot, ...FIGURE_TABLES.map((t) => `${t.table}/`)];
    // On engine v3 the enrichment runs in the main workgroup, which queryStatements() already allows.
    const athena =
      this.enrichWorkGroupName === this.workGroupName
        ? []
        : [
            new PolicyStatement({
              actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'],
              resources: [Stack.of(this).formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.enrichWorkGroupName })],
            }),
          ];
    return [
      ...athena,
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: objectArns(this.lake, writes),
      }),
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.lake.bucketArn],
        conditions: { StringLike: { 's3:prefix': writes.map((w) => `${w}*`) } },
      }),
    ];
  }

  /**
   * What a principal needs to run the catalog's queries in this workgroup (Athena reads S3 and Glue
   * with the caller's credentials): Athena on this workgroup only; Glue reads of this database and
   * its tables by name; object reads under each table's location; listing restricted to those
   * prefixes; writing query results under the workgroup's output prefix.
   */
  queryStatements(): PolicyStatement[] {
    const stack = Stack.of(this);
    const buckets = [...new Set(this.tables.map((t) => t.bucket))];
    return [
      new PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'],
        resources: [this.workGroupArn],
      }),
      new PolicyStatement({
        actions: ['athena:GetDataCatalog'],
        resources: [stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' })],
      }),
      new PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
          ...this.tables.map((t) =>
            stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${t.name}` }),
          ),
        ],
      }),
      ...buckets.map(
        (b) =>
          new PolicyStatement({
            actions: ['s3:GetObject'],
            resources: objectArns(b, [...new Set(this.tables.filter((t) => t.bucket === b).map((t) => t.prefix))]),
          }),
      ),
      ...buckets.map(
        (b) =>
          new PolicyStatement({
            actions: ['s3:ListBucket'],
            resources: [b.bucketArn],
            conditions: { StringLike: { 's3:prefix': [...new Set(this.tables.filter((t) => t.bucket === b).map((t) => `${t.prefix}*`))] } },
          }),
      ),
      new PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: buckets.map((b) => b.bucketArn) }),
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: objectArns(this.athenaResults, [ATHENA_OUTPUT_PREFIX]),
      }),
      new PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.athenaResults.bucketArn],
      }),
    ];
  }
}
