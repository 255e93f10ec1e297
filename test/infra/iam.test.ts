/**
 * Least privilege, read off the synthesised template: each function's and state machine's S3
 * grants are compared with a hand-written specification (what the handler code calls, prefix by
 * prefix), and stack-wide properties are checked on every policy (no action wildcards; Resource
 * "*" only for services without resource-level permissions; evidence writable by the package
 * step alone; vendors write-only under their own prefix).
 */
import { describe, expect, it } from 'vitest';
import { FIGURE_TABLES } from '../../lambdas/shared/figures';
import { DATASETS } from '../../lambdas/shared/schema';
import {
  actions,
  bucketId,
  configWith,
  functionId,
  functionRole,
  idsOf,
  roleStatements,
  type Statement,
  type Synth,
  s3Grants,
  synth,
} from './synth';

const s = synth();
const CANONICAL = DATASETS.map((d) => d.table);
const TABLES = [...CANONICAL, ...FIGURE_TABLES.map((t) => t.table)];
/** Where the enrichment's Athena queries write (lambdas/enrich/handler.ts wrapFor). */
const ENRICH_WRITES = ['_staging/figures/', ...FIGURE_TABLES.map((t) => `${t.table}/`)];
/** The review's own tables over the results bucket (lib/constructs/lake.ts), and their prefixes. */
const RESULT_TABLES = ['review_metrics', 'review_breaches', 'review_findings', 'case_events'];
const RESULT_PREFIXES = ['review_metrics/', 'review_breaches/', 'review_findings/', 'cases/events/'];
const fnGrants = (name: string, handler?: string) => s3Grants(s, roleStatements(s, functionRole(s, functionId(s, name, handler))));
const machineRole = (short: string): string => {
  const [id] = idsOf(s, 'AWS::StepFunctions::StateMachine', (p) => p.StateMachineName === `Bestex-${short}`);
  return ((s.json.Resources[id as string]?.Properties?.RoleArn ?? {}) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
};
const sorted = (xs: string[]) => [...xs].sort();

/** Every Allow statement of every IAM policy and role in a template. */
function allStatements(t: Synth): { owner: string; st: Statement }[] {
  const out: { owner: string; st: Statement }[] = [];
  for (const [id, r] of Object.entries(t.json.Resources)) {
    if (r.Type === 'AWS::IAM::Policy') {
      // The owner is the role the policy is attached to.
      const roles = ((r.Properties?.Roles ?? []) as { Ref?: string }[]).map((x) => x.Ref ?? id);
      for (const st of ((r.Properties?.PolicyDocument ?? {}) as { Statement: Statement[] }).Statement) {
        if (st.Effect === 'Allow') for (const owner of roles) out.push({ owner, st });
      }
    }
    if (r.Type === 'AWS::IAM::Role') {
      for (const p of (r.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]) {
        for (const st of p.PolicyDocument.Statement) if (st.Effect === 'Allow') out.push({ owner: id, st });
      }
    }
  }
  return out;
}

describe('least privilege: each function touches only its prefixes', () => {
  it('normalise reads any drop object (and its versions), writes lake tables and manifests, quarantines, lists the lake', () => {
    expect(fnGrants('normalise')).toEqual(
      sorted([
        's3:GetObject drop/*',
        's3:GetObjectVersion drop/*',
        's3:GetObject lake/_manifests/*',
        's3:GetObject lake/orders/*',
        ...CANONICAL.map((t) => `s3:PutObject lake/${t}/*`),
        's3:PutObject lake/_manifests/*',
        ...CANONICAL.map((t) => `s3:DeleteObject lake/${t}/*`),
        's3:ListBucket lake',
        's3:PutObject quarantine/rows/*',
        's3:PutObject quarantine/files/*',
        's3:DeleteObject quarantine/rows/*',
        's3:DeleteObject quarantine/files/*',
      ]),
    );
  });

  it('prepare reads only the monitoring state', () => {
    expect(fnGrants('prepare')).toEqual(['s3:GetObject results/monitoring/*', 's3:ListBucket results']);
  });

  it('evaluate reads query results and its history, writes the run’s tables and records', () => {
    expect(fnGrants('evaluate')).toEqual(
      sorted([
        's3:GetObject athena/results/*',
        ...['review_metrics/', 'monitoring/', 'cases/events/', 'inputs/', 'dry-run/'].map((p) => `s3:GetObject results/${p}*`),
        ...['review_metrics/', 'review_breaches/', 'reviews/', 'monitoring/', 'cases/events/', 'dry-run/'].map(
          (p) => `s3:PutObject results/${p}*`,
        ),
        's3:ListBucket results',
      ]),
    );
  });

  it('package reads the lake and the run’s results, writes the package and the evidence manifest', () => {
    expect(fnGrants('package')).toEqual(
      sorted([
        's3:GetObject lake/*',
        's3:ListBucket lake',
        ...['reviews/', 'review_metrics/', 'review_breaches/', 'monitoring/', 'cases/events/', 'packages/', 'dry-run/', 'committee/'].map(
          (p) => `s3:GetObject results/${p}*`,
        ),
        // The committee's open items carried into the next review.
        's3:PutObject results/committee/agenda/*',
        's3:PutObject results/packages/*',
        's3:PutObject results/dry-run/*',
        's3:ListBucket results',
        's3:PutObject evidence/packages/*',
      ]),
    );
  });

  it('rule606 reads query results and writes only the regulatory files', () => {
    expect(fnGrants('rule606')).toEqual(
      sorted(['s3:GetObject athena/results/*', 's3:PutObject results/regulatory/*', 's3:PutObject results/dry-run/regulatory/*']),
    );
  });

  it('the daily exceptions read query results and write only exceptions/; their prepare step touches no bucket', () => {
    expect(fnGrants('exceptions')).toEqual(['s3:GetObject athena/results/*', 's3:PutObject results/exceptions/*']);
    expect(fnGrants('exceptions', 'prepare')).toEqual([]);
  });

  it('only normalise publishes to data operations; functions never publish to compliance (the state machines do)', () => {
    const publishers = allStatements(s).filter(({ st }) => actions(st).includes('sns:Publish'));
    const topicOf = (st: Statement) => JSON.stringify(st.Resource);
    const dataOps = idsOf(s, 'AWS::SNS::Topic', (p) => JSON.stringify(p.Tags).includes('dataops'))[0];
    const compliance = idsOf(s, 'AWS::SNS::Topic', (p) => JSON.stringify(p.Tags).includes('compliance'))[0];
    const normaliseRole = functionRole(s, functionId(s, 'normalise'));
    for (const { owner, st } of publishers) {
      if (topicOf(st) === JSON.stringify({ Ref: dataOps })) expect(owner).toBe(normaliseRole);
      else {
        expect(topicOf(st)).toBe(JSON.stringify({ Ref: compliance }));
        expect([machineRole('review'), machineRole('exceptions')]).toContain(owner);
      }
    }
  });

  it('each function logs only to its own log group and has no managed policy', () => {
    for (const id of idsOf(s, 'AWS::Lambda::Function', (p) => JSON.stringify(p.Environment ?? {}).includes('BESTEX_FUNCTION'))) {
      const role = functionRole(s, id);
      expect(s.json.Resources[role]?.Properties?.ManagedPolicyArns, id).toBeUndefined();
      const logs = roleStatements(s, role).filter((st) => actions(st).some((a) => a.startsWith('logs:')));
      const group = ((s.json.Resources[id]?.Properties?.LoggingConfig ?? {}) as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logs, id).toEqual([
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [group, 'Arn'] } },
      ]);
    }
  });
});

