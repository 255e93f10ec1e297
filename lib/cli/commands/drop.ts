import { existsSync, statSync } from 'node:fs';
import { CliError, EXIT_STILL_RUNNING } from '../../aws/errors';
import type { DropRow, Target } from '../../aws/target';
import type { GlobalOptions } from '../support/options';
import { print, progress, table } from '../support/output';
import { withTarget } from '../support/target';

export const DROP_COLUMNS = ['key', 'status', 'rows_read', 'rows_written', 'rows_rejected', 'rows_duplicate', 'reason'] as const;

export interface DropOptions {
  /** Seconds to wait for the load manifests (AWS). */
  timeout?: number;
}

/** Uploads a folder through the S3 API and reports how each file loaded. */
export async function dropDir(t: Target, dir: string, o: DropOptions = {}): Promise<DropRow[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new CliError(`${dir} is not a folder: pass the folder holding <source>/<dataset>/<file>`);
  return t.drop(dir, o.timeout ? { timeoutMs: o.timeout * 1000 } : {});
}

export async function dropCommand(g: GlobalOptions, dir: string, o: DropOptions = {}): Promise<void> {
  if (g.target === 'aws' && g.config) {
    progress(
      'note: the deployed normalise function uses the vendor profiles deployed with the stack, not those in --config; try new profiles locally first',
    );
  }
  const rows = await withTarget(g, (t) => dropDir(t, dir, o));
  print(g, table(DROP_COLUMNS, rows as unknown as Record<string, unknown>[]), rows);
  const pending = rows.filter((r) => r.status === 'pending').length;
  const bad = rows.filter((r) => r.status !== 'loaded' && r.status !== 'pending').length;
  if (pending) {
    throw new CliError(
      `${pending} file${pending === 1 ? '' : 's'} still without a load manifest (see the table): they may still load; check again with \`bestex status\``,
      EXIT_STILL_RUNNING,
    );
  }
  if (bad) process.exitCode = 2;
}
