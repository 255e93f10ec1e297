/**
 * The embedded local runtime: an s3rver endpoint with the pipeline's buckets, the normalise
 * handler fed by S3 events through the same adapter and a local queue, the synthesised state
 * machines run by aws-local-stepfunctions with local task handlers, and DuckDB standing in for
 * Athena over the local lake. All state lives under one home folder.
 */
import '../polyfills';
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, statSync, type WriteStream, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { StateMachine } from 'aws-local-stepfunctions';
import S3rver from 's3rver';
import { makeS3Client } from '../../lambdas/adapters/aws';
import { useSender } from '../../lambdas/adapters/notify';
import { routeTelemetry } from '../../lambdas/adapters/powertools';
import { type BestexConfig, loadConfig } from '../../lambdas/shared/config';
import { BUCKET_ROLES, type BucketRole, LAKE } from '../../lambdas/shared/layout';
import type { PublishedNotice } from '../../lambdas/shared/notice';
import { type Engine, openEngine, refreshFigureViews } from '../engine';
import { type ResolvedStateMachine, stateMachines, synthTemplate, type Template } from './asl';
import { atomicObjectWrites, honourConditionalWrites } from './conditional';
import { type S3rverEvent, toAwsRecords } from './events';
import { outboxSender } from './outbox';
import { LocalQueue, type NormaliseHandler, type Processed } from './queue';
import { guardLocalKeys } from './s3-keys';
import { localHandlers } from './tasks';

export interface LocalRuntimeOptions {
  /** Holds all local state (s3/, outbox/). */
  home: string;
  /** @default 0 (a free port) */
  port?: number;
  configDir?: string;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /**
   * Where the handlers' JSON log lines and EMF metric lines go (on Lambda: the function's log
   * group). @default appended to <home>/logs/functions.jsonl, so they never flood the terminal
   */
  telemetry?: NodeJS.WritableStream;
  onNotice?: (n: PublishedNotice) => void | Promise<void>;
}

export interface DropResult extends Processed {
  manifest?: Record<string, unknown>;
}

export interface RunResult {
  executionId: string;
  output: Record<string, unknown>;
  queries: { id: string; rows: number; ms: number }[];
}

export class LocalRuntime {
  readonly buckets: Record<BucketRole, string>;
  readonly s3: S3Client;
  readonly config: BestexConfig;
  private template?: Template;
  private machines?: Record<string, ResolvedStateMachine>;
  private readonly log: (line: string) => void;

  private constructor(
    readonly home: string,
    readonly endpoint: string,
    private readonly server: S3rver,
    readonly queue: LocalQueue,
    config: BestexConfig,
    private readonly opts: LocalRuntimeOptions,
    private readonly telemetryFile: WriteStream | undefined,
  ) {
    this.buckets = localBuckets();
    this.s3 = makeS3Client(endpoint);
    this.config = config;
    this.log = opts.log ?? (() => {});
  }

  /** The s3rver directory of a bucket: DuckDB reads the lake's Parquet files straight from it. */
  bucketDir(role: BucketRole): string {
    return join(this.home, 's3', this.buckets[role]);
  }

  static async start(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
    const config = loadConfig(opts.configDir);
    const buckets = localBuckets();
    const s3dir = join(opts.home, 's3');
    mkdirSync(s3dir, { recursive: true });
    const server = new S3rver({
      address: '127.0.0.1',
      port: opts.port ?? 0,
      silent: true,
      directory: s3dir,
      configureBuckets: BUCKET_ROLES.map((r) => ({ name: buckets[r], configs: [] })),
    });
    guardLocalKeys(server);
    honourConditionalWrites(server);
    atomicObjectWrites(server);
    const { port } = (await server.run()) as { port: number };
    const endpoint = `http://127.0.0.1:${port}`;
    // Handlers read these at call time, exactly as on Lambda.
    for (const role of BUCKET_ROLES) process.env[`BUCKET_${role.toUpperCase()}`] = buckets[role];
    process.env.BESTEX_S3_ENDPOINT = endpoint;
    useSender(outboxSender(join(opts.home, 'outbox')));
    process.env.TOPIC_COMPLIANCE = 'arn:aws:sns:us-east-1:000000000000:compliance';
    process.env.TOPIC_DATAOPS = 'arn:aws:sns:us-east-1:000000000000:dataops';
    if (opts.configDir) process.env.BESTEX_CONFIG_DIR = opts.configDir;
    // The evidence manifest records the code that produced a package (on AWS, set at deploy).
    process.env.BESTEX_CODE_VERSION ??= localCodeVersion();
    // Package links open the copy `bestex review` fetches under --home (same key layout).
    process.env.BESTEX_PACKAGE_BASE_URL = pathToFileURL(`${opts.home}/`).href;

    let telemetryFile: WriteStream | undefined;
    if (opts.telemetry) routeTelemetry(opts.telemetry);
    else {
      mkdirSync(join(opts.home, 'logs'), { recursive: true });
      telemetryFile = createWriteStream(telemetryLog(opts.home), { flags: 'a' });
      routeTelemetry(telemetryFile);
    }

    const { handler } = (await import('../../lambdas/normalise/handler')) as { handler: NormaliseHandler };
    const queue = new LocalQueue(handler);
    // s3rver is a Koa app; its typings omit the EventEmitter it inherits.
    (server as unknown as NodeJS.EventEmitter).on('event', (event: S3rverEvent) => {
      const records = toAwsRecords(event, buckets.drop);
      if (records.length) queue.enqueue(records);
    });
    return new LocalRuntime(opts.home, endpoint, server, queue, config, opts, telemetryFile);
  }

