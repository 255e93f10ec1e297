/**
 * `bestex verify <package-dir>`: re-checks every hash of a review package's evidence manifest.
 * Inputs are read from the target's drop bucket: the local runtime's s3rver folder, or S3 pinned
 * to the recorded object versions.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { VerifyOptions } from '../../../lambdas/package/evidence';
import { CliError } from '../../aws/errors';
import type { GlobalOptions } from '../main';
import { print } from '../output';
import { awsSettings, loadConfigFor } from './target';

export async function verifyCommand(g: GlobalOptions, dir: string): Promise<void> {
  const path = resolve(dir);
  if (!existsSync(path))
    throw new CliError(`${path} does not exist: pass a review package folder (e.g. ${join(g.home, 'packages', '2026Q3', '<source>')})`);
  const { verifyPackageDir, formatVerifyResult, s3Resolver } = await import('../../../lambdas/package/evidence');
  let opts: VerifyOptions = {};
  let close = () => {};
  if (g.target === 'aws') {
    const { S3Client } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ region: awsSettings(g, loadConfigFor(g)).region });
    opts = { resolveInput: s3Resolver(s3) };
    close = () => s3.destroy();
  } else if (existsSync(join(g.home, 's3'))) {
    opts = { s3Dir: join(g.home, 's3') };
  }
  try {
    const r = await verifyPackageDir(path, opts);
    print(g, formatVerifyResult(r), r);
    if (!r.ok) process.exitCode = 1;
  } finally {
    close();
  }
}
