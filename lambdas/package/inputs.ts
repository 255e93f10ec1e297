/**
 * The review's inputs for the evidence manifest: the lake objects the period's SQL reads and the
 * records that vouch for them, hashed by streaming. Canonical data is taken from the committed
 * load manifests (a manifest is a load's commit record, so a file it does not name is not data:
 * docs/ingestion.md), with each file's row count; the figures tables are one object per source
 * × trade date, replaced whole by each enrichment, so they are listed.
 */

import { hashContent, type InputRef, mapLimit, readContent } from '../adapters/evidence';
import type { ObjectStore } from '../adapters/package-store';
import { FIGURE_TABLES } from '../shared/figures';
import { LAKE, periodRange } from '../shared/layout';

const TRADE_DATE = /(?:^|\/)trade_date=(\d{4}-\d{2}-\d{2})\//;

/** Whether a lake key is read by a review of [start, end): dated partitions inside it, undated tables always. */
export function inPeriod(key: string, start: string, end: string): boolean {
  const m = TRADE_DATE.exec(key);
  if (!m) return true;
  const d = m[1] as string;
  return d >= start && d < end;
}

/** The data files a committed load manifest names, with their row counts (nothing for an unreadable or rejected one). */
function committedOutputs(manifest: unknown): { key: string; rows: number }[] {
  if (!manifest || typeof manifest !== 'object') return [];
  const outputs = (manifest as { outputs?: unknown }).outputs;
  if (!Array.isArray(outputs)) return [];
  return outputs.filter(
    (o): o is { key: string; rows: number } => !!o && typeof o === 'object' && typeof o.key === 'string' && typeof o.rows === 'number',
  );
}

export interface CollectOptions {
  /** Parallel downloads while hashing (default 8). */
  concurrency?: number;
}

/** Lists, hashes and counts the lake objects of a period; sorted by key. */
export async function collectLakeInputs(
  store: ObjectStore,
  lakeBucket: string,
  period: string,
  opts: CollectOptions = {},
): Promise<InputRef[]> {
  const { start, end } = periodRange(period);
  const limit = opts.concurrency ?? 8;
  const rowsOf = new Map<string, number | undefined>();
  const manifestKeys = (await store.list(lakeBucket, LAKE.manifests)).map((o) => o.key).sort();
  const manifestRefs = await mapLimit(manifestKeys, limit, async (key): Promise<InputRef | undefined> => {
    const got = await store.get(lakeBucket, key);
    if (!got) return undefined;
    const bytes = await readContent(got.body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      // An unreadable manifest is still evidence (hashed as is); it names no data.
    }
    const outputs = committedOutputs(parsed).filter((o) => inPeriod(o.key, start, end));
    if (outputs.length === 0) return undefined; // a load with nothing in this period is not an input
    for (const o of outputs) rowsOf.set(o.key, o.rows);
    const h = await hashContent(bytes);
    return { bucket: lakeBucket, key, sha256: h.sha256, bytes: h.bytes, ...(got.versionId ? { versionId: got.versionId } : {}) };
  });
  for (const t of FIGURE_TABLES) {
    for (const o of await store.list(lakeBucket, LAKE.tablePrefix(t.table))) if (inPeriod(o.key, start, end)) rowsOf.set(o.key, undefined);
  }
  const lakeRefs = await mapLimit([...rowsOf.keys()].sort(), limit, async (key): Promise<InputRef | undefined> => {
    const got = await store.get(lakeBucket, key);
    if (!got) return undefined; // replaced between list and read: not an input of this review
    const h = await hashContent(got.body);
    const rows = rowsOf.get(key);
    return {
      bucket: lakeBucket,
      key,
      sha256: h.sha256,
      bytes: h.bytes,
      ...(got.versionId ? { versionId: got.versionId } : {}),
      ...(rows !== undefined ? { rows } : {}),
    };
  });
  return [...lakeRefs, ...manifestRefs].filter((r): r is InputRef => r !== undefined).sort((a, b) => a.key.localeCompare(b.key));
}
