/**
 * The review's inputs for the evidence manifest: every lake object the period's SQL reads (trade
 * dates inside the period, plus the undated reference tables) and the load manifest of the drop
 * object each came from, hashed by streaming, with row counts from the load manifests.
 */

import { LAKE, periodRange } from '../shared/layout';
import { DATASETS } from '../shared/schema';
import { hashContent, type InputRef, mapLimit, readContent } from './evidence';
import type { ObjectStore } from './store';

const TRADE_DATE = /(?:^|\/)trade_date=(\d{4}-\d{2}-\d{2})\//;
const PART = /\/part-([0-9a-f]+)\.parquet$/;

/** Whether a lake key is read by a review of [start, end): dated partitions inside it, undated tables always. */
export function inPeriod(key: string, start: string, end: string): boolean {
  const m = TRADE_DATE.exec(key);
  if (!m) return true;
  const d = m[1] as string;
  return d >= start && d < end;
}

/**
 * Rows written to `lakeKey`, from a load manifest of any reasonable shape: an entry with the key
 * and a row count somewhere under it (the ingestion step owns the exact format).
 */
export function rowsFromLoadManifest(manifest: unknown, lakeKey: string): number | undefined {
  const stack: unknown[] = [manifest];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.key === lakeKey) {
        for (const f of ['rows', 'rows_written', 'row_count']) if (typeof o[f] === 'number') return o[f] as number;
      }
      stack.push(...Object.values(o));
    }
  }
  return undefined;
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
  const keys: string[] = [];
  for (const d of DATASETS) {
    for (const o of await store.list(lakeBucket, LAKE.tablePrefix(d.table))) if (inPeriod(o.key, start, end)) keys.push(o.key);
  }
  const manifests = new Map<string, string>();
  for (const k of keys) {
    const id = PART.exec(k)?.[1];
    if (id) manifests.set(k, `_manifests/${id}.json`);
  }
  const manifestKeys = [...new Set(manifests.values())].sort();
  const parsedManifests = new Map<string, unknown>();
  const manifestRefs = await mapLimit(manifestKeys, opts.concurrency ?? 8, async (key): Promise<InputRef | undefined> => {
    const got = await store.get(lakeBucket, key);
    if (!got) return undefined;
    const bytes = await readContent(got.body);
    try {
      parsedManifests.set(key, JSON.parse(bytes.toString('utf8')));
    } catch {
      // An unreadable manifest is still evidence (hashed as is); it just gives no row counts.
    }
    const h = await hashContent(bytes);
    return { bucket: lakeBucket, key, sha256: h.sha256, bytes: h.bytes, ...(got.versionId ? { versionId: got.versionId } : {}) };
  });
  const lakeRefs = await mapLimit(keys.sort(), opts.concurrency ?? 8, async (key): Promise<InputRef | undefined> => {
    const got = await store.get(lakeBucket, key);
    if (!got) return undefined; // deleted between list and read: not an input of this review
    const h = await hashContent(got.body);
    const mkey = manifests.get(key);
    const rows = mkey ? rowsFromLoadManifest(parsedManifests.get(mkey), key) : undefined;
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
