import { Duration } from 'aws-cdk-lib';
import { AlarmStatusWidget, Dashboard, GraphWidget, type IAlarm, MathExpression, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRICS, METRICS_NAMESPACE, type MetricSpec, serviceOf } from '../../lambdas/shared/telemetry';

export interface PipelineDashboardProps {
  /** Shown at the top as one status tile each. */
  readonly alarms: readonly IAlarm[];
  /** Each data point's aggregation period. @default 1 hour (drops and reviews are hourly-to-quarterly events) */
  readonly period?: Duration;
}

/**
 * The dashboard of the pipeline's own counts: rows read, written, rejected and duplicate and files
 * rejected per source and dataset (normalise), breached findings per review and breaches per source (evaluate),
 * exceptions per day, source and kind (daily exceptions), beside the alarms. Its metrics come from
 * lambdas/shared/telemetry.ts, the list the handlers emit from. Each graph is a SEARCH over the
 * metric's dimensions, so a new source or dataset appears without a redeploy.
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.hours(1);
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(35) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: '# bestex pipeline\nCounts emitted by the functions (EMF, namespace `bestex`). Runbook: docs/operations.md.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24 }));
    const graphs = Object.values(METRICS).map((m) => graph(m, period));
    for (let i = 0; i < graphs.length; i += 2) this.dashboard.addWidgets(...graphs.slice(i, i + 2));
  }
}

/** `SEARCH('{bestex,service,source,dataset} service="bestex-normalise" MetricName="RowsRead"', 'Sum', 3600)`. */
export function searchExpression(m: MetricSpec, period: Duration): string {
  const schema = [METRICS_NAMESPACE, 'service', ...m.dimensions].join(',');
  return `SEARCH('{${schema}} service="${serviceOf(m.fn)}" MetricName="${m.name}"', 'Sum', ${period.toSeconds()})`;
}

function graph(m: MetricSpec, period: Duration): GraphWidget {
  return new GraphWidget({
    title: m.title,
    width: 12,
    height: 6,
    left: [new MathExpression({ expression: searchExpression(m, period), usingMetrics: {}, period, label: '' })],
  });
}
