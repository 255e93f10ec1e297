/**
 * The case log in S3: one object per event (never rewritten), read back as a whole for validation
 * and summaries. The functions the `bestex case …` CLI and the evaluate handler call.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  CASE_EVENTS_PREFIX,
  type CaseEvent,
  type CaseResult,
  caseEventKey,
  type NewCaseEvent,
  parseCaseEvent,
  serializeCaseEvent,
  validateCaseEvent,
} from '../core/review/cases';
import { putObject, readJsonObjects } from './s3io';

/** Every event in the log, in case and sequence order; a malformed object is an error naming it. */
export async function loadCaseEvents(s3: S3Client, bucket: string): Promise<CaseEvent[]> {
  const events: CaseEvent[] = [];
  for (const { key, text } of await readJsonObjects(s3, bucket, CASE_EVENTS_PREFIX)) {
    const r = parseCaseEvent(text, `s3://${bucket}/${key}`);
    if (!r.ok) throw new Error(r.reason);
    events.push(r.value);
  }
  return events.sort((a, b) => (a.case_id < b.case_id ? -1 : a.case_id > b.case_id ? 1 : a.seq - b.seq));
}

/**
 * Writes already-validated events. `If-None-Match: *` makes S3 refuse to overwrite an existing
 * event (two writers racing for the same sequence number), keeping the log append-only.
 */
export async function writeCaseEvents(s3: S3Client, bucket: string, events: readonly CaseEvent[]): Promise<string[]> {
  const keys: string[] = [];
  for (const e of events) {
    const key = caseEventKey(e);
    await putObject(s3, bucket, key, serializeCaseEvent(e), 'application/json', { ifNoneMatch: true });
    keys.push(key);
  }
  return keys;
}

/** Validates one event against the stored log and appends it: what `bestex case open|note|plan|notify|close` call. */
export async function recordCaseEvent(
  s3: S3Client,
  bucket: string,
  next: NewCaseEvent,
): Promise<CaseResult<{ event: CaseEvent; key: string }>> {
  const existing = await loadCaseEvents(s3, bucket);
  const r = validateCaseEvent(existing, next);
  if (!r.ok) return r;
  const [key] = await writeCaseEvents(s3, bucket, [r.value]);
  return { ok: true, value: { event: r.value, key: key as string } };
}
