/**
 * How the CLI prints: human tables by default, `--json` for machines; progress always on stderr.
 * Human text carries vendor values (keys, symbols, reasons): every table cell is one line, and
 * every printed line is passed through oneLine, so no value can move the cursor, recolour the
 * terminal or start a line of its own.
 */
import { toCsv } from '../../../lambdas/shared/csv';
import { oneLine } from '../../../lambdas/shared/text';
import type { UploadProgress } from '../../aws/drop';

export interface OutputOptions {
  json: boolean;
}

/** Text for a terminal: the writer's own line breaks kept, every other control character shown as an escape. */
export const terminalText = (text: string): string => text.split('\n').map(oneLine).join('\n');

export const progress = (line: string): void => {
  process.stderr.write(`${terminalText(line)}\n`);
};

export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  if (typeof v === 'object') return JSON.stringify(v);
  return oneLine(String(v));
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

/** `--format csv`: the one CSV writer (formula cells neutralised, full precision), for spreadsheets and scripts alike. */
export function csv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return toCsv(columns, rows);
}

export function print(opts: OutputOptions, human: string, machine: unknown): void {
  process.stdout.write(`${opts.json ? JSON.stringify(machine, null, 2) : terminalText(human)}\n`);
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A text bar: `[#########-----------]`. */
export function bar(fraction: number, width = 24): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

/**
 * Upload progress on stderr: on a terminal one line redrawn in place (at most ten times a second)
 * with the file and the overall bar; elsewhere (CI logs) one line per file, as the local drop does.
 */
export function uploadProgressUi(stream: NodeJS.WriteStream = process.stderr): {
  upload: (p: UploadProgress) => void;
  done: () => void;
} {
  let lastDraw = 0;
  let drawn = false;
  const announced = new Set<string>();
  return {
    upload(p) {
      if (!stream.isTTY) {
        if (!announced.has(p.key)) {
          announced.add(p.key);
          stream.write(`  ↑ [${p.index}/${p.files}] ${p.key} (${mib(p.fileTotal)})\n`);
        }
        return;
      }
      const now = Date.now();
      const finished = p.fileBytes === p.fileTotal;
      if (!finished && now - lastDraw < 100) return;
      lastDraw = now;
      const pct = p.total ? Math.floor((100 * p.bytes) / p.total) : 100;
      const name = p.key.length > 40 ? `…${p.key.slice(-39)}` : p.key;
      const line = `  ↑ ${bar(p.total ? p.bytes / p.total : 1)} ${String(pct).padStart(3)}% ${mib(p.bytes)}/${mib(p.total)}  [${p.index}/${p.files}] ${name}`;
      const cols = stream.columns || 120;
      stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length + 10))}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

/** Bytes in a human unit (binary, as Athena's console shows them). */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(2)} ${units[i]}`;
}

/** Where a workflow run executed (when it ran on Step Functions) and which notices it sent: the last lines of a run's summary. */
export function runTrailer(s: {
  dryRun: boolean;
  notices: readonly string[];
  executionArn?: string | undefined;
  consoleUrl?: string | undefined;
}): string[] {
  const lines = s.executionArn ? [`Execution: ${s.executionArn}`, `Console: ${s.consoleUrl ?? ''}`] : [];
  lines.push(`Notices: ${s.dryRun ? 'none (dry run)' : s.notices.length ? s.notices.join(' | ') : 'none'}`);
  return lines;
}
