/** A committee log built from drafts through the real chaining (each record hashed onto the last). */
import { type CommitteeRecord, chainRecord, type NewCommitteeRecord } from '../../lambdas/core/review/committee';

export function committeeLog(drafts: readonly NewCommitteeRecord[]): CommitteeRecord[] {
  const log: CommitteeRecord[] = [];
  for (const d of drafts) {
    const r = chainRecord(log, d);
    if (!r.ok) throw new Error(r.reason);
    log.push(r.value);
  }
  return log;
}

/** A vendor's due-diligence answers as of late 2025: the version the committee tests change. */
export const DUE_DILIGENCE_ANSWERS = {
  venues: ['XNAS', 'XNYS', 'CDRG'],
  pfof: 'None.',
  rebates_and_fees: 'Exchange rebates passed through.',
  routing_logic: 'Best displayed price, then fill probability.',
  conflicts_of_interest: 'None known.',
};
