/** `bestex fetch …`: copies a review package (or a regulatory file) from the target to a local folder. */
import { join, resolve } from 'node:path';
import { RESULTS } from '../../../lambdas/shared/layout';
import { CliError } from '../../aws/errors';
import { fetchPrefix } from '../../aws/target';
import { checkPeriod } from '../support/args';
import type { GlobalOptions } from '../support/options';
import { print, progress } from '../support/output';
import { renderPdfs } from '../support/pdf';
import { dryRunPrefix, packagesDir, withTarget } from '../support/target';

export interface FetchPackageOptions {
  period: string;
  source?: string;
  out?: string;
  dryRun?: boolean;
}

export interface FetchResult {
  from: string;
  to: string;
  files: string[];
  pdfs: string[];
}

export async function fetchPackageCommand(g: GlobalOptions, o: FetchPackageOptions): Promise<void> {
  checkPeriod(o.period);
  const r = await withTarget(g, async (t): Promise<FetchResult> => {
    const prefix = `${dryRunPrefix(o.dryRun)}${o.source ? RESULTS.package(o.period, o.source) : `packages/${o.period}/`}`;
    const from = `s3://${t.bucket('results')}/${prefix}`;
    const to = o.out ? resolve(o.out) : join(packagesDir(g, t, o.dryRun, o.period), o.source ?? '');
    const files = await fetchPrefix(t.s3, t.bucket('results'), prefix, to);
    if (!files.length) {
      throw new CliError(
        `no review package at ${from}: run the review first (bestex${g.target === 'aws' ? ' --target aws' : ''} review --period ${o.period}${o.dryRun ? ' --dry-run' : ''})`,
      );
    }
    progress(`Fetched ${files.length} files from ${from} to ${to}`);
    const pdf = await renderPdfs(to, progress);
    if (pdf.skipped) progress(`PDF skipped: ${pdf.skipped}`);
    return { from, to, files, pdfs: pdf.pdfs };
  });
  const human = [
    `Package ${r.from} → ${r.to} (${r.files.length} files)`,
    ...(r.pdfs.length ? [`PDF: ${r.pdfs.join(', ')}`] : []),
    // A folder not named <period>/<source> (--out) needs them said, so verify finds the locked copy by the layout.
    `Verify: bestex${g.target === 'aws' ? ' --target aws' : ''} verify ${o.source ? r.to : join(r.to, '<source>')}${
      o.out ? ` --period ${o.period} --source ${o.source ?? '<source>'}` : ''
    }${o.dryRun ? ' (a dry run is not locked: only --offline applies)' : ''}`,
  ].join('\n');
  print(g, human, r);
}
