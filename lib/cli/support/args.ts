/** Checks of command arguments shared by several commands, so each says the same thing. */
import { periodRange } from '../../../lambdas/shared/layout';
import { CliError } from '../../aws/errors';

export function checkDate(date: string): void {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ok = d && new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;
  if (!ok) throw new CliError(`--date "${date}" is not a date: write it as YYYY-MM-DD, e.g. 2026-07-01`);
}

export function checkPeriod(period: string): void {
  try {
    periodRange(period);
  } catch (e) {
    throw new CliError(`${(e as Error).message}: pass --period 2026Q3 or --period 2026-07`);
  }
}
