/**
 * The one typed configuration: each file validated by its schema, the files cross-checked
 * (lib/constructs/config-checks.ts), and a bad configuration failing the synth with every problem
 * named by file and field.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigError, deploymentSchema, loadConfig, parseConfig, thresholdsSchema, vendorAccessSchema } from '../../lambdas/shared/config';
import { buildApp } from '../../lib/app';
import { configIssues, scheduleIssue } from '../../lib/constructs/config-checks';
import { configWith } from './synth';

describe('configuration: schemas', () => {
  it('the repository configuration is valid and consistent', () => {
    expect(configIssues(loadConfig())).toEqual([]);
  });

  it('fills in defaults for operations settings (retention, Athena limit, alarms, vendor access)', () => {
    const d = deploymentSchema.parse({ sources: ['acme-sor'] });
    expect(d.retention).toEqual({
      evidenceYears: 6,
      quarantineDays: 400,
      logDays: 400,
      accessLogDays: 400,
      athenaResultsDays: 30,
      noncurrentDays: 90,
    });
    expect(d.athena).toEqual({ bytesScannedCutoffGiB: 100, engine: 'v3' }); // engine v3 (Trino) until Athena's DuckDB engine is GA
    expect(d.alarms).toEqual({ queueAgeMinutes: 60 });
    expect(d.vendorAccess).toEqual([]);
  });

  it('names the file and field of a schema error', () => {
    expect(() => parseConfig(deploymentSchema, { sources: ['acme-sor'], retention: { evidenceYears: 0 } }, 'config/bestex.json')).toThrow(
      /config\/bestex\.json is not valid:\n {2}retention\.evidenceYears: /,
    );
    expect(() =>
      parseConfig(deploymentSchema, { sources: ['acme-sor'], complianceEmails: ['not-an-address'] }, 'config/bestex.json'),
    ).toThrow(/complianceEmails\.0/);
  });

  it('a vendor needs a role account with an external id, or named principals', () => {
    expect(vendorAccessSchema.safeParse({ source: 'acme-sor' }).error?.issues[0]?.message).toMatch(/give accountId .* or principalArns/);
    expect(vendorAccessSchema.safeParse({ source: 'acme-sor', accountId: '111122223333' }).error?.issues[0]).toMatchObject({
      path: ['externalId'],
      message: expect.stringMatching(/needs an externalId/),
    });
    expect(vendorAccessSchema.safeParse({ source: 'acme-sor', accountId: '1111' }).success).toBe(false);
    expect(vendorAccessSchema.safeParse({ source: 'acme-sor', principalArns: ['arn:aws:s3:::bucket'] }).success).toBe(false);
    expect(vendorAccessSchema.parse({ source: 'acme-sor', principalArns: ['arn:aws:iam::111122223333:role/up'] })).toEqual({
      source: 'acme-sor',
      principalArns: ['arn:aws:iam::111122223333:role/up'],
    });
  });
});

describe('configuration: cross-checks', () => {
  it('a vendor profile whose source is not configured', () => {
    const c = loadConfig();
    const issues = configIssues({ ...c, deployment: { ...c.deployment, sources: ['bolt-sor', 'sip', 'firm'] } });
    expect(issues).toContainEqual({
      file: 'config/profiles/acme-sor.json',
      path: 'source',
      message: expect.stringContaining('"acme-sor" is not in config/bestex.json "sources"'),
    });
  });

  it('vendor access for an unknown or repeated source, or a role name IAM would refuse', () => {
    const issues = configIssues(
      configWith({
        stackName: `B${'x'.repeat(50)}`,
        vendorAccess: [
          { source: 'nobody', principalArns: ['arn:aws:iam::111122223333:root'] },
          { source: 'acme-sor', accountId: '111122223333', externalId: 'abc', principalArns: [] },
          { source: 'acme-sor', principalArns: ['arn:aws:iam::111122223333:root'] },
        ],
      }),
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(/^vendorAccess\.0\.source: source "nobody" is not in "sources"/),
      expect.stringMatching(/^vendorAccess\.1: upload role name "Bx+-vendor-acme-sor" is longer than IAM's 64 characters/),
      expect.stringMatching(/^vendorAccess\.2\.source: source "acme-sor" has two entries/),
    ]);
  });

  it('threshold rules naming sources or peers that are not configured', () => {
    const c = loadConfig();
    const rule = thresholdsSchema.parse(JSON.parse(readFileSync(new URL('../fixtures/review/row-rules.json', import.meta.url), 'utf8')))
      .rules[0];
    if (!rule) throw new Error('test/fixtures/review/row-rules.json has no rules');
    const issues = configIssues({
      ...c,
      thresholds: { ...c.thresholds, rules: [{ ...rule, id: 'x', sources: ['ghost'], benchmark: { peer: 'phantom' } }] },
    });
    expect(issues.map((i) => [i.file, i.path])).toEqual([
      ['config/thresholds.json', 'rules.0.sources'],
      ['config/thresholds.json', 'rules.0.benchmark.peer'],
    ]);
  });

  it.each([
    ['cron(0 11 5 1,4,7,10 ? *)', undefined],
    ['cron(0 11 ? * TUE-SAT *)', undefined],
    ['rate(1 day)', undefined],
    ['rate(2 days)', undefined],
    ['0 11 * * *', /must be cron/],
    ['cron(0 11 * * *)', /6 fields/],
    ['cron(0 11 5 * MON *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 11 ? * ? *)', /exactly one/],
    ['rate(1 days)', /rate\(1 day\)/],
    ['rate(3 hour)', /rate\(3 hours\)/],
  ])('schedule %s', (expr, problem) => {
    const r = scheduleIssue(expr);
    if (problem) expect(r).toMatch(problem);
    else expect(r).toBeUndefined();
  });

  it('a bad configuration fails the synth with every problem listed', () => {
    const bad = configWith({ schedules: { quarterly: 'cron(0 11 5 * MON *)', monthly: 'cron(0 11 5 * ? *)', daily: 'daily' } });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    let err: unknown;
    try {
      buildApp(app, bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/config\/bestex\.json: schedules\.quarterly: .*exactly one/);
    expect((err as Error).message).toMatch(/config\/bestex\.json: schedules\.daily: "daily": must be cron/);
  });
});
