import type { DropResult, LocalRuntime } from '../../local/runtime';
import type { GlobalOptions } from '../main';
import { print, progress, table } from '../output';
import { withRuntime } from './runtime';

export interface LoadSummaryRow {
  key: string;
  status: string;
  rows_read: unknown;
  rows_written: unknown;
  rows_rejected: unknown;
  rows_duplicate: unknown;
  reason: string;
}

export function loadSummary(results: DropResult[]): LoadSummaryRow[] {
  return results.map((r) => {
    const m = r.manifest ?? {};
    return {
      key: r.key,
      status: r.ok ? String(m.status ?? 'loaded') : 'failed',
      rows_read: m.rows_read ?? '',
      rows_written: m.rows_written ?? '',
      rows_rejected: m.rows_rejected ?? '',
      rows_duplicate: m.rows_duplicate ?? '',
      reason: String(m.reason ?? r.error ?? ''),
    };
  });
}

/** Uploads a folder through the S3 API and reports how each file loaded. */
export async function dropDir(rt: LocalRuntime, dir: string): Promise<LoadSummaryRow[]> {
  const results = await rt.drop(dir, (key, i, n) => progress(`  ↑ [${i}/${n}] ${key}`));
  return loadSummary(results);
}

export async function dropCommand(g: GlobalOptions, dir: string): Promise<void> {
  const rows = await withRuntime(g, (rt) => dropDir(rt, dir));
  const cols = ['key', 'status', 'rows_read', 'rows_written', 'rows_rejected', 'rows_duplicate', 'reason'];
  print(g, table(cols, rows as unknown as Record<string, unknown>[]), rows);
  if (rows.some((r) => r.status !== 'loaded')) process.exitCode = 2;
}
