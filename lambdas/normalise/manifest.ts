/**
 * The load manifest: one JSON per drop object in the lake (LAKE.manifest(key)), written for every
 * object, loaded or rejected, so that every row read is accounted for:
 * rows_read = rows_written + rows_rejected + rows_duplicate.
 */

/** Every row read is accounted for: rows_read = rows_written + rows_rejected + rows_duplicate. */
export interface RowCounts {
  rows_read: number;
  rows_written: number;
  rows_rejected: number;
  rows_duplicate: number;
}

export interface ManifestOutput {
  table: string;
  key: string;
  rows: number;
}

export interface LoadManifest extends RowCounts {
  drop_key: string;
  source: string;
  dataset: string;
  /**
   * This load's id: its data files are named with it, and the manifest naming it is the load's
   * commit record (docs/ingestion.md, "Commit and crash safety").
   */
  load_id: string;
  version_id: string | null;
  size: number;
  sha256: string;
  status: 'loaded' | 'rejected';
  /** Why the whole file was rejected (plain English, says what to do). */
  reason?: string;
  outputs: ManifestOutput[];
  /** Business keys the load committed (datasets with a key), checked by later loads of the source. */
  key_files?: ManifestOutput[];
  /** Rejected rows, in the quarantine bucket. */
  quarantine: { key: string; rows: number }[];
  /** Present when an earlier version of the same key had been processed. */
  replaced?: { previous_sha256: string; removed_keys: string[] };
  /** executions/routes rows whose order_id is not (yet) in the lake for their source and date. */
  orphans?: number;
  started_at: string;
  finished_at: string;
  /** Message counts from the FIX parser (fix drops only). */
  fix_counts?: Record<string, number>;
  /** Remarks worth a reader's attention: same-content re-drop, ignored columns, skipped checks. */
  notes?: string[];
}
