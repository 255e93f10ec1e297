/**
 * The house rules of bestex's layering (docs/architecture.md draws them), checked by
 * `npm run lint:deps` in `npm run lint`, so `npm test` fails on a violation or any import cycle.
 *
 *   lambdas/shared/, lambdas/core/  domain: pure modules (facts, statistics, findings, renderers)
 *   lambdas/adapters/               I/O: S3 stores, SNS notifier, DuckDB Parquet writer, evidence files
 *   lambdas/<function>/             one Lambda each: handler.ts + run.ts (wiring of core and adapters)
 *   lib/engine/, lib/local/         the local runtime (DuckDB as Athena, s3rver, local Step Functions)
 *   lib/aws/, lib/cli/              the bestex CLI and its AWS target
 *   lib/constructs/, lib/stack.ts   the CDK app
 */
const FUNCTIONS = '^lambdas/(enrich|evaluate|exceptions|normalise|package|prepare|rule606)/';
const DOMAIN = '^lambdas/(shared|core)/';
const RUNTIME_PACKAGES =
  'node_modules/(@aws-sdk|@duckdb|@aws-lambda-powertools|@middy|aws-cdk-lib|constructs|cdk-nag|s3rver|aws-local-stepfunctions|nodemailer|commander)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere (type-only imports count too: they tie the modules as tightly).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-imports-no-runtime',
      severity: 'error',
      comment:
        'Domain modules (lambdas/shared, lambdas/core) are pure: no SDK, no DuckDB, no adapter, no function folder, nothing of lib/. I/O is passed in as a port.',
      from: { path: DOMAIN },
      to: { path: [RUNTIME_PACKAGES, '^lambdas/adapters/', FUNCTIONS, '^lib/', '^bin/'] },
    },
    {
      name: 'domain-reads-no-files',
      severity: 'error',
      comment:
        "Domain modules do not touch the file system. Exceptions: loading the validated config (shared/config.ts), which every runtime does the same way, and the Rule 606 XML check, which reads the SEC's XSD by path (core/regulatory/rule606.ts validateXml*).",
      from: { path: DOMAIN, pathNot: ['^lambdas/shared/config[.]ts$', '^lambdas/core/regulatory/rule606[.]ts$'] },
      to: { path: '^(node:)?fs(/promises)?$', dependencyTypes: ['core'] },
    },
    {
      name: 'adapters-serve-functions',
      severity: 'error',
      comment: 'Adapters implement I/O for the functions and the CLI; they never reach into a function folder or lib/.',
      from: { path: '^lambdas/adapters/' },
      to: { path: [FUNCTIONS, '^lib/', '^bin/'] },
    },
    {
      name: 'function-folders-are-leaves',
      severity: 'error',
      comment:
        "A function folder holds its handler and wiring only: nothing outside it imports its code (the local runtime loads handler.ts by its path; the CLI may import the types of a handler's output).",
      from: { path: '^([^/]+/[^/]+)', pathNot: ['^test/', '^bench/', '^lib/local/'] },
      to: { path: FUNCTIONS, pathNot: '^$1/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'lambda-bundles-stay-out-of-lib',
      severity: 'error',
      comment:
        'Nothing a Lambda bundle imports reaches lib/ (the local runtime, the DuckDB engine, the CLI, the CDK app): a handler runs the same on AWS as locally because the runtime only supplies adapters.',
      from: { path: '^lambdas/' },
      to: { path: ['^lib/', '^bin/'] },
    },
    {
      name: 'local-runtime-only-for-cli',
      severity: 'error',
      comment:
        'The local runtime (lib/local, lib/engine) is used by the CLI, tests and benchmarks, never by the CDK app or the AWS target.',
      from: { path: ['^lib/constructs/', '^lib/stack[.]ts$', '^lib/app[.]ts$', '^lib/aws/', '^bin/app[.]ts$'] },
      to: { path: ['^lib/local/', '^lib/engine/'] },
    },
    {
      name: 'cli-commands-do-not-import-commands',
      severity: 'error',
      comment:
        'A command shares code with another only through lib/cli/support/. demo.ts is the one composer: it is drop + review on a generated quarter.',
      from: { path: '^lib/cli/commands/', pathNot: '^lib/cli/commands/demo[.]ts$' },
      to: { path: '^lib/cli/commands/' },
    },
    {
      name: 'nothing-imports-the-cli-entry',
      severity: 'error',
      comment: 'lib/cli/main.ts is the entry point; shared CLI types live in lib/cli/support/ (GlobalOptions in options.ts).',
      from: { pathNot: '^bin/' },
      to: { path: '^lib/cli/main[.]ts$' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'Every import resolves (a moved file leaves no dangling path).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^cdk[.]out/', '^[.]bestex/', 'node_modules'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
