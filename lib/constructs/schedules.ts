import { Duration } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letters';

export interface SchedulesProps {
  readonly review: IStateMachine;
  readonly exceptions: IStateMachine;
  /** deployment.schedules: EventBridge cron expressions, UTC. */
  readonly schedules: { readonly quarterly: string; readonly monthly: string; readonly daily: string };
}

/** What each schedule starts, with which input (the state machines' Prepare steps read it). */
export const SCHEDULE_INPUTS = {
  quarterly: { cadence: 'quarterly' },
  monthly: { cadence: 'monthly' },
  daily: {},
} as const;

/**
 * EventBridge rules that start the workflows: the quarterly review of every source, the monthly
 * review of the sources under heightened monitoring (a run with none due ends at once), and the
 * daily exceptions of the previous trade date. A start that EventBridge cannot deliver after its
 * retries lands in a dead-letter queue, whose depth raises an alarm (lib/constructs/monitoring.ts).
 */
export class Schedules extends Construct {
  readonly rules: { quarterly: Rule; monthly: Rule; daily: Rule };
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(
      this,
      'This queue is the dead-letter queue of the schedule targets; its depth raises an alarm (docs/operations.md).',
    );
    const rule = (name: keyof typeof SCHEDULE_INPUTS, machine: IStateMachine, description: string): Rule =>
      new Rule(this, name[0]?.toUpperCase() + name.slice(1), {
        description,
        schedule: Schedule.expression(props.schedules[name]),
        targets: [
          new SfnStateMachine(machine, {
            input: RuleTargetInput.fromObject(SCHEDULE_INPUTS[name]),
            deadLetterQueue: this.deadLetters,
            retryAttempts: 3,
            maxEventAge: Duration.hours(6),
          }),
        ],
      });
    this.rules = {
      quarterly: rule('quarterly', props.review, 'bestex quarterly review of every source (previous quarter)'),
      monthly: rule('monthly', props.review, 'bestex monthly review of sources under heightened monitoring (previous month)'),
      daily: rule('daily', props.exceptions, 'bestex daily exceptions (previous trade date)'),
    };
  }
}
