import { Duration, Stack } from 'aws-cdk-lib';
import type { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import {
  Choice,
  Condition,
  DefinitionBody,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  Result,
  StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { AthenaStartQueryExecution, LambdaInvoke, SnsPublish } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { sqlFiles } from '../sql-files';
import { BestexFunction } from './function';

export interface ReviewWorkflowProps {
  readonly lake: Bucket;
  readonly results: Bucket;
  readonly athenaResults: Bucket;
  readonly evidence: Bucket;
  readonly databaseName: string;
  readonly workGroup: CfnWorkGroup;
  readonly compliance: Topic;
  readonly logRetention: RetentionDays;
}

/** State names the local runtime binds its task handlers to: renaming one here is a breaking change. */
export const REVIEW_STATES = {
  prepare: 'Prepare',
  due: 'AnySourceDue',
  listQueries: 'ListMetricQueries',
  runQueries: 'RunMetricQueries',
  runQuery: 'RunMetricQuery',
  recordQuery: 'RecordQuery',
  evaluate: 'Evaluate',
  package: 'Package',
  dryRun: 'DryRun',
  notify: 'NotifyCompliance',
  publish: 'PublishNotice',
} as const;

/**
 * The regular-and-rigorous review: Prepare ► Map(metric SQL files on Athena) ► Evaluate thresholds
 * ► Package ► Choice(dry run?) ► SNS notices to compliance. The SQL files are read at synth time
 * and embedded, so the definition says exactly which SQL ran.
 */
export class ReviewWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: { prepare: BestexFunction; evaluate: BestexFunction; package: BestexFunction };

  constructor(scope: Construct, id: string, props: ReviewWorkflowProps) {
    super(scope, id);
    const S = REVIEW_STATES;
    const common = { logRetention: props.logRetention };
    const prepare = new BestexFunction(this, 'PrepareFn', {
      ...common,
      name: 'prepare',
      description: 'Chooses the review period, the sources due and the SQL parameters',
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: { BUCKET_RESULTS: props.results.bucketName },
    });
    props.results.grantRead(prepare, 'monitoring/*');

    const evaluate = new BestexFunction(this, 'EvaluateFn', {
      ...common,
      name: 'evaluate',
      description: 'Turns metric results into review_metrics, threshold outcomes, breaches and notices',
      duckdb: true,
      environment: { BUCKET_RESULTS: props.results.bucketName, BUCKET_ATHENA: props.athenaResults.bucketName },
    });
    props.athenaResults.grantRead(evaluate);
    props.results.grantReadWrite(evaluate);

    const pkg = new BestexFunction(this, 'PackageFn', {
      ...common,
      name: 'package',
      description: 'Writes the committee review package and its evidence manifest',
      duckdb: true,
      environment: {
        BUCKET_RESULTS: props.results.bucketName,
        BUCKET_EVIDENCE: props.evidence.bucketName,
        BUCKET_LAKE: props.lake.bucketName,
      },
    });
    props.results.grantReadWrite(pkg);
    props.lake.grantRead(pkg);
    props.evidence.grantWrite(pkg);
    this.functions = { prepare, evaluate, package: pkg };

    const queries = sqlFiles('metrics').map(({ name, path, sha256, sql }) => ({ name, path, sha256, sql }));

    const runQuery = new AthenaStartQueryExecution(this, S.runQuery, {
      queryString: JsonPath.stringAt('$.sql'),
      executionParameters: JsonPath.listAt('$.params'),
      queryExecutionContext: { databaseName: props.databaseName, catalogName: 'AwsDataCatalog' },
      workGroup: props.workGroup.name,
      integrationPattern: IntegrationPattern.RUN_JOB,
      resultSelector: {
        queryExecutionId: JsonPath.stringAt('$.QueryExecution.QueryExecutionId'),
        outputLocation: JsonPath.stringAt('$.QueryExecution.ResultConfiguration.OutputLocation'),
        bytesScanned: JsonPath.numberAt('$.QueryExecution.Statistics.DataScannedInBytes'),
      },
      resultPath: '$.result',
    });
    runQuery.addRetry({ errors: ['Athena.TooManyRequestsException', 'Athena.InternalServerException'], maxAttempts: 4, backoffRate: 2 });
    // Keep the item small: the SQL text is in the definition already.
    const recordQuery = new Pass(this, S.recordQuery, {
      parameters: {
        name: JsonPath.stringAt('$.name'),
        path: JsonPath.stringAt('$.path'),
        sha256: JsonPath.stringAt('$.sha256'),
        result: JsonPath.objectAt('$.result'),
      },
    });

    const runQueries = new MapState(this, S.runQueries, {
      itemsPath: '$.queries',
      itemSelector: {
        name: JsonPath.stringAt('$$.Map.Item.Value.name'),
        path: JsonPath.stringAt('$$.Map.Item.Value.path'),
        sha256: JsonPath.stringAt('$$.Map.Item.Value.sha256'),
        sql: JsonPath.stringAt('$$.Map.Item.Value.sql'),
        params: JsonPath.listAt('$.params'),
      },
      maxConcurrency: 4,
      resultPath: '$.metricResults',
    });
    runQueries.itemProcessor(runQuery.next(recordQuery));

    const runInput = {
      period: JsonPath.stringAt('$.period'),
      start: JsonPath.stringAt('$.start'),
      end: JsonPath.stringAt('$.end'),
      runId: JsonPath.stringAt('$.runId'),
      dryRun: JsonPath.stringAt('$.dryRun'),
      sources: JsonPath.listAt('$.sources'),
      metricResults: JsonPath.listAt('$.metricResults'),
    };
    const evaluateTask = new LambdaInvoke(this, S.evaluate, {
      lambdaFunction: evaluate,
      payload: TaskInput.fromObject({ ...runInput, thresholdsUri: JsonPath.stringAt('$.thresholdsUri') }),
      payloadResponseOnly: true,
      resultPath: '$.evaluation',
    });
    const packageTask = new LambdaInvoke(this, S.package, {
      lambdaFunction: pkg,
      payload: TaskInput.fromObject({ ...runInput, evaluation: JsonPath.objectAt('$.evaluation') }),
      payloadResponseOnly: true,
      resultPath: '$.package',
    });
    for (const t of [evaluateTask, packageTask]) {
      t.addRetry({ errors: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException'], maxAttempts: 3 });
    }

    const publish = new SnsPublish(this, S.publish, {
      topic: props.compliance,
      subject: JsonPath.stringAt('$.subject'),
      message: TaskInput.fromJsonPathAt('$.message'),
      messageAttributes: {
        severity: { value: JsonPath.stringAt('$.attributes.severity') },
        source: { value: JsonPath.stringAt('$.attributes.source') },
        period: { value: JsonPath.stringAt('$.attributes.period') },
        kind: { value: JsonPath.stringAt('$.attributes.kind') },
      },
      resultPath: JsonPath.DISCARD,
    });
    const notify = new MapState(this, S.notify, { itemsPath: '$.evaluation.notices', resultPath: JsonPath.DISCARD });
    notify.itemProcessor(publish);

    const definition = prepareTask(this, S.prepare, prepare).next(
      new Choice(this, S.due)
        .when(
          Condition.booleanEquals('$.due', false),
          new Succeed(this, 'NothingDue', { comment: 'no source under heightened monitoring' }),
        )
        .otherwise(
          new Pass(this, S.listQueries, { result: Result.fromArray(queries), resultPath: '$.queries' })
            .next(runQueries)
            .next(evaluateTask)
            .next(packageTask)
            .next(
              new Choice(this, S.dryRun)
                .when(Condition.booleanEquals('$.dryRun', true), new Succeed(this, 'DryRunComplete', { comment: 'dry runs notify no one' }))
                .otherwise(notify.next(new Succeed(this, 'ReviewComplete'))),
            ),
        ),
    );

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: `${Stack.of(this).stackName}-review`,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(6),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'StateMachineLogs', { retention: props.logRetention }),
        level: LogLevel.ERROR,
        includeExecutionData: false,
      },
    });
    // Athena reads the lake and writes query results; Glue lookups for the catalog tables.
    props.lake.grantRead(this.stateMachine);
    props.results.grantRead(this.stateMachine);
    props.athenaResults.grantReadWrite(this.stateMachine);
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
        resources: [
          Stack.of(this).formatArn({ service: 'glue', resource: 'catalog' }),
          Stack.of(this).formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName }),
          Stack.of(this).formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databaseName}/*` }),
        ],
      }),
    );
  }
}

function prepareTask(scope: Construct, id: string, fn: BestexFunction): LambdaInvoke {
  return new LambdaInvoke(scope, id, { lambdaFunction: fn, payloadResponseOnly: true });
}
