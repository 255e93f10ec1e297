/**
 * The AWS implementation of Target: the deployed stack, found through its CloudFormation outputs,
 * driven with the SDK v3 clients (S3 + lib-storage, Step Functions, Athena).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { BestexConfig } from '../../lambdas/shared/config';
import type { BucketRole } from '../../lambdas/shared/layout';
import { runAthenaQuery } from './athena';
import { listDropFiles, type ManifestState, uploadFiles, waitForManifests } from './drop';
import { awsCall, CliError, EXIT_STILL_RUNNING } from './errors';
import { describeStackOutputs, type MachineName, readOutputsFile, type StackOutputs } from './outputs';
import { consoleUrl, executionName, followExecution, startExecution } from './sfn';
import {
  type DropOptions,
  type DropRow,
  dropRow,
  type QueryOutcome,
  type RunOptions,
  type RunOutcome,
  type Target,
  type TargetUi,
} from './target';

export interface AwsClients {
  s3: S3Client;
  sfn: SFNClient;
  athena: AthenaClient;
  cfn: CloudFormationClient;
}

export interface AwsTargetOptions {
  config: BestexConfig;
  region: string;
  stackName: string;
  /** Outputs from a file instead of DescribeStacks (`cdk deploy --outputs-file`). */
  outputsFile?: string;
  ui: TargetUi;
  /** Injected in tests (s3rver, recorded Step Functions / Athena responses). */
  clients?: Partial<AwsClients>;
  /** Poll intervals in ms. */
  poll?: { manifest?: number; execution?: number; query?: number };
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const minutes = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

export class AwsTarget implements Target {
  readonly kind = 'aws' as const;
  readonly s3: S3Client;
  readonly sfn: SFNClient;
  readonly athena: AthenaClient;

  private constructor(
    readonly config: BestexConfig,
    readonly region: string,
    readonly outputs: StackOutputs,
    clients: Omit<AwsClients, 'cfn'>,
    private readonly o: AwsTargetOptions,
  ) {
    this.s3 = clients.s3;
    this.sfn = clients.sfn;
    this.athena = clients.athena;
  }

  static async open(o: AwsTargetOptions): Promise<AwsTarget> {
    const region = o.region;
    const clients = {
      s3: o.clients?.s3 ?? new S3Client({ region }),
      sfn: o.clients?.sfn ?? new SFNClient({ region }),
      athena: o.clients?.athena ?? new AthenaClient({ region }),
    };
    let outputs: StackOutputs;
    if (o.outputsFile) {
      outputs = readOutputsFile(o.outputsFile, o.stackName);
    } else {
      const cfn = o.clients?.cfn ?? new CloudFormationClient({ region });
      outputs = await describeStackOutputs(cfn, o.stackName, region);
      if (!o.clients?.cfn) cfn.destroy();
    }
    o.ui.log(`Target: ${outputs.origin}`);
    return new AwsTarget(o.config, region, outputs, clients, o);
  }

  bucket(role: BucketRole): string {
    return this.outputs.bucket(role);
  }

  async drop(dir: string, opts: DropOptions = {}): Promise<DropRow[]> {
    const files = listDropFiles(dir);
    if (!files.length) throw new CliError(`${dir} has no files: lay them out as <source>/<dataset>/<file>`);
    const buckets = { drop: this.bucket('drop'), lake: this.bucket('lake') };
    const total = files.reduce((s, f) => s + f.size, 0);
    this.o.ui.log(
      `Uploading ${files.length} file${files.length === 1 ? '' : 's'} (${(total / 1024 / 1024).toFixed(1)} MiB) to s3://${buckets.drop}/`,
    );
    const uploads = await uploadFiles(this.s3, buckets, files, {
      ...(opts.partSize ? { partSize: opts.partSize } : {}),
      ...(this.o.ui.upload ? { onProgress: this.o.ui.upload } : {}),
    });
    this.o.ui.uploadDone?.();
    const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
    this.o.ui.log(`Waiting for the load manifests in s3://${buckets.lake}/_manifests/ (up to ${minutes(timeoutMs)})`);
    let last = '';
    const waits = await waitForManifests(this.s3, buckets.lake, uploads, {
      timeoutMs,
      ...(this.o.poll?.manifest !== undefined ? { intervalMs: this.o.poll.manifest } : {}),
      ...(this.o.sleep ? { sleep: this.o.sleep } : {}),
      ...(this.o.now ? { now: this.o.now } : {}),
      onProgress: (c: Record<ManifestState, number>, elapsed: number) => {
        const line = `  ${c.loaded} loaded, ${c.rejected} rejected, ${c.pending} waiting`;
        if (line !== last) this.o.ui.log(`${line} (${Math.round(elapsed / 1000)} s)`);
        last = line;
      },
    });
    return waits.map((w) =>
      dropRow(w.key, w.manifest, {
        status: 'pending',
        reason: `${w.detail ?? 'no load manifest'} after ${minutes(timeoutMs)}: check the normalise function's logs and its dead-letter queue, or wait longer (--timeout)`,
      }),
    );
  }

