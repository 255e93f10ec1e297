import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PipelineDashboard } from './dashboard';
import type { BestexFunction } from './function';

export interface MonitoringProps {
  /** Every alarm notifies this topic (data operations). */
  readonly topic: ITopic;
  readonly functions: readonly BestexFunction[];
  /** Work queues and the age of the oldest message that means the consumer is stuck. */
  readonly queues: readonly { readonly name: string; readonly queue: IQueue; readonly maxAge: Duration }[];
  /** Dead-letter queues: one message is one alarm. */
  readonly deadLetterQueues: readonly { readonly name: string; readonly queue: IQueue }[];
  readonly stateMachines: readonly { readonly name: string; readonly machine: StateMachine }[];
  /** The Athena workgroup whose failed queries raise an alarm (it publishes CloudWatch metrics). */
  readonly workGroupName: string;
}

const PERIOD = Duration.minutes(5);

/**
 * The alarms someone is woken for, each pointing at its runbook section in docs/operations.md,
 * all notifying the data-operations topic. Missing data is "not breaching": a quiet pipeline is
 * not a failing one.
 */
export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: PipelineDashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string): Alarm => {
      const a = new Alarm(this, alarmId, {
        alarmDescription: `${description} Runbook: docs/operations.md.`,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };

    for (const q of props.queues) {
      alarm(
        `${q.name}QueueAge`,
        q.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
        q.maxAge.toSeconds(),
        `${q.name}: a message has waited ${q.maxAge.toMinutes()} minutes or more (consumer failing or throttled; "Queue backlog").`,
      );
    }
    for (const q of props.deadLetterQueues) {
      alarm(
        `${q.name}DeadLetters`,
        q.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        1,
        `${q.name}: messages in the dead-letter queue ("DLQ redrive").`,
      );
    }
    for (const fn of props.functions) {
      const owner = fn.node.scope?.node.id ?? '';
      const label = `${owner}${fn.node.id}`;
      const name = `${owner}/${fn.node.id} (lambdas/${fn.bestexName})`;
      alarm(`${label}Errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), 1, `Function ${name} failed ("Function errors").`);
      alarm(
        `${label}Throttles`,
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        1,
        `Function ${name} was throttled ("Throttles").`,
      );
    }
    for (const sm of props.stateMachines) {
      alarm(
        `${sm.name}Failed`,
        sm.machine.metricFailed({ period: PERIOD, statistic: 'Sum' }),
        1,
        `The ${sm.name} run failed ("Failed runs").`,
      );
      alarm(
        `${sm.name}TimedOut`,
        sm.machine.metricTimedOut({ period: PERIOD, statistic: 'Sum' }),
        1,
        `The ${sm.name} run timed out ("Failed runs").`,
      );
    }
    alarm(
      'AthenaFailedQueries',
      new Metric({
        namespace: 'AWS/Athena',
        metricName: 'TotalExecutionTime',
        dimensionsMap: { WorkGroup: props.workGroupName, QueryState: 'FAILED', QueryType: 'DML' },
        statistic: 'SampleCount',
        period: PERIOD,
      }),
      1,
      `An Athena query failed in workgroup ${props.workGroupName} (scan limit, SQL error or permissions; "Athena failures").`,
    );
    // After the alarms: the dashboard shows their state beside the pipeline's counts.
    this.dashboard = new PipelineDashboard(this, 'Dashboard', { alarms: this.alarms });
  }
}
