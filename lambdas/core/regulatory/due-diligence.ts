/**
 * Annual due-diligence refresh: a source (SOR vendor) whose latest `venues` record is older than
 * the configured age, or that routes orders with no venues record at all, gets a reminder notice
 * saying what is stale. The SQL (sql/exceptions/venue_staleness.sql) finds the records; this
 * module reads its rows and writes the reminder.
 */
import { fitSubject, type Notice } from '../../shared/notice';
import { oneLine } from '../../shared/text';

/** One row of sql/exceptions/venue_staleness.sql. */
export interface StalenessRow {
  as_of: string;
  source: string;
  /** Null: the source has no venues record at all. */
  latest_effective_from: string | null;
  age_days: number | null;
  venues: number;
  approved_venues: number;
  /** Orders from the source in the 31 days to as_of. */
  active: boolean;
  stale: boolean;
  stale_before: string;
}

const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const int = (v: unknown): number => {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
};

export type StalenessResult = { ok: true; rows: StalenessRow[] } | { ok: false; error: string };

/** Rows from query output (engine rows or Athena CSV objects); `where` names the input in errors. */
export function toStalenessRows(input: readonly Record<string, unknown>[], where: string): StalenessResult {
  const rows: StalenessRow[] = [];
  for (const [i, r] of input.entries()) {
    const source = str(r.source);
    const asOf = str(r.as_of);
    const staleBefore = str(r.stale_before);
    if (!source || !asOf || !staleBefore) {
      return {
        ok: false,
        error: `${where}, row ${i + 1}: source, as_of and stale_before are required (is this a venue_staleness result?)`,
      };
    }
    const age = str(r.age_days);
    rows.push({
      as_of: asOf.slice(0, 10),
      source,
      latest_effective_from: str(r.latest_effective_from)?.slice(0, 10) ?? null,
      age_days: age === null ? null : int(age),
      venues: int(r.venues),
      approved_venues: int(r.approved_venues),
      active: str(r.active) === 'Y',
      stale: str(r.stale) === 'Y',
      stale_before: staleBefore.slice(0, 10),
    });
  }
  return { ok: true, rows };
}

/** The plain-English line for one stale source. */
export function describeStaleness(r: StalenessRow, maxAgeMonths: number): string {
  if (r.latest_effective_from === null) {
    return `${r.source}: no venues (due-diligence) record at all${r.active ? ', yet it routed orders in the last 31 days' : ''}; obtain the vendor's venue list with approval, PFOF, fees and rebates.`;
  }
  const months = r.age_days === null ? '' : ` (${Math.floor(r.age_days / 30.4375)} months, ${r.age_days} days)`;
  return `${r.source}: latest venues record effective ${r.latest_effective_from}${months} is older than ${maxAgeMonths} months (before ${r.stale_before}); ${r.venues} venues on record, ${r.approved_venues} approved${r.active ? '; the source is routing orders' : '; no orders in the last 31 days'}. Refresh the due-diligence review and drop the vendor's current venue list.`;
}

/** The reminder, or null when no source is stale. */
export function composeDueDiligenceNotice(asOf: string, rows: readonly StalenessRow[], maxAgeMonths: number): Notice | null {
  const stale = rows.filter((r) => r.stale).sort((a, b) => a.source.localeCompare(b.source));
  if (stale.length === 0) return null;
  const lines = [
    `Annual due-diligence refresh due, as of ${asOf}: ${stale.length} source${stale.length === 1 ? '' : 's'} with a venues record older than ${maxAgeMonths} months or none at all.`,
    '',
    ...stale.map((r) => `- ${describeStaleness(r, maxAgeMonths)}`),
    '',
    'Until refreshed, approvals and payment-for-order-flow terms in the reviews and the Rule 606 report rest on the old record.',
  ];
  return {
    subject: fitSubject(`bestex due diligence: venue records stale for ${stale.map((r) => r.source).join(', ')}`),
    message: `${lines.map(oneLine).join('\n')}\n`,
    attributes: {
      severity: stale.some((r) => r.active) ? 'medium' : 'low',
      source: stale.map((r) => r.source).join(','),
      period: asOf,
      kind: 'due_diligence',
    },
  };
}
