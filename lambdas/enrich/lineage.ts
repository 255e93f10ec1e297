/**
 * Lineage of the figures layer: which load manifests (lake bucket `_manifests/`, one per drop
 * object) feed the enrichment of one source × trade date, and whether the figures on record were
 * computed from exactly those inputs. A date is *missing* without a record, *stale* when a
 * manifest it read changed (a re-drop: new content hash or version), appeared or went away, or
 * when the enrichment SQL or the quote-age setting changed; otherwise it is *fresh* and a review
 * only aggregates it. Pure functions: the handler does the S3 reads and writes.
 */
import { createHash } from 'node:crypto';

/** The fields of a load manifest lineage needs (lambdas/normalise/manifest.ts). */
export interface ManifestFacts {
  drop_key: string;
  sha256: string;
  version_id: string | null;
  status: string;
  outputs: readonly { table: string; key: string; rows: number }[];
}

export interface EnrichUnit {
  source: string;
  tradeDate: string;
}

/** One input of a unit: a drop object, as the manifest that loaded it names it. */
export interface LineageInput {
  drop_key: string;
  sha256: string;
  version_id: string | null;
}

/** What the commit step writes to `_figures/<source>/<date>.json`. */
export interface FiguresRecord extends EnrichUnit {
  fingerprint: string;
  inputs: LineageInput[];
  sql: Record<string, string>;
  max_quote_age_s: number;
  rows: Record<string, number>;
  objects: string[];
  enriched_at: string;
  run_id: string;
}

/** Tables whose partitions of the unit's source and date feed it. */
const PER_SOURCE_DATE = new Set(['orders', 'executions', 'routes']);

/** `table/source=S/trade_date=D/...` (quotes: `quotes/trade_date=D/...`) → its partition values. */
export function partitionOf(key: string): { table: string; source?: string; tradeDate?: string } {
  const [table = '', ...rest] = key.split('/');
  const out: { table: string; source?: string; tradeDate?: string } = { table };
  for (const part of rest) {
    if (part.startsWith('source=')) out.source = part.slice('source='.length);
    else if (part.startsWith('trade_date=')) out.tradeDate = part.slice('trade_date='.length);
  }
  return out;
}

/** Does this manifest's output feed the unit? Venue terms and reference lists feed every date. */
function feeds(output: { table: string; key: string }, unit: EnrichUnit): boolean {
  const p = partitionOf(output.key);
  const table = output.table || p.table;
  if (PER_SOURCE_DATE.has(table)) return p.source === unit.source && p.tradeDate === unit.tradeDate;
  if (table === 'quotes') return p.tradeDate === unit.tradeDate;
  if (table === 'venues') return p.source === unit.source;
  return table === 'reference';
}

/** The loaded manifests that feed a unit, in a stable order. */
export function inputsOf(manifests: readonly ManifestFacts[], unit: EnrichUnit): LineageInput[] {
  return manifests
    .filter((m) => m.status === 'loaded' && m.outputs.some((o) => feeds(o, unit)))
    .map((m) => ({ drop_key: m.drop_key, sha256: m.sha256, version_id: m.version_id }))
    .sort((a, b) => (a.drop_key < b.drop_key ? -1 : a.drop_key > b.drop_key ? 1 : 0));
}

/** Units with any order or execution loaded: the dates a period's review needs figures for. */
export function unitsWithData(manifests: readonly ManifestFacts[]): EnrichUnit[] {
  const keys = new Set<string>();
  for (const m of manifests) {
    if (m.status !== 'loaded') continue;
    for (const o of m.outputs) {
      const p = partitionOf(o.key);
      const table = o.table || p.table;
      if ((table === 'orders' || table === 'executions') && p.source && p.tradeDate && o.rows > 0) keys.add(`${p.source}|${p.tradeDate}`);
    }
  }
  return [...keys].sort().map((k) => {
    const [source, tradeDate] = k.split('|') as [string, string];
    return { source, tradeDate };
  });
}

/** One hash of everything the figures of a unit depend on. */
export function fingerprint(inputs: readonly LineageInput[], sql: Record<string, string>, maxQuoteAgeS: number): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ inputs, sql: Object.entries(sql).sort(), maxQuoteAgeS }));
  return h.digest('hex');
}

export type Freshness = 'fresh' | 'missing' | 'stale';

export function freshness(record: Pick<FiguresRecord, 'fingerprint'> | undefined, current: string): Freshness {
  if (!record) return 'missing';
  return record.fingerprint === current ? 'fresh' : 'stale';
}
