import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DockerImage, Duration, type Size, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  LayerVersion,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { BucketRole } from '../../lambdas/shared/layout';
import { type BucketRef, grantPrefixes, grantPublish, type PrefixAccess } from './grants';
import { acknowledge } from './nag';

const ROOT = new URL('../../', import.meta.url).pathname;
/** The SEC specifications beside the repository (as lambdas/core/regulatory/rule605.ts finds them). */
const SEC_SPECS = process.env.BESTEX_SEC_SPECS ?? join(ROOT, '..', 'shared', 'specs', 'sec');

/**
 * The code version every function reports (BESTEX_CODE_VERSION; the evidence manifest records it):
 * the git commit being deployed, `-dirty` when the working tree has changes, `unknown` without git.
 */
export const CODE_VERSION = (() => {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
})();

export interface BestexFunctionProps {
  /** Folder under lambdas/ holding handler.ts; also env BESTEX_FUNCTION, by which the local runtime finds the handler. */
  readonly name: string;
  readonly description: string;
  /**
   * The export of lambdas/<name>/handler.ts to run, when a folder holds more than one (the daily
   * exceptions' `prepare`). Also env BESTEX_HANDLER, which the local runtime reads. @default 'handler'
   */
  readonly handler?: string;
  /** @default 1024 MiB */
  readonly memorySize?: number;
  /** @default 5 minutes */
  readonly timeout?: Duration;
  /** /tmp size; the normalise function stages whole drop objects there. @default 512 MiB */
  readonly ephemeralStorage?: Size;
  /** Adds the DuckDB layer (Parquet writing, local SQL). @default false */
  readonly duckdb?: boolean;
  /** Plain settings; bucket and topic variables come with their grants from `useBucket` / `usePublish`. */
  readonly environment?: Record<string, string>;
  readonly logRetention: RetentionDays;
  /**
   * Bundles the SEC schemas and the WebAssembly libxml2 (xmllint-wasm, with its .wasm and worker
   * script, loaded from the bundle at run time: no download) for XSD validation. @default false
   */
  readonly secSchemas?: boolean;
  /** Caps concurrency where a downstream (S3 prefix, Athena) must not be flooded. @default unreserved */
  readonly reservedConcurrency?: number;
}

/**
 * The one place that carries every function's defaults: Node 22 on x86_64 (the DuckDB binding the
 * layer ships is linux-x64), ESM bundle with source maps, X-Ray tracing, JSON structured logs into
 * its own log group with the configured retention, the AWS SDK left to the runtime, and its own
 * role that starts empty: `useBucket` and `usePublish` pair each environment variable with the
 * exact grant it needs.
 */
export class BestexFunction extends NodejsFunction {
  /** The lambdas/<name> folder. */
  readonly bestexName: string;

