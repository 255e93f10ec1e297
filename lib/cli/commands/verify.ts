/**
 * `bestex verify <package-dir>`: checks a review package folder against the Object Lock copy of its
 * manifest in the target's evidence bucket (the local s3rver endpoint or AWS), and re-hashes every
 * file, input, SQL file and thresholds file that copy lists. `--offline` checks the folder against
 * itself only and says what that cannot prove.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../../aws/errors';
import type { GlobalOptions } from '../support/options';
import { print } from '../support/output';
import { withTarget } from '../support/target';
import { type DirVerifyResult, formatVerifyResult, type VerifyDirOptions, verifyPackageDir } from '../support/verify-package';

export interface VerifyCommandOptions {
  offline?: boolean;
  run?: string;
  period?: string;
  source?: string;
}

export async function verifyCommand(g: GlobalOptions, dir: string, o: VerifyCommandOptions = {}): Promise<void> {
  const path = resolve(dir);
  if (!existsSync(path))
    throw new CliError(`${path} does not exist: pass a review package folder (e.g. ${join(g.home, 'packages', '2026Q3', '<source>')})`);
  const pin: VerifyDirOptions = {
    ...(o.run ? { runId: o.run } : {}),
    ...(o.period ? { period: o.period } : {}),
    ...(o.source ? { source: o.source } : {}),
  };
  const r: DirVerifyResult = o.offline
    ? await verifyPackageDir(path, { ...pin, offline: true })
    : await withTarget(g, (t) => verifyPackageDir(path, { ...pin, s3: t.s3, evidenceBucket: t.bucket('evidence') }));
  print(g, formatVerifyResult(r), r);
  if (!r.ok) process.exitCode = 1;
}
