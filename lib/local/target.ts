/** The local implementation of Target: the embedded runtime under --home (s3rver, local Step Functions, DuckDB). */
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BestexConfig } from '../../lambdas/shared/config';
import type { BucketRole } from '../../lambdas/shared/layout';
import type { PublishedNotice } from '../../lambdas/shared/notice';
import type { MachineName } from '../aws/outputs';
import { type DropRow, dropRow, type QueryOutcome, type RunOutcome, type Target, type TargetUi } from '../aws/target';
import { LocalRuntime } from './runtime';

export interface LocalTargetOptions {
  home: string;
  configDir?: string;
  ui: TargetUi;
  onNotice?: (n: PublishedNotice) => void | Promise<void>;
}

export class LocalTarget implements Target {
  readonly kind = 'local' as const;

  private constructor(
    readonly rt: LocalRuntime,
    private readonly ui: TargetUi,
  ) {}

  static async open(o: LocalTargetOptions): Promise<LocalTarget> {
    const rt = await LocalRuntime.start({
      home: o.home,
      ...(o.configDir ? { configDir: o.configDir } : {}),
      log: o.ui.log,
      ...(o.onNotice ? { onNotice: o.onNotice } : {}),
    });
    return new LocalTarget(rt, o.ui);
  }

  get config(): BestexConfig {
    return this.rt.config;
  }

  get s3(): S3Client {
    return this.rt.s3;
  }

  bucket(role: BucketRole): string {
    return this.rt.buckets[role];
  }

  async drop(dir: string): Promise<DropRow[]> {
    const results = await this.rt.drop(dir, (key, i, n) => this.ui.log(`  ↑ [${i}/${n}] ${key}`));
    return results.map((r) =>
      dropRow(r.key, r.manifest, { status: r.ok ? 'loaded' : 'failed', reason: r.error ?? (r.ok ? '' : 'no load manifest was written') }),
    );
  }

  async run(name: MachineName, input: Record<string, unknown>): Promise<RunOutcome> {
    const r = await this.rt.run(name, input);
    return { executionId: r.executionId, output: r.output };
  }

  async query(sql: string, params: readonly string[] = []): Promise<QueryOutcome> {
    const r = await this.rt.query(sql, params);
    return { columns: r.columns, rows: r.rows };
  }

  /** The functions run in this process: they read a local path as it is. */
  async stageInput(path: string): Promise<string> {
    return resolve(path);
  }

  async close(): Promise<void> {
    await this.rt.stop();
  }
}
