/** Reads what the pipeline wrote to the local S3 (s3rver stores objects as plain files). */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { LoadManifest } from '../../lambdas/normalise/manifest';
import type { LocalS3 } from './s3';

export const objectPath = (s: LocalS3, bucket: string, key: string): string => join(s.dir, 's3', bucket, `${key}._S3rver_object`);

export async function manifestOf(s: LocalS3, key: string): Promise<LoadManifest> {
  const { LAKE } = await import('../../lambdas/shared/layout');
  const text = await s.get('lake', LAKE.manifest(key));
  if (!text) throw new Error(`no manifest for ${key}`);
  return JSON.parse(text) as LoadManifest;
}

/** Runs SQL where {files} is replaced by a list of local paths of lake objects. */
export async function queryLake(s: LocalS3, keys: string[], sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const db = await inst.connect();
  try {
    await db.run("SET TimeZone = 'UTC'");
    const list = `[${keys.map((k) => `'${objectPath(s, s.buckets.lake, k).replace(/'/g, "''")}'`).join(', ')}]`;
    const r = await db.runAndReadAll(sql.replaceAll('{files}', list));
    return r.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.closeSync();
    inst.closeSync();
  }
}
