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
