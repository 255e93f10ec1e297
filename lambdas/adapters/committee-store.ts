/**
 * The committee's log in S3: one object per record under committee/records/ in the results bucket,
 * written with `If-None-Match: *` so no record is ever overwritten, and copied to the evidence
 * bucket (Object Lock on AWS). The agendas the reviews of record leave are under committee/agenda/.
 * What `bestex committee`, `bestex status` and the Package step call.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type Agenda,
  agendaKey,
  agendaSchema,
  COMMITTEE_AGENDA_PREFIX,
  COMMITTEE_RECORDS_PREFIX,
  type CommitteeRecord,
  chainRecord,
  committeeRecordKey,
  type NewCommitteeRecord,
  parseRecord,
  type Result,
  serializeRecord,
  verifyChain,
} from '../core/review/committee';
import { parseJson } from '../shared/result';
import { putObject, readJsonObjects } from './s3io';

export interface StoredRecord {
  record: CommitteeRecord;
  key: string;
  /** The stored bytes, for the evidence manifest's hash. */
  text: string;
}

/** Every record in order; a malformed object or a broken chain is an error naming the record. */
export async function loadCommitteeLog(s3: S3Client, bucket: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for (const { key, text } of await readJsonObjects(s3, bucket, COMMITTEE_RECORDS_PREFIX)) {
    const r = parseRecord(text, `s3://${bucket}/${key}`);
    if (!r.ok) throw new Error(r.reason);
    out.push({ record: r.value, key, text });
  }
  const chain = verifyChain(out.map((s) => s.record));
  if (!chain.ok) throw new Error(`s3://${bucket}/${COMMITTEE_RECORDS_PREFIX}: ${chain.reason}`);
  return out;
}

export const loadCommitteeRecords = async (s3: S3Client, bucket: string): Promise<CommitteeRecord[]> =>
  (await loadCommitteeLog(s3, bucket)).map((s) => s.record);

/**
 * Chains `next` to the log and writes it: first to the results bucket (refused if the number is
 * taken: someone recorded at the same moment), then its copy to the evidence bucket.
 */
export async function appendCommitteeRecord(
  s3: S3Client,
  buckets: { results: string; evidence?: string },
  log: readonly CommitteeRecord[],
  next: NewCommitteeRecord,
): Promise<Result<{ record: CommitteeRecord; key: string; evidenceKey?: string }>> {
  const r = chainRecord(log, next);
  if (!r.ok) return r;
  const key = committeeRecordKey(r.value.seq);
  const body = serializeRecord(r.value);
  try {
    await putObject(s3, buckets.results, key, body, 'application/json', { ifNoneMatch: true });
  } catch (e) {
    if (/PreconditionFailed|412|At least one of the pre-conditions/.test(String((e as Error).message))) {
      return { ok: false, reason: `committee record ${r.value.seq} was written by someone else at the same moment: run the command again` };
    }
    throw e;
  }
  if (buckets.evidence) await putObject(s3, buckets.evidence, key, body, 'application/json', { ifNoneMatch: true });
  return { ok: true, value: { record: r.value, key, ...(buckets.evidence ? { evidenceKey: key } : {}) } };
}

/** Every agenda left by reviews of record (one per period and source). */
export async function loadAgendas(s3: S3Client, bucket: string): Promise<Agenda[]> {
  const out: Agenda[] = [];
  for (const o of await readJsonObjects(s3, bucket, COMMITTEE_AGENDA_PREFIX)) {
    const json = parseJson(o.text, `s3://${bucket}/${o.key}`);
    if (!json.ok) throw new Error(json.reason);
    const r = agendaSchema.safeParse(json.value);
    if (!r.success)
      throw new Error(`s3://${bucket}/${o.key}: not an agenda (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})`);
    out.push(r.data);
  }
  return out.sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : a.source < b.source ? -1 : 1));
}

/** The agenda a review of record leaves for the committee (a re-run of the period replaces it). */
export async function writeAgenda(s3: S3Client, bucket: string, agenda: Agenda): Promise<string> {
  const key = agendaKey(agenda.period, agenda.source);
  await putObject(s3, bucket, key, `${JSON.stringify(agendaSchema.parse(agenda), null, 2)}\n`, 'application/json');
  return key;
}