  constructor(scope: Construct, id: string, props: BestexFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    // Its own role with no managed policy: logs go to its own group only (AWSLambdaBasicExecutionRole allows any group).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `bestex ${props.name}${props.handler ? ` ${props.handler}` : ''} function`,
    });
    role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    super(scope, id, {
      entry: join(ROOT, 'lambdas', props.name, 'handler.ts'),
      handler: props.handler ?? 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.X86_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(5),
      ...(props.ephemeralStorage ? { ephemeralStorageSize: props.ephemeralStorage } : {}),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      // JSON lines with level and request id; the handlers' Powertools logger writes JSON too. Handlers log
      // keys, counts and reasons, never rows (docs/security.md).
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        BESTEX_CONFIG_DIR: '/var/task/config',
        BESTEX_FUNCTION: props.name,
        // Powertools: the tracer's service name (the logger and metrics name theirs in lambdas/adapters/powertools.ts).
        POWERTOOLS_SERVICE_NAME: `bestex-${props.name}`,
        BESTEX_CODE_VERSION: CODE_VERSION,
        ...(props.handler && props.handler !== 'handler' ? { BESTEX_HANDLER: props.handler } : {}),
        ...(props.secSchemas ? { BESTEX_SEC_SPECS: '/var/task/specs/sec' } : {}),
        ...props.environment,
      },
      layers: props.duckdb ? [duckdbLayer(scope)] : [],
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        sourceMap: true,
        minify: true,
        mainFields: ['module', 'main'],
        // xmllint-wasm starts a worker from its own folder (path.resolve(__dirname, …)), which esbuild
        // cannot inline: the package is copied beside the bundle instead (afterBundling).
        externalModules: ['@aws-sdk/*', '@duckdb/*', ...(props.secSchemas ? ['xmllint-wasm'] : [])],
        // ESM bundles of CommonJS dependencies still call require(); give them one.
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // config/ travels with the code (profiles, thresholds): its hash is part of the evidence.
          // A function's own SQL (lambdas/<name>/sql/, e.g. normalise's DuckDB statements) is read beside the bundle.
          afterBundling: (_in: string, out: string) => [
            `cp -r ${join(ROOT, 'config')} ${out}/config`,
            ...(existsSync(join(ROOT, 'lambdas', props.name, 'sql'))
              ? [`cp -r ${join(ROOT, 'lambdas', props.name, 'sql')} ${out}/sql`]
              : []),
            ...(props.secSchemas
              ? [
                  `mkdir -p ${out}/node_modules ${out}/specs/sec`,
                  `cp -r ${dirname(createRequire(join(ROOT, 'package.json')).resolve('xmllint-wasm/package.json'))} ${out}/node_modules/xmllint-wasm`,
                  `cp ${join(SEC_SPECS, 'oh-20191231.xsd')} ${out}/specs/sec/`,
                ]
              : []),
          ],
        },
      },
    });
    this.bestexName = props.name;
    acknowledge(this, {
      'AwsSolutions-L1':
        'nodejs22.x is the runtime the handlers and the DuckDB layer are built and tested for (esbuild target node22); moving to a newer runtime is a tested change, not an automatic one.',
    });
    acknowledge(role, {
      'AwsSolutions-IAM5[Resource::*]':
        'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) has no resource-level permissions; test/infra/iam.test.ts checks that X-Ray is the only Resource "*" in function policies.',
    });
  }

  /** Sets BUCKET_<ROLE> to the bucket's name and grants exactly `access` (docs/security.md). */
  useBucket(role: BucketRole, bucket: BucketRef, access: PrefixAccess): this {
    this.addEnvironment(`BUCKET_${role.toUpperCase()}`, bucket.bucketName);
    grantPrefixes(this, bucket, access);
    return this;
  }

  /** Sets TOPIC_<NAME> to the topic's ARN and grants publishing to it (and the topic key's data-key actions). */
  usePublish(name: 'compliance' | 'dataops', topic: ITopic, key: IKey): this {
    this.addEnvironment(`TOPIC_${name.toUpperCase()}`, topic.topicArn);
    grantPublish(this, topic, key);
    return this;
  }
}

/**
 * The DuckDB Node binding as a layer, assembled from node_modules on the build machine (local
 * bundling: no Docker, no download). One layer per stack.
 */
export function duckdbLayer(scope: Construct): LayerVersion {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild('DuckDbLayer');
  if (existing) return existing as LayerVersion;
  const require = createRequire(join(ROOT, 'package.json'));
  const pkgDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
  return new LayerVersion(stack, 'DuckDbLayer', {
    description: 'DuckDB Node binding (linux-x64) for Parquet writing',
    compatibleRuntimes: [Runtime.NODEJS_22_X],
    compatibleArchitectures: [Architecture.X86_64],
    code: Code.fromAsset(ROOT, {
      assetHash: `duckdb-${require('@duckdb/node-api/package.json').version}`,
      bundling: {
        image: DockerImage.fromRegistry('unused-local-bundling'),
        local: {
          tryBundle(outputDir: string) {
            for (const name of ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-linux-x64', 'detect-libc']) {
              const src = pkgDir(name);
              if (!existsSync(src)) return false;
              const dest = join(outputDir, 'nodejs', 'node_modules', name);
              mkdirSync(dest, { recursive: true });
              cpSync(src, dest, { recursive: true });
            }
            return true;
          },
        },
      },
    }),
  });
}
