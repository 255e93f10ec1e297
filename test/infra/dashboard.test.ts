/**
 * The CloudWatch dashboard is in the template and graphs every metric the handlers emit, by the
 * names and dimensions of lambdas/shared/telemetry.ts (the list the handlers emit from, checked
 * against real EMF output in test/ingest/emf.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { METRICS, serviceOf } from '../../lambdas/shared/telemetry';
import { synth } from './synth';

/** The dashboard body: CDK renders it as Fn::Join of strings and tokens; the literal parts are enough here. */
function dashboardBodies(): string[] {
  const { json } = synth();
  return Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Dashboard')
    .map((r) => {
      const body = r.Properties?.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
      return typeof body === 'string' ? body : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '<token>')).join('');
    });
}

describe('pipeline dashboard', () => {
  it('exists once', () => {
    expect(dashboardBodies()).toHaveLength(1);
  });

  it.each(Object.entries(METRICS))('graphs %s by its name, service and dimensions', (_key, m) => {
    const [body] = dashboardBodies();
    const widgets = (JSON.parse(body as string) as { widgets: { properties: { title?: string; metrics?: unknown[][] } }[] }).widgets;
    const graph = widgets.find((w) => w.properties.title === m.title);
    expect(graph, m.title).toBeDefined();
    const expression = JSON.stringify(graph?.properties.metrics);
    expect(expression).toContain(`MetricName=\\"${m.name}\\"`);
    expect(expression).toContain(`service=\\"${serviceOf(m.fn)}\\"`);
    expect(expression).toContain(`{${['bestex', 'service', ...m.dimensions].join(',')}}`);
  });

  it('shows every alarm of the stack', () => {
    const { json } = synth();
    const alarms = Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').length;
    const [body] = dashboardBodies();
    const status = (
      JSON.parse((body as string).replaceAll('<token>', 'x')) as { widgets: { properties: { alarms?: unknown[] } }[] }
    ).widgets.find((w) => w.properties.alarms);
    expect(alarms).toBeGreaterThan(0);
    expect(status?.properties.alarms).toHaveLength(alarms);
  });
});
