/** How the CLI prints: human tables by default, `--json` for machines; progress always on stderr. */

export interface OutputOptions {
  json: boolean;
}

export const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A plain-text table with aligned columns. */
export function table(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (vals: readonly string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function csv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [columns.map(q).join(','), ...rows.map((r) => columns.map((c) => q(formatCell(r[c]))).join(','))].join('\n');
}

export function print(opts: OutputOptions, human: string, machine: unknown): void {
  process.stdout.write(`${opts.json ? JSON.stringify(machine, null, 2) : human}\n`);
}