  async run(name: MachineName, input: Record<string, unknown>, opts: RunOptions = {}): Promise<RunOutcome> {
    const arn = this.outputs.stateMachineArn(name);
    const executionArn = await startExecution(this.sfn, arn, input, executionName(opts.namePrefix ?? name));
    const url = consoleUrl(executionArn);
    this.o.ui.log(`Execution ${executionArn}`);
    this.o.ui.log(`  console: ${url}`);
    const timeoutMs = opts.timeoutMs ?? 60 * 60_000;
    const r = await followExecution(this.sfn, executionArn, {
      timeoutMs,
      ...(this.o.poll?.execution !== undefined ? { intervalMs: this.o.poll.execution } : {}),
      ...(this.o.sleep ? { sleep: this.o.sleep } : {}),
      ...(this.o.now ? { now: this.o.now } : {}),
      onState: (s) => this.o.ui.log(`  ▸ ${s}`),
    });
    const id = executionArn.slice(executionArn.lastIndexOf(':') + 1);
    if (r.status === 'SUCCEEDED') return { executionId: id, executionArn, consoleUrl: url, output: r.output };
    if (r.status === 'RUNNING') {
      throw new CliError(
        `stopped waiting after ${minutes(r.waitedMs)}${r.lastState ? ` (in state ${r.lastState})` : ''}; the execution goes on: follow it at ${url}`,
        EXIT_STILL_RUNNING,
      );
    }
    const f = r.failure;
    throw new CliError(
      `${name} execution ${r.status}${f.state ? ` in state ${f.state}` : ''}: ${f.error}${f.cause ? `: ${f.cause}` : ''} (${url})`,
    );
  }

  async query(sql: string, params: readonly string[] = [], opts: { timeoutMs?: number } = {}): Promise<QueryOutcome> {
    let lastState = '';
    const r = await runAthenaQuery(this.athena, {
      sql,
      params,
      workGroup: this.outputs.workGroup(),
      database: this.outputs.database(),
      timeoutMs: opts.timeoutMs ?? 10 * 60_000,
      ...(this.o.poll?.query !== undefined ? { intervalMs: this.o.poll.query } : {}),
      ...(this.o.sleep ? { sleep: this.o.sleep } : {}),
      ...(this.o.now ? { now: this.o.now } : {}),
      onState: (state, ms) => {
        if (state !== lastState) this.o.ui.log(`  Athena ${state.toLowerCase()} (${(ms / 1000).toFixed(1)} s)`);
        lastState = state;
      },
    });
    return { columns: r.columns, rows: r.rows, queryExecutionId: r.queryExecutionId, bytesScanned: r.bytesScanned, costUsd: r.costUsd };
  }

  /**
   * Uploads the file to the results bucket under a content-addressed key (dry runs under dry-run/),
   * so the functions read exactly these bytes and the evidence manifest can hash them.
   */
  async stageInput(path: string, name: string, dryRun: boolean): Promise<string> {
    const body = readFileSync(path);
    const sha = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const bucket = this.bucket('results');
    const key = `${dryRun ? 'dry-run/' : ''}inputs/${name}-${sha}-${basename(path)}`;
    await awsCall({ action: 'S3 PutObject', bucket, key }, () =>
      this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' })),
    );
    this.o.ui.log(`Staged ${path} as s3://${bucket}/${key}`);
    return `s3://${bucket}/${key}`;
  }

  async close(): Promise<void> {
    if (!this.o.clients?.s3) this.s3.destroy();
    if (!this.o.clients?.sfn) this.sfn.destroy();
    if (!this.o.clients?.athena) this.athena.destroy();
  }
}
