import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DockerImage, Duration, type Size, Stack } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface BestexFunctionProps {
  /** Folder under lambdas/ holding handler.ts. */
  readonly name: string;
  readonly description: string;
  /** @default 1024 MiB */
  readonly memorySize?: number;
  /** @default 5 minutes */
  readonly timeout?: Duration;
  /** /tmp size; the normalise function stages whole drop objects there. @default 512 MiB */
  readonly ephemeralStorage?: Size;
  /** Adds the DuckDB layer (Parquet writing, local SQL). @default false */
  readonly duckdb?: boolean;
  readonly environment?: Record<string, string>;
  readonly logRetention: RetentionDays;
  /** Caps concurrency where a downstream (S3 prefix, Athena) must not be flooded. */
  readonly reservedConcurrency?: number;
}

/**
 * The one place that carries every function's defaults: Node 22 on x86_64 (the DuckDB binding the
 * layer ships is linux-x64), ESM bundle with source maps, X-Ray tracing, its own log group with
 * retention, and the AWS SDK left to the runtime.
 */
export class BestexFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: BestexFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    super(scope, id, {
      entry: join(ROOT, 'lambdas', props.name, 'handler.ts'),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.X86_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(5),
      ...(props.ephemeralStorage ? { ephemeralStorageSize: props.ephemeralStorage } : {}),
      tracing: Tracing.ACTIVE,
      logGroup,
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      // BESTEX_FUNCTION names the handler folder: the local runtime maps Lambda tasks to handlers by it.
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        BESTEX_CONFIG_DIR: '/var/task/config',
        BESTEX_FUNCTION: props.name,
        ...props.environment,
      },
      layers: props.duckdb ? [duckdbLayer(scope)] : [],
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        sourceMap: true,
        minify: true,
        mainFields: ['module', 'main'],
        externalModules: ['@aws-sdk/*', '@duckdb/*'],
        // ESM bundles of CommonJS dependencies still call require(); give them one.
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // config/ travels with the code (profiles, thresholds): its hash is part of the evidence.
          afterBundling: (_in: string, out: string) => [`cp -r ${join(ROOT, 'config')} ${out}/config`],
        },
      },
    });
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
