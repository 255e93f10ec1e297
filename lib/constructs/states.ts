import { type Duration, Stack } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  DefinitionBody,
  type IChainable,
  type INextable,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  Result,
  type State,
  StateMachine,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { AthenaStartQueryExecution, type LambdaInvoke, SnsPublish } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { SqlFile } from '../sql-files';
import { type WorkflowRoleProps, workflowRole } from './workflow-role';

export interface SqlQueriesProps {
  /** The SQL files to run, embedded in the definition: the ASL says exactly which SQL ran. */
  readonly files: readonly SqlFile[];
  readonly databaseName: string;
  readonly workGroupName: string;
  /** State names: the list (Pass), the Map, its Athena task and its record (Pass). */
  readonly names: { readonly list: string; readonly map: string; readonly run: string; readonly record: string };
  /** Where the list goes in the state (e.g. '$.queries'). */
  readonly listPath: string;
  /** Where the Map writes its results: one `{ name, path, sha256, result }` per file. */
  readonly resultPath: string;
  /** The bound parameters every file takes (a JSONPath to a string list). @default '$.params' */
  readonly paramsPath?: string;
}

/** State-building blocks the workflows share, so that each pattern is written once. */

/**
 * Pass(list of SQL files) ► Map(Athena StartQueryExecution.sync ► record): the one way every
 * workflow runs a folder of sql/ on Athena. Each item's result keeps the file's name, path and
 * hash (for the evidence manifest) and the query's id, output location and bytes scanned.
 */
export function sqlQueryStates(scope: Construct, props: SqlQueriesProps): { start: Pass; end: MapState & INextable & State } {
  const { names } = props;
  const run = new AthenaStartQueryExecution(scope, names.run, {
    queryString: JsonPath.stringAt('$.sql'),
    executionParameters: JsonPath.listAt('$.params'),
    queryExecutionContext: { databaseName: props.databaseName, catalogName: 'AwsDataCatalog' },
    workGroup: props.workGroupName,
    integrationPattern: IntegrationPattern.RUN_JOB,
    resultSelector: {
      queryExecutionId: JsonPath.stringAt('$.QueryExecution.QueryExecutionId'),
      outputLocation: JsonPath.stringAt('$.QueryExecution.ResultConfiguration.OutputLocation'),
      bytesScanned: JsonPath.numberAt('$.QueryExecution.Statistics.DataScannedInBytes'),
    },
    resultPath: '$.result',
  });
  run.addRetry({ errors: ['Athena.TooManyRequestsException', 'Athena.InternalServerException'], maxAttempts: 4, backoffRate: 2 });
  // Keep each result small: the SQL text is in the definition already.
  const record = new Pass(scope, names.record, {
    parameters: {
      name: JsonPath.stringAt('$.name'),
      path: JsonPath.stringAt('$.path'),
      sha256: JsonPath.stringAt('$.sha256'),
      result: JsonPath.objectAt('$.result'),
    },
  });
  const map = new MapState(scope, names.map, {
    itemsPath: props.listPath,
    itemSelector: {
      name: JsonPath.stringAt('$$.Map.Item.Value.name'),
      path: JsonPath.stringAt('$$.Map.Item.Value.path'),
      sha256: JsonPath.stringAt('$$.Map.Item.Value.sha256'),
      sql: JsonPath.stringAt('$$.Map.Item.Value.sql'),
      params: JsonPath.listAt(props.paramsPath ?? '$.params'),
    },
    // Athena's default limit is 20-25 concurrent queries per account: leave room for analysts.
    maxConcurrency: 4,
    resultPath: props.resultPath,
  });
  map.itemProcessor(run.next(record));
  const files = props.files.map(({ name, path, sha256, sql }) => ({ name, path, sha256, sql }));
  const start = new Pass(scope, names.list, { result: Result.fromArray(files), resultPath: props.listPath });
  start.next(map);
  return { start, end: map };
}

/**
 * Map(SNS Publish) over a list of notices ({ subject, message, attributes: { severity, source,
 * period, kind } }, as lambdas/adapters/notify.ts composes them): the attributes let an email
 * subscription filter by severity or source.
 */
export function publishNoticesState(
  scope: Construct,
  props: { readonly names: { readonly map: string; readonly publish: string }; readonly topic: ITopic; readonly itemsPath: string },
): MapState {
  const publish = new SnsPublish(scope, props.names.publish, {
    topic: props.topic,
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
  const map = new MapState(scope, props.names.map, { itemsPath: props.itemsPath, resultPath: JsonPath.DISCARD });
  map.itemProcessor(publish);
  return map;
}

/** Retries a Lambda task on the Lambda service's transient errors (not on the function's own errors). */
export function retryTransientLambdaErrors(...tasks: LambdaInvoke[]): void {
  for (const t of tasks) {
    t.addRetry({ errors: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException'], maxAttempts: 3 });
  }
}

/**
 * A workflow's state machine, `<stack>-<name>`, traced, with its own log group and its own role
 * (workflowRole: the policy written out in full). It logs every state transition without its
 * input or output: they carry sources and periods, and Athena result locations, but the logs must
 * never depend on that staying true.
 */
export function workflowStateMachine(
  scope: Construct,
  props: {
    readonly name: string;
    readonly definition: IChainable;
    readonly role: WorkflowRoleProps;
    readonly timeout: Duration;
    readonly logRetention: RetentionDays;
  },
): { role: Role; logGroup: LogGroup; stateMachine: StateMachine } {
  const { role } = workflowRole(scope, 'Role', props.role);
  const logGroup = new LogGroup(scope, 'StateMachineLogs', { retention: props.logRetention });
  const stateMachine = new StateMachine(scope, 'StateMachine', {
    stateMachineName: `${Stack.of(scope).stackName}-${props.name}`,
    definitionBody: DefinitionBody.fromChainable(props.definition),
    role: role.withoutPolicyUpdates(),
    timeout: props.timeout,
    tracingEnabled: true,
    logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
  });
  return { role, logGroup, stateMachine };
}
