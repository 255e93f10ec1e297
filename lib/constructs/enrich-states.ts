import { Duration, Size } from 'aws-cdk-lib';
import { IntegrationPattern, JsonPath, Map as MapState, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import { AthenaStartQueryExecution, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { FIGURE_TABLES, type FigureTableName } from '../../lambdas/shared/figures';
import { LAKE } from '../../lambdas/shared/layout';
import { ENRICH_ORDER, enrichSql } from '../enrich-sql';
import { BestexFunction } from './function';
import type { Lake } from './lake';

/** State names of the enrichment block; each workflow prefixes none, so the names are shared. */
export interface EnrichStateNames {
  readonly plan: string;
  readonly map: string;
  /** Per table: the Athena query and the commit that replaces the partition's object. */
  readonly run: Record<FigureTableName, string>;
  readonly commit: Record<FigureTableName, string>;
}

export const ENRICH_STATES: EnrichStateNames = {
  plan: 'PlanEnrichment',
  map: 'EnrichDates',
  run: { execution_figures: 'EnrichExecutionFigures', order_figures: 'EnrichOrderFigures' },
  commit: { execution_figures: 'CommitExecutionFigures', order_figures: 'CommitOrderFigures' },
};

export interface EnrichFunctionsProps {
  readonly lake: Lake;
  readonly logRetention: import('aws-cdk-lib/aws-logs').RetentionDays;
}

/**
 * The enrichment Lambda pair (plan, commit), built once per stack and shared by every workflow's
 * enrichment block: they take everything from their input, so the review and the daily
 * exceptions need no functions of their own.
 */
export class EnrichFunctions extends Construct {
  readonly plan: BestexFunction;
  readonly commit: BestexFunction;

  constructor(scope: Construct, id: string, props: EnrichFunctionsProps) {
    super(scope, id);
    const { lake } = props;
    const common = { logRetention: props.logRetention, name: 'enrich' };
    this.plan = new BestexFunction(this, 'PlanFn', {
      ...common,
      handler: 'plan',
      description: 'Finds the source × trade dates whose figures are missing or stale (lineage through the load manifests)',
      memorySize: 512,
      timeout: Duration.minutes(5),
    }).useBucket('lake', lake.lake, {
      read: [LAKE.manifests, LAKE.figuresRecords],
      write: [LAKE.figuresStagingRoot],
      list: true,
      why: 'plan reads every load manifest and lineage record, and stages what each unit will record.',
    });
    this.commit = new BestexFunction(this, 'CommitFn', {
      ...common,
      handler: 'commit',
      description: 'Replaces a figures partition with one object (one PUT) and records its lineage',
      duckdb: true,
      memorySize: 3008,
      timeout: Duration.minutes(10),
      ephemeralStorage: Size.gibibytes(4),
    }).useBucket('lake', lake.lake, {
      read: [LAKE.figuresStagingRoot, ...FIGURE_TABLES.map((t) => `${t.table}/`)],
      write: [LAKE.figuresRecords, ...FIGURE_TABLES.map((t) => `${t.table}/`)],
      delete: [LAKE.figuresStagingRoot],
      list: true,
      why: 'commit merges the staged query files into the partition object, then writes the lineage record.',
    });
  }
}

export interface EnrichStatesProps {
  readonly lake: Lake;
  /** The stack's one enrichment Lambda pair. */
  readonly functions: EnrichFunctions;
  /** The plan's input: JSONPaths of the run id and either `start`/`end` or `date`, and `sources`. */
  readonly planPayload: Record<string, unknown>;
  /** Where the plan goes in the state. @default '$.enrichment' */
  readonly resultPath?: string;
}

/**
 * PlanEnrichment (Lambda: which source × dates are missing or stale, from the load manifests and
 * the lineage records) ► Map over those units, a few at a time: for each figures table, the
 * composed sql/enrich query on Athena (UNLOAD to a staging prefix on engine v3; COPY straight to
 * the partition's object on Athena's DuckDB engine) ► commit (one PUT replaces the partition's
 * object; the last commit writes the lineage record). A quarter is ~63 small units per source, so
 * no single query grows with the period. The SQL is embedded in the definition at synth time.
 */
export class EnrichStates extends Construct {
  readonly start: LambdaInvoke;
  readonly end: MapState;
  readonly functions: { plan: BestexFunction; commit: BestexFunction };

  constructor(scope: Construct, id: string, props: EnrichStatesProps) {
    super(scope, id);
    const { lake } = props;
    const form = lake.athenaEngine === 'duckdb' ? 'duckdb' : 'trino';
    const files = Object.fromEntries(FIGURE_TABLES.map((t) => [t.table, enrichSql(t.table, form)])) as Record<
      FigureTableName,
      ReturnType<typeof enrichSql>
    >;
    const { plan, commit } = props.functions;
    this.functions = { plan, commit };

    this.start = new LambdaInvoke(this, ENRICH_STATES.plan, {
      lambdaFunction: plan,
      payload: TaskInput.fromObject({
        ...props.planPayload,
        engine: lake.athenaEngine,
        sql: Object.fromEntries(ENRICH_ORDER.map((t) => [t, files[t].sha256])),
      }),
      payloadResponseOnly: true,
      resultPath: props.resultPath ?? '$.enrichment',
    });

    const steps = ENRICH_ORDER.map((table) => {
      const run = new AthenaStartQueryExecution(this, ENRICH_STATES.run[table], {
        queryString: JsonPath.format(
          '{}{}{}',
          JsonPath.stringAt(`$.unit.wrap.${table}.before`),
          JsonPath.stringAt(`$.sql.${table}`),
          JsonPath.stringAt(`$.unit.wrap.${table}.after`),
        ),
        executionParameters: JsonPath.listAt('$.unit.params'),
        queryExecutionContext: { databaseName: lake.databaseName, catalogName: 'AwsDataCatalog' },
        workGroup: lake.enrichWorkGroupName,
        integrationPattern: IntegrationPattern.RUN_JOB,
        resultPath: JsonPath.DISCARD,
      });
      run.addRetry({ errors: ['Athena.TooManyRequestsException', 'Athena.InternalServerException'], maxAttempts: 4, backoffRate: 2 });
      const done = new LambdaInvoke(this, ENRICH_STATES.commit[table], {
        lambdaFunction: commit,
        payload: TaskInput.fromObject({ unit: JsonPath.objectAt('$.unit'), table }),
        payloadResponseOnly: true,
        resultPath: JsonPath.DISCARD,
      });
      done.addRetry({
        errors: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException'],
        maxAttempts: 3,
      });
      return { run, done };
    });
    const first = steps[0] as (typeof steps)[number];
    let chain = first.run.next(first.done);
    for (const s of steps.slice(1)) chain = chain.next(s.run).next(s.done);

    this.end = new MapState(this, ENRICH_STATES.map, {
      itemsPath: `${props.resultPath ?? '$.enrichment'}.units`,
      itemSelector: {
        unit: JsonPath.objectAt('$$.Map.Item.Value'),
        sql: Object.fromEntries(ENRICH_ORDER.map((t) => [t, files[t].sql])),
      },
      // Athena's default is 20-25 concurrent queries per account: leave room for the rest.
      maxConcurrency: 4,
      resultPath: JsonPath.DISCARD,
    });
    this.end.itemProcessor(chain);
    this.start.next(this.end);
  }
}
