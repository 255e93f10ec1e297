import { Duration, Stack } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
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
import { DRY_RUN_PREFIX } from '../../lambdas/shared/layout';
import { sqlFiles } from '../sql-files';
import { BestexFunction } from './function';
import { ATHENA_OUTPUT_PREFIX, type Lake } from './lake';
import type { Notifications } from './notifications';
import { workflowRole } from './workflow-role';

export interface ReviewWorkflowProps {
  /** Buckets, catalog and workgroup the review reads and writes. */
  readonly lake: Lake;
  /** Object Lock bucket for the evidence manifests. */
  readonly evidence: Bucket;
  /** The compliance topic receives the notices; its key encrypts them. */
  readonly notifications: Notifications;
  readonly logRetention: RetentionDays;
  /** The whole review must finish within this. @default 6 hours */
  readonly timeout?: Duration;
}

/** Key prefixes of the results bucket the review functions use (lambdas/shared/layout.ts RESULTS, lambdas/review/*). */
export const REVIEW_PREFIXES = {
  monitoring: 'monitoring/',
  cases: 'cases/events/',
  reviewMetrics: 'review_metrics/',
  reviewBreaches: 'review_breaches/',
  reviews: 'reviews/',
  packages: 'packages/',
  /** Inputs the CLI stages for a run, e.g. a thresholds file to try (`thresholdsUri`; under dry-run/ for dry runs). */
  inputs: 'inputs/',
  dryRun: DRY_RUN_PREFIX,
} as const;

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
  /** The state machine's role; its whole policy is inline (lib/constructs/workflow-role.ts). */
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ReviewWorkflowProps) {
    super(scope, id);
    const S = REVIEW_STATES;
    const common = { logRetention: props.logRetention };
    const { lake: lakeC } = props;
    const P = REVIEW_PREFIXES;
    const prepare = new BestexFunction(this, 'PrepareFn', {
      ...common,
      name: 'prepare',
      description: 'Chooses the review period, the sources due and the SQL parameters',
      memorySize: 256,
      timeout: Duration.seconds(30),
    }).useBucket('results', lakeC.results, { read: [P.monitoring], list: true, why: 'prepare reads the heightened-monitoring state.' });

    const evaluate = new BestexFunction(this, 'EvaluateFn', {
      ...common,
      name: 'evaluate',
      description: 'Turns metric results into review_metrics, threshold outcomes, breaches and notices',
      duckdb: true,
    })
      .useBucket('athena', lakeC.athenaResults, { read: [ATHENA_OUTPUT_PREFIX], why: 'evaluate reads the metric queries’ result CSVs.' })
      .useBucket('results', lakeC.results, {
        read: [P.reviewMetrics, P.monitoring, P.cases, P.inputs, P.dryRun],
        write: [P.reviewMetrics, P.reviewBreaches, P.reviews, P.monitoring, P.cases, P.dryRun],
        list: true,
        why: 'evaluate reads the prior period, monitoring state and case log, and writes this run’s tables, outcomes and records.',
      });

    const pkg = new BestexFunction(this, 'PackageFn', {
      ...common,
      name: 'package',
      description: 'Writes the committee review package and its evidence manifest',
      duckdb: true,
      memorySize: 2048,
      timeout: Duration.minutes(15),
    })
      .useBucket('results', lakeC.results, {
        read: [P.reviews, P.reviewMetrics, P.reviewBreaches, P.monitoring, P.cases, P.packages, P.dryRun],
        write: [P.packages, P.dryRun],
        list: true,
        why: 'package reads the run’s outputs and history and writes the package.',
      })
      .useBucket('lake', lakeC.lake, {
        read: [''],
        list: true,
        why: 'package hashes every lake object and load manifest the period’s SQL read, for the evidence manifest.',
      })
      .useBucket('evidence', props.evidence, {
        write: [P.packages],
        why: 'package writes the evidence manifest (Object Lock); it can neither read nor delete there.',
      });
    this.functions = { prepare, evaluate, package: pkg };

    const queries = sqlFiles('metrics').map(({ name, path, sha256, sql }) => ({ name, path, sha256, sql }));

    const runQuery = new AthenaStartQueryExecution(this, S.runQuery, {
      queryString: JsonPath.stringAt('$.sql'),
      executionParameters: JsonPath.listAt('$.params'),
      queryExecutionContext: { databaseName: lakeC.databaseName, catalogName: 'AwsDataCatalog' },
      workGroup: lakeC.workGroupName,
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
      topic: props.notifications.compliance,
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
            // Rule 606 (lambdas/regulatory/rule606.ts) has no handler yet; when it has one, its state goes
            // here (quarterly runs only), with its own grants and a REVIEW_STATES entry.
            .next(packageTask)
            .next(
              new Choice(this, S.dryRun)
                .when(Condition.booleanEquals('$.dryRun', true), new Succeed(this, 'DryRunComplete', { comment: 'dry runs notify no one' }))
                .otherwise(notify.next(new Succeed(this, 'ReviewComplete'))),
            ),
        ),
    );

    this.role = workflowRole(this, 'Role', {
      workflow: 'review',
      functions: [prepare, evaluate, pkg],
      publishes: [{ topic: props.notifications.compliance, key: props.notifications.key }],
      lake: lakeC,
    }).role;
    this.logGroup = new LogGroup(this, 'StateMachineLogs', { retention: props.logRetention });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: `${Stack.of(this).stackName}-review`,
      definitionBody: DefinitionBody.fromChainable(definition),
      role: this.role.withoutPolicyUpdates(),
      timeout: props.timeout ?? Duration.hours(6),
      tracingEnabled: true,
      // Every state transition, without its input or output: they carry sources and periods, and
      // Athena result locations, but the logs must never depend on that staying true.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
  }
}

function prepareTask(scope: Construct, id: string, fn: BestexFunction): LambdaInvoke {
  return new LambdaInvoke(scope, id, { lambdaFunction: fn, payloadResponseOnly: true });
}