  /**
   * Uploads every file under `dir` to the drop bucket (key = path relative to `dir`) through the
   * S3 API, waits until each is processed, and returns its load manifest.
   */
  async drop(dir: string, onFile?: (key: string, i: number, n: number) => void): Promise<DropResult[]> {
    const files = listFiles(dir);
    const keys: string[] = [];
    for (const [i, file] of files.entries()) {
      const key = relative(dir, file).split(sep).join('/');
      onFile?.(key, i + 1, files.length);
      await new Upload({ client: this.s3, params: { Bucket: this.buckets.drop, Key: key, Body: createReadStream(file) } }).done();
      keys.push(key);
    }
    await this.queue.idle();
    const results: DropResult[] = [];
    for (const key of keys) {
      const processed = [...this.queue.processed].reverse().find((p) => p.key === key) ?? {
        key,
        ok: false,
        attempts: 0,
        error: 'no S3 event was received',
      };
      const manifest = await this.readJson(this.buckets.lake, LAKE.manifest(key));
      results.push({ ...processed, ...(manifest ? { manifest } : {}) });
    }
    return results;
  }

  async readJson(bucketName: string, key: string): Promise<Record<string, unknown> | undefined> {
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: bucketName, Key: key }));
      return JSON.parse((await r.Body?.transformToString()) ?? 'null') as Record<string, unknown>;
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
      throw e;
    }
  }

  /** Copies every object under a prefix of a bucket to a local folder (plain files); returns the paths. */
  async fetchPrefix(role: BucketRole, prefix: string, destDir: string): Promise<string[]> {
    const written: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.buckets[role], Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        const r = await this.s3.send(new GetObjectCommand({ Bucket: this.buckets[role], Key: o.Key }));
        const dest = join(destDir, o.Key.slice(prefix.length));
        mkdirSync(dirname(dest), { recursive: true });
        writeFileSync(dest, await (r.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
        written.push(dest);
      }
      token = page.NextContinuationToken;
    } while (token);
    return written;
  }

  /** The synthesised template (synthesised once per runtime). */
  synthesised(): Template {
    this.template ??= synthTemplate(this.config);
    return this.template;
  }

  stateMachine(name: string): ResolvedStateMachine {
    this.machines ??= stateMachines(this.synthesised(), { buckets: this.buckets });
    const m = this.machines[name];
    if (!m) throw new Error(`the synthesised stack has no state machine "${name}" (has: ${Object.keys(this.machines).join(', ')})`);
    return m;
  }

  /** Runs a synthesised state machine locally, logging each state as it is entered. */
  async run(name: string, input: Record<string, unknown>): Promise<RunResult> {
    const machine = this.stateMachine(name);
    const queries: RunResult['queries'] = [];
    let engine: Engine | undefined;
    const handlers = localHandlers(machine.definition, {
      template: this.synthesised(),
      s3: this.s3,
      athenaBucket: this.buckets.athena,
      engine: async () => {
        engine ??= await openEngine({ lakeDir: this.bucketDir('lake'), resultsDir: this.bucketDir('results') });
        return engine;
      },
      beforeQuery: (e) => refreshFigureViews(e, this.bucketDir('lake')),
      onQuery: (q) => queries.push(q),
      ...(this.opts.onNotice ? { onNotice: this.opts.onNotice } : {}),
    });
    // A copy: the interpreter normalises the definition in place (adds QueryLanguage defaults).
    const sm = new StateMachine(structuredClone(machine.definition) as never, { validationOptions: { checkArn: false } });
    const executionId = `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const execution = sm.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: { Execution: { Id: `arn:aws:states:us-east-1:000000000000:execution:${name}:${executionId}`, Name: executionId } } as never,
    });
    const logging = (async () => {
      for await (const ev of execution.eventLogs) {
        if (ev.type === 'StateEntered' && ev.index === undefined) this.log(`  ▸ ${ev.state.name}`);
      }
    })();
    try {
      const output = (await execution.result) as Record<string, unknown>;
      await logging.catch(() => {});
      return { executionId, output, queries };
    } finally {
      engine?.close();
    }
  }

  /** Runs SQL over the local lake and results, as an analyst would on Athena. */
  async query(sql: string, params: readonly string[] = []) {
    const engine = await openEngine({ lakeDir: this.bucketDir('lake'), resultsDir: this.bucketDir('results') });
    try {
      return await engine.query(sql, params);
    } finally {
      engine.close();
    }
  }

  async stop(): Promise<void> {
    await this.queue.idle();
    await this.server.close();
    routeTelemetry(undefined);
    const file = this.telemetryFile;
    if (file) await new Promise<void>((resolve) => file.end(resolve));
  }
}

/** The handlers' log and EMF lines of a local home (docs/operations.md, "Logs and metrics"). */
export const telemetryLog = (home: string): string => join(home, 'logs', 'functions.jsonl');

/** Local bucket names: one per role, recognisable in any S3 client. */
export function localBuckets(): Record<BucketRole, string> {
  return Object.fromEntries(BUCKET_ROLES.map((r) => [r, `bestex-${r}`])) as Record<BucketRole, string>;
}

/**
 * The checkout's commit, marked `-dirty` only when a tracked file changed: untracked files
 * (node_modules, .bestex, a symlinked install) never mark it, and `npm ci` does not rewrite the
 * lock, so a README-following first run reports a clean version. 'unknown' outside git.
 */
export function localCodeVersion(cwd: string = new URL('../../', import.meta.url).pathname): string {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return 'unknown';
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}