describe('least privilege: the state machines', () => {
  it.each([
    ['review', ['prepare', 'evaluate', 'package', 'rule606', 'Enrich:enrich#plan', 'Enrich:enrich#commit']],
    ['exceptions', ['exceptions#prepare', 'exceptions', 'Enrich:enrich#plan', 'Enrich:enrich#commit']],
  ])('%s invokes exactly its functions, by unqualified ARN', (short, fns) => {
    const invoke = roleStatements(s, machineRole(short)).filter((st) => actions(st).some((a) => a.startsWith('lambda:')));
    expect(invoke).toHaveLength(1);
    expect(actions(invoke[0] as Statement)).toEqual(['lambda:InvokeFunction']);
    const expected = fns.map((f) => {
      // One enrichment pair serves both workflows: `<construct>:<name>#<handler>` finds it, and only one.
      const [owner, spec] = f.includes(':') ? (f.split(':') as [string, string]) : [undefined, f];
      const [name, handler] = spec.split('#') as [string, string | undefined];
      if (!owner) return { 'Fn::GetAtt': [functionId(s, name, handler), 'Arn'] };
      const ids = idsOf(s, 'AWS::Lambda::Function', (p) => {
        const vars = (p.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
        return vars.BESTEX_FUNCTION === name && vars.BESTEX_HANDLER === handler;
      }).filter((id) => id.includes(owner));
      expect(ids).toHaveLength(1);
      return { 'Fn::GetAtt': [ids[0], 'Arn'] };
    });
    expect(new Set([invoke[0]?.Resource].flat().map((r) => JSON.stringify(r)))).toEqual(new Set(expected.map((r) => JSON.stringify(r))));
  });

  it.each(['review', 'exceptions'])('%s runs Athena only in its workgroup and reads only the catalog’s tables', (short) => {
    const st = roleStatements(s, machineRole(short));
    const athena = st.filter((x) => actions(x).some((a) => a.startsWith('athena:')));
    expect(athena.map((x) => [actions(x), JSON.stringify(x.Resource)])).toEqual([
      [
        ['athena:GetQueryExecution', 'athena:StartQueryExecution', 'athena:StopQueryExecution'],
        JSON.stringify({
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':athena:us-east-1:', { Ref: 'AWS::AccountId' }, ':workgroup/Bestex-bestex'],
          ],
        }),
      ],
      [
        ['athena:GetDataCatalog'],
        JSON.stringify({
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':athena:us-east-1:', { Ref: 'AWS::AccountId' }, ':datacatalog/AwsDataCatalog'],
          ],
        }),
      ],
    ]);
    const glue = st.filter((x) => actions(x).some((a) => a.startsWith('glue:')));
    expect(glue).toHaveLength(1);
    expect(actions(glue[0] as Statement)).toEqual(['glue:GetDatabase', 'glue:GetPartition', 'glue:GetPartitions', 'glue:GetTable']);
    const tail = (r: unknown) => ((r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].at(-1) as string).replace(/^:/, '');
    expect(sorted([glue[0]?.Resource].flat().map(tail))).toEqual(
      sorted([
        'catalog',
        'database/bestex',
        ...TABLES.map((t) => `table/bestex/${t}`),
        // The canonical datasets' files tables behind their committed-load views, and the commits themselves.
        ...CANONICAL.map((t) => `table/bestex/${t}_files`),
        'table/bestex/lake_commits',
        ...RESULT_TABLES.map((t) => `table/bestex/${t}`),
      ]),
    );
    expect(s3Grants(s, st)).toEqual(
      sorted([
        ...TABLES.map((t) => `s3:GetObject lake/${t}/*`),
        's3:GetObject lake/_manifests/*',
        ...RESULT_PREFIXES.map((p) => `s3:GetObject results/${p}*`),
        `s3:ListBucket lake if ${JSON.stringify({ StringLike: { 's3:prefix': [...CANONICAL.map((t) => `${t}/*`), '_manifests/*', ...FIGURE_TABLES.map((t) => `${t.table}/*`)] } })}`,
        ...['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:PutObject'].flatMap((a) =>
          ENRICH_WRITES.map((w) => `${a} lake/${w}*`),
        ),
        `s3:ListBucket lake if ${JSON.stringify({ StringLike: { 's3:prefix': ENRICH_WRITES.map((w) => `${w}*`) } })}`,
        `s3:ListBucket results if ${JSON.stringify({ StringLike: { 's3:prefix': RESULT_PREFIXES.map((p) => `${p}*`) } })}`,
        's3:GetBucketLocation lake',
        's3:GetBucketLocation results',
        ...['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'].map((a) => `${a} athena/results/*`),
        ...['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'].map((a) => `${a} athena`),
      ]),
    );
  });

  it('the state machines get only this role: CDK’s automatic task grants are not attached anywhere', () => {
    for (const short of ['review', 'exceptions']) {
      const role = machineRole(short);
      const attached = idsOf(s, 'AWS::IAM::Policy', (p) => JSON.stringify(p.Roles).includes(role));
      expect(attached, short).toEqual([]);
    }
  });
});

describe('least privilege: stack-wide', () => {
  const all = allStatements(s);

  it('no policy grants an action wildcard', () => {
    const wild = all.filter(({ st }) => actions(st).some((a) => a.includes('*')));
    expect(wild.map(({ owner, st }) => `${owner}: ${actions(st).join(',')}`)).toEqual([]);
  });

  it('Resource "*" appears only for X-Ray and CloudWatch Logs delivery (no resource-level permissions exist)', () => {
    const allowed =
      /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(Create|Get|Update|Delete|List)LogDelivery|logs:ListLogDeliveries|logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;
    const star = all.filter(({ st }) => [st.Resource].flat().includes('*'));
    expect(star.length).toBeGreaterThan(0);
    for (const { owner, st } of star) for (const a of actions(st)) expect(a, owner).toMatch(allowed);
  });

  it('only the package step can write to the evidence bucket, and no one can delete there', () => {
    const evidence = bucketId(s, 'evidence');
    const touching = all.filter(({ st }) => JSON.stringify(st.Resource).includes(evidence));
    expect(touching.map(({ owner }) => owner)).toEqual([functionRole(s, functionId(s, 'package'))]);
    for (const { st } of touching) expect(actions(st)).toEqual(['s3:PutObject']);
  });

  it('only normalise reads the drop bucket, and nothing in the stack can delete or overwrite there', () => {
    const drop = bucketId(s, 'drop');
    const touching = all.filter(
      ({ st }) =>
        JSON.stringify(st.Resource).includes(drop) && actions(st).some((a) => a.startsWith('s3:') && a !== 's3:PutBucketNotification'),
    );
    expect(touching.length).toBeGreaterThan(0);
    for (const { owner, st } of touching) {
      expect(owner).toBe(functionRole(s, functionId(s, 'normalise')));
      for (const a of actions(st)) expect(['s3:GetObject', 's3:GetObjectVersion']).toContain(a);
    }
  });
});

describe('vendor access', () => {
  const v = synth(
    configWith({
      vendorAccess: [
        { source: 'acme-sor', accountId: '111122223333', externalId: 'acme-2026', principalArns: [] },
        { source: 'bolt-sor', principalArns: ['arn:aws:iam::444455556666:role/bolt-uploader'] },
      ],
    }),
  );
  const drop = bucketId(v, 'drop');
  const prefix = (source: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [drop, 'Arn'] }, `/${source}/*`]] });

  it('a vendor account gets a named role it can assume only with the agreed external id', () => {
    v.template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'Bestex-vendor-acme-sor',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } },
            Condition: { StringEquals: { 'sts:ExternalId': 'acme-2026' } },
          },
        ],
      },
    });
    const [role] = idsOf(v, 'AWS::IAM::Role', (p) => p.RoleName === 'Bestex-vendor-acme-sor');
    expect(roleStatements(v, role as string)).toEqual([
      { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Resource: prefix('acme-sor') },
    ]);
    expect(Object.keys(v.json.Outputs ?? {}).some((k) => k.includes('UploadRoleArnacmesor'))).toBe(true);
  });

  it('named vendor principals get a write-only statement for their own prefix in the drop bucket policy', () => {
    const policy = Object.values(v.json.Resources).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties?.Bucket) === JSON.stringify({ Ref: drop }),
    );
    const allow = ((policy?.Properties?.PolicyDocument ?? {}) as { Statement: Statement[] }).Statement.filter(
      (st) => st.Effect === 'Allow',
    );
    expect(allow).toEqual([
      {
        Sid: 'VendorUploadboltsor',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:role/bolt-uploader' },
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: prefix('bolt-sor'),
      },
    ]);
  });

  it('no vendor access is granted unless configured', () => {
    expect(idsOf(s, 'AWS::IAM::Role', (p) => String(p.RoleName ?? '').includes('vendor'))).toEqual([]);
    const policy = Object.values(s.json.Resources).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties?.Bucket) === JSON.stringify({ Ref: bucketId(s, 'drop') }),
    );
    expect(
      ((policy?.Properties?.PolicyDocument ?? {}) as { Statement: Statement[] }).Statement.filter((st) => st.Effect === 'Allow'),
    ).toEqual([]);
  });
});
