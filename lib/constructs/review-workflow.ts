import { Duration } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Choice, Condition, JsonPath, type StateMachine, Succeed, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DRY_RUN_PREFIX, RESULT_PREFIXES } from '../../lambdas/shared/layout';
import { sqlFiles } from '../sql-files';
import { type EnrichFunctions, EnrichStates } from './enrich-states';
import { BestexFunction } from './function';
import { ATHENA_OUTPUT_PREFIX, type Lake } from './lake';
import type { Notifications } from './notifications';
import { publishNoticesState, retryTransientLambdaErrors, sqlQueryStates, workflowStateMachine } from './states';

export interface ReviewWorkflowProps {
  /** Buckets, catalog and workgroup the review reads and writes. */
  readonly lake: Lake;
  /** Object Lock bucket for the evidence manifests. */
  readonly evidence: Bucket;
  /** The compliance topic receives the notices; its key encrypts them. */
  readonly notifications: Notifications;
  readonly logRetention: RetentionDays;
  /** The stack's one enrichment Lambda pair (shared by the review and the daily run). */
  readonly enrichFunctions: EnrichFunctions;
  /** The whole review must finish within this. @default 6 hours */
  readonly timeout?: Duration;
}

/** Key prefixes of the results bucket the review functions use: layout.ts's, plus dry runs'. */
export const REVIEW_PREFIXES = { ...RESULT_PREFIXES, dryRun: DRY_RUN_PREFIX } as const;

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
  quarterly: 'QuarterlyRun',
  listRule606Queries: 'ListRule606Queries',
  runRule606Queries: 'RunRule606Queries',
  runRule606Query: 'RunRule606Query',
  recordRule606Query: 'RecordRule606Query',
  rule606: 'Rule606',
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
  readonly functions: {
    prepare: BestexFunction;
    evaluate: BestexFunction;
    package: BestexFunction;
    rule606: BestexFunction;
    enrichPlan: BestexFunction;
    enrichCommit: BestexFunction;
  };
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
        read: [P.reviewMetrics, P.monitoring, P.caseEvents, P.inputs, P.dryRun],
        write: [P.reviewMetrics, P.reviewBreaches, P.reviews, P.monitoring, P.caseEvents, P.dryRun],
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
        read: [P.reviews, P.reviewMetrics, P.reviewBreaches, P.monitoring, P.caseEvents, P.packages, P.committee, P.dryRun],
        write: [P.packages, P.committeeAgenda, P.dryRun],
        list: true,
        why: 'package reads the run’s outputs, history and the committee’s record, and writes the package and the committee’s agenda.',
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
    const rule606 = new BestexFunction(this, 'Rule606Fn', {
      ...common,
      name: 'rule606',
      secSchemas: true,
      description: 'Builds the quarterly Rule 606(a)(1) report (XML and HTML) from its Athena results',
      memorySize: 512,
      timeout: Duration.minutes(2),
    })
      .useBucket('athena', lakeC.athenaResults, { read: [ATHENA_OUTPUT_PREFIX], why: 'rule606 reads the Rule 606 queries’ result CSVs.' })
      .useBucket('results', lakeC.results, {
        write: [P.regulatory, `${P.dryRun}${P.regulatory}`],
        why: 'rule606 writes regulatory/rule606/<quarter>/ (under dry-run/ for dry runs).',
      });
    // Figures first: any missing or stale date of the period is enriched, then the SQL only aggregates.
    const enrich = new EnrichStates(this, 'ReviewEnrich', {
      lake: lakeC,
      functions: props.enrichFunctions,
      planPayload: {
        start: JsonPath.stringAt('$.start'),
        end: JsonPath.stringAt('$.end'),
        sources: JsonPath.listAt('$.sources'),
        runId: JsonPath.stringAt('$$.Execution.Name'),
      },
    });
    this.functions = { prepare, evaluate, package: pkg, rule606, enrichPlan: enrich.functions.plan, enrichCommit: enrich.functions.commit };

    // Metric files (the review_metrics contract) and the review's other inputs (vendor_metrics).
    const metricQueries = sqlQueryStates(this, {
      files: [...sqlFiles('metrics'), ...sqlFiles('review')],
      databaseName: lakeC.databaseName,
      workGroupName: lakeC.workGroupName,
      names: { list: S.listQueries, map: S.runQueries, run: S.runQuery, record: S.recordQuery },
      listPath: '$.queries',
      resultPath: '$.metricResults',
    });
    // Quarterly runs also produce the Rule 606(a)(1) report from the same lake and parameters.
    const rule606Queries = sqlQueryStates(this, {
      files: sqlFiles('rule606'),
      databaseName: lakeC.databaseName,
      workGroupName: lakeC.workGroupName,
      names: { list: S.listRule606Queries, map: S.runRule606Queries, run: S.runRule606Query, record: S.recordRule606Query },
      listPath: '$.rule606Queries',
      resultPath: '$.rule606Results',
    });

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
    retryTransientLambdaErrors(evaluateTask, packageTask);

    const notify = publishNoticesState(this, {
      names: { map: S.notify, publish: S.publish },
      topic: props.notifications.compliance,
      itemsPath: '$.evaluation.notices',
    });

    const rule606Task = new LambdaInvoke(this, S.rule606, {
      lambdaFunction: rule606,
      payload: TaskInput.fromObject({
        period: JsonPath.stringAt('$.period'),
        dryRun: JsonPath.stringAt('$.dryRun'),
        rule606Results: JsonPath.listAt('$.rule606Results'),
      }),
      payloadResponseOnly: true,
      resultPath: '$.rule606',
    });
    const dryRun = new Choice(this, S.dryRun)
      .when(Condition.booleanEquals('$.dryRun', true), new Succeed(this, 'DryRunComplete', { comment: 'dry runs notify no one' }))
      .otherwise(notify.next(new Succeed(this, 'ReviewComplete')));
    rule606Queries.end.next(rule606Task).next(dryRun);

    const definition = prepareTask(this, S.prepare, prepare).next(
      new Choice(this, S.due)
        .when(
          Condition.booleanEquals('$.due', false),
          new Succeed(this, 'NothingDue', { comment: 'no source under heightened monitoring' }),
        )
        .otherwise(enrich.start),
    );
    enrich.end.next(metricQueries.start);
    metricQueries.end
      .next(evaluateTask)
      .next(packageTask)
      .next(new Choice(this, S.quarterly).when(Condition.stringEquals('$.cadence', 'quarterly'), rule606Queries.start).otherwise(dryRun));

    const machine = workflowStateMachine(this, {
      name: 'review',
      definition,
      role: {
        workflow: 'review',
        functions: [prepare, evaluate, pkg, rule606, enrich.functions.plan, enrich.functions.commit],
        publishes: [{ topic: props.notifications.compliance, key: props.notifications.key }],
        lake: lakeC,
        enriches: true,
      },
      timeout: props.timeout ?? Duration.hours(6),
      logRetention: props.logRetention,
    });
    this.role = machine.role;
    this.logGroup = machine.logGroup;
    this.stateMachine = machine.stateMachine;
  }
}

function prepareTask(scope: Construct, id: string, fn: BestexFunction): LambdaInvoke {
  return new LambdaInvoke(scope, id, { lambdaFunction: fn, payloadResponseOnly: true });
}
