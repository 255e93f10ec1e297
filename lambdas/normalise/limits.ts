/**
 * Processing limits (docs/ingestion.md explains the numbers). Each has an environment override so
 * a deployment can raise it together with the Lambda's memory, ephemeral storage and timeout.
 */

export interface Limits {
  /** Largest drop object accepted, as stored (compressed size for .gz). */
  maxObjectBytes: number;
  /** Largest decompressed size of a .gz object (gzip bombs, and /tmp capacity). */
  maxUncompressedBytes: number;
  /** DuckDB memory limit; beyond it DuckDB spills to the temp directory. */
  duckdbMemory: string;
  /** DuckDB worker threads. */
  duckdbThreads: number;
  /** Bytes of lake orders the best-effort orphan check may download. */
  orphanCheckMaxBytes: number;
  /** Stop before uploading when less than this remains before the Lambda deadline. */
  uploadReserveMs: number;
  /** A load's lease on its source expires this long after it was taken (past the Lambda timeout). */
  leaseTtlMs: number;
  /** How long a load waits for its source's lease before failing (and being retried). */
  leaseWaitMs: number;
  /** Timestamps must lie in the calendar years from this many before the load to the year after. */
  timestampWindowYears: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function num(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`environment variable ${name}="${v}" is not a positive number`);
  return n;
}

export function limitsFromEnv(): Limits {
  return {
    maxObjectBytes: num('MAX_OBJECT_BYTES', 2 * GiB),
    maxUncompressedBytes: num('MAX_UNCOMPRESSED_BYTES', 8 * GiB),
    duckdbMemory: process.env.DUCKDB_MEMORY_LIMIT || '1GB',
    duckdbThreads: num('DUCKDB_THREADS', 2),
    orphanCheckMaxBytes: num('ORPHAN_CHECK_MAX_BYTES', 256 * MiB),
    uploadReserveMs: num('UPLOAD_RESERVE_MS', 60_000),
    timestampWindowYears: num('TIMESTAMP_WINDOW_YEARS', 20),
    leaseTtlMs: num('LEASE_TTL_MS', 16 * 60_000),
    leaseWaitMs: num('LEASE_WAIT_MS', 5 * 60_000),
  };
}

/** An expected failure that rejects the whole file (too big, timed out, unreadable). */
export class FileRejection extends Error {
  override name = 'FileRejection';
}

/** The instants a timestamp may take for a load at `at`: Jan 1 of `years` before to the end of next year. */
export function timestampWindow(at: Date, years: number): { lo: Date; hi: Date } {
  const y = at.getUTCFullYear();
  return { lo: new Date(Date.UTC(y - Math.floor(years), 0, 1)), hi: new Date(Date.UTC(y + 2, 0, 1) - 1) };
}
