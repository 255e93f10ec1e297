import { Duration } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Choice, Condition, JsonPath, type StateMachine, Succeed, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RESULT_PREFIXES } from '../../lambdas/shared/layout';
import { sqlFiles } from '../sql-files';
import { type EnrichFunctions, EnrichStates } from './enrich-states';
import { BestexFunction } from './function';
import { ATHENA_OUTPUT_PREFIX, type Lake } from './lake';
import type { Notifications } from './notifications';
import { publishNoticesState, retryTransientLambdaErrors, sqlQueryStates, workflowStateMachine } from './states';

export interface ExceptionsWorkflowProps {
  /** Buckets, catalog and workgroup the exception SQL reads. */
  readonly lake: Lake;
  /** The compliance topic receives the day's notice; its key encrypts it. */
  readonly notifications: Notifications;
  readonly logRetention: RetentionDays;
  /** The stack's one enrichment Lambda pair (shared by the review and the daily run). */
  readonly enrichFunctions: EnrichFunctions;
  /** The whole daily run must finish within this. @default 1 hour */
  readonly timeout?: Duration;
}

/** State names the local runtime binds its task handlers to: renaming one is a breaking change. */
export const EXCEPTIONS_STATES = {
  prepare: 'PrepareDay',
  listQueries: 'ListExceptionQueries',
  runQueries: 'RunExceptionQueries',
  runQuery: 'RunExceptionQuery',
  recordQuery: 'RecordExceptionQuery',
  summarize: 'SummarizeDay',
  dryRun: 'DryRun',
  anyNotices: 'AnyNotices',
  notify: 'NotifyCompliance',
  publish: 'PublishNotice',
} as const;

/** Where the daily run writes in the results bucket (lambdas/shared/layout.ts RESULTS.exceptions). */
export const EXCEPTIONS_PREFIX = RESULT_PREFIXES.exceptions;

/**
 * The daily exceptions run (`${stack}-exceptions`), the review's pattern for one trade date:
 * PrepareDay (the date, default the previous weekday in New York, and the SQL parameters)
 * ► enrich the date's figures if missing or stale (lib/constructs/enrich-states.ts)
 * ► Map(sql/exceptions/*.sql on Athena) ► SummarizeDay (CSV + HTML report, counts, notices)
 * ► Choice(dry run?) ► Choice(any notice?) ► SNS to compliance. Input: `{}` from the schedule,
 * or `{ "date": "2026-07-01", "dryRun": true }` by hand.
 */
export class ExceptionsWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: { prepare: BestexFunction; summarize: BestexFunction; enrichPlan: BestexFunction; enrichCommit: BestexFunction };
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ExceptionsWorkflowProps) {
    super(scope, id);
    const S = EXCEPTIONS_STATES;
    const { lake } = props;
    const prepare = new BestexFunction(this, 'PrepareFn', {
      name: 'exceptions',
      handler: 'prepare',
      description: 'Chooses the trade date of the daily exceptions and the SQL parameters',
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
    });
    const summarize = new BestexFunction(this, 'SummarizeFn', {
      name: 'exceptions',
      description: 'Turns the exception queries into the day’s CSV, HTML report and notices',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      logRetention: props.logRetention,
    })
      .useBucket('athena', lake.athenaResults, {
        read: [ATHENA_OUTPUT_PREFIX],
        why: 'the daily run reads the exception queries’ result CSVs.',
      })
      .useBucket('results', lake.results, {
        write: [EXCEPTIONS_PREFIX],
        why: 'the daily run writes exceptions/<date>/exceptions.csv and report.html.',
      });
    // The day's figures first (skipped when fresh): the exception checks read them.
    const enrich = new EnrichStates(this, 'DailyEnrich', {
      lake,
      functions: props.enrichFunctions,
      planPayload: { date: JsonPath.stringAt('$.date'), runId: JsonPath.stringAt('$$.Execution.Name') },
    });
    this.functions = { prepare, summarize, enrichPlan: enrich.functions.plan, enrichCommit: enrich.functions.commit };

    const queries = sqlQueryStates(this, {
      files: sqlFiles('exceptions'),
      databaseName: lake.databaseName,
      workGroupName: lake.workGroupName,
      names: { list: S.listQueries, map: S.runQueries, run: S.runQuery, record: S.recordQuery },
      listPath: '$.queries',
      resultPath: '$.metricResults',
    });

    const prepareTask = new LambdaInvoke(this, S.prepare, { lambdaFunction: prepare, payloadResponseOnly: true });
    const summarizeTask = new LambdaInvoke(this, S.summarize, {
      lambdaFunction: summarize,
      payload: TaskInput.fromObject({
        date: JsonPath.stringAt('$.date'),
        dryRun: JsonPath.stringAt('$.dryRun'),
        metricResults: JsonPath.listAt('$.metricResults'),
      }),
      payloadResponseOnly: true,
      resultPath: '$.summary',
    });
    retryTransientLambdaErrors(prepareTask, summarizeTask);

    const notify = publishNoticesState(this, {
      names: { map: S.notify, publish: S.publish },
      topic: props.notifications.compliance,
      itemsPath: '$.summary.notices',
    });

    prepareTask.next(enrich.start);
    enrich.end.next(queries.start);
    queries.end
      .next(summarizeTask)
      .next(
        new Choice(this, S.dryRun)
          .when(Condition.booleanEquals('$.dryRun', true), new Succeed(this, 'DryRunComplete', { comment: 'dry runs notify no one' }))
          .otherwise(
            new Choice(this, S.anyNotices)
              .when(Condition.isPresent('$.summary.notices[0]'), notify.next(new Succeed(this, 'DayComplete')))
              .otherwise(new Succeed(this, 'NothingToReport', { comment: 'no exception at or above the notify severity' })),
          ),
      );

    const definition = prepareTask;
    const machine = workflowStateMachine(this, {
      name: 'exceptions',
      definition,
      role: {
        workflow: 'daily exceptions',
        functions: [prepare, summarize, enrich.functions.plan, enrich.functions.commit],
        publishes: [{ topic: props.notifications.compliance, key: props.notifications.key }],
        lake,
        enriches: true,
      },
      timeout: props.timeout ?? Duration.hours(1),
      logRetention: props.logRetention,
    });
    this.role = machine.role;
    this.logGroup = machine.logGroup;
    this.stateMachine = machine.stateMachine;
  }
}
