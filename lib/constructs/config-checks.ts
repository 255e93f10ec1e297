/**
 * Cross-checks of the configuration that no single file's schema can make (each file is already
 * validated by lambdas/shared/config.ts): names that must refer to configured sources, schedules
 * EventBridge accepts, and names AWS limits. Run at synth, so a bad configuration never deploys.
 */
import { type BestexConfig, ConfigError } from '../../lambdas/shared/config';

export interface ConfigIssue {
  /** e.g. config/bestex.json */
  file: string;
  /** e.g. vendorAccess.0.source */
  path: string;
  message: string;
}

/** EventBridge: `cron(minutes hours day-of-month month day-of-week year)` or `rate(n unit)`. */
export function scheduleIssue(expr: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2] ?? '';
    if (n < 1) return 'a rate must be at least 1';
    if (n === 1 && unit.endsWith('s')) return `write "rate(1 ${unit.slice(0, -1)})"`;
    if (n > 1 && !unit.endsWith('s')) return `write "rate(${n} ${unit}s)"`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (!cron) return 'must be cron(minutes hours day-of-month month day-of-week year) or rate(n unit), UTC';
  const fields = (cron[1] ?? '').trim().split(/\s+/);
  if (fields.length !== 6) return `cron needs 6 fields (minutes hours day-of-month month day-of-week year), found ${fields.length}`;
  const [, , dom, , dow] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) return 'exactly one of day-of-month and day-of-week must be "?"';
  return undefined;
}

/** Every cross-file problem, each with its file and field; empty when the configuration is coherent. */
export function configIssues(config: BestexConfig, dir = 'config'): ConfigIssue[] {
  const { deployment: d, profiles, thresholds } = config;
  const bestex = `${dir}/bestex.json`;
  const issues: ConfigIssue[] = [];
  const sources = new Set(d.sources);
  const known = `configured sources: ${d.sources.join(', ')}`;

  for (const [file, p] of Object.entries(profiles)) {
    if (!sources.has(p.source)) {
      issues.push({
        file: `${dir}/profiles/${file}.json`,
        path: 'source',
        message: `source "${p.source}" is not in ${bestex} "sources" (${known}): add it there, or remove the profile`,
      });
    }
  }

  const seen = new Set<string>();
  d.vendorAccess.forEach((v, i) => {
    if (!sources.has(v.source))
      issues.push({ file: bestex, path: `vendorAccess.${i}.source`, message: `source "${v.source}" is not in "sources" (${known})` });
    if (seen.has(v.source))
      issues.push({ file: bestex, path: `vendorAccess.${i}.source`, message: `source "${v.source}" has two entries: merge them into one` });
    seen.add(v.source);
    const roleName = `${d.stackName}-vendor-${v.source}`;
    if (v.accountId && roleName.length > 64)
      issues.push({
        file: bestex,
        path: `vendorAccess.${i}`,
        message: `upload role name "${roleName}" is longer than IAM's 64 characters: shorten stackName or the source`,
      });
  });

  thresholds.rules.forEach((r, i) => {
    const where = `${dir}/thresholds.json`;
    for (const s of r.sources ?? []) {
      if (!sources.has(s))
        issues.push({ file: where, path: `rules.${i}.sources`, message: `rule "${r.id}": source "${s}" is not configured (${known})` });
    }
    if ('peer' in r.benchmark && !sources.has(r.benchmark.peer)) {
      issues.push({
        file: where,
        path: `rules.${i}.benchmark.peer`,
        message: `rule "${r.id}": benchmark peer "${r.benchmark.peer}" is not configured (${known})`,
      });
    }
  });

  for (const [name, expr] of Object.entries(d.schedules)) {
    const problem = scheduleIssue(expr);
    if (problem) issues.push({ file: bestex, path: `schedules.${name}`, message: `"${expr}": ${problem}` });
  }

  if (d.retention.evidenceYears > 100)
    issues.push({ file: bestex, path: 'retention.evidenceYears', message: 'S3 Object Lock retention is at most 100 years' });
  // State machine names (`<stack>-exceptions`) are limited to 80 characters.
  if (d.stackName.length > 69)
    issues.push({ file: bestex, path: 'stackName', message: 'must be at most 69 characters (state machine names)' });
  return issues;
}

/** Throws one ConfigError listing every issue (what, where, what to do). */
export function checkConfig(config: BestexConfig, dir?: string): void {
  const issues = configIssues(config, dir);
  if (issues.length === 0) return;
  throw new ConfigError(`the configuration is not consistent:\n${issues.map((i) => `  ${i.file}: ${i.path}: ${i.message}`).join('\n')}`);
}
