/**
 * The day's short HTML exception report: counts by kind and source, the worst cases, and every
 * exception (up to a cap; the CSV beside it has them all). Self-contained: inline CSS, no script.
 */
import { EXCEPTION_KINDS, SEVERITIES } from '../../shared/metrics';
import { countExceptions, describeValue, type ExceptionRow, sortExceptions, worstCases } from './exceptions';

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export interface ExceptionsHtmlOptions {
  /** Rows listed in full before the report points to the CSV (default 500). */
  maxRows?: number;
  /** Worst cases shown at the top (default 10). */
  worstCases?: number;
  /** Name of the CSV beside the report. */
  csvName?: string;
  /** When the report was produced (ISO); shown in the footer. */
  generatedAt?: string;
  /** Due-diligence reminder lines to show, if any. */
  reminders?: readonly string[];
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right}.high{color:#a00;font-weight:600}.medium{color:#a60}.low{color:#555}
.ok{color:#070}footer{margin-top:2em;color:#777;font-size:.85em}`;

const cell = (s: string | null, cls?: string): string => `<td${cls ? ` class="${cls}"` : ''}>${s === null ? '' : escapeHtml(s)}</td>`;

function rowHtml(r: ExceptionRow): string {
  return `<tr>${cell(r.severity, r.severity)}${cell(r.kind)}${cell(r.source)}${cell(r.order_id)}${cell(r.exec_id)}${cell(r.symbol)}${cell(r.venue)}${cell(describeValue(r))}${cell(r.detail)}</tr>`;
}

const HEAD =
  '<tr><th>severity</th><th>kind</th><th>source</th><th>order</th><th>execution</th><th>symbol</th><th>venue</th><th>value</th><th>detail</th></tr>';

/** The report for one trade date. */
export function renderExceptionsHtml(date: string, rows: readonly ExceptionRow[], opts: ExceptionsHtmlOptions = {}): string {
  const maxRows = opts.maxRows ?? 500;
  const counts = countExceptions(rows);
  const sources = [...new Set(rows.map((r) => r.source))].sort();
  const kinds = EXCEPTION_KINDS.filter((k) => counts.some((c) => c.kind === k));
  const n = (k: string, s: string): number => counts.find((c) => c.kind === k && c.source === s)?.n ?? 0;
  const bySeverity = SEVERITIES.slice()
    .reverse()
    .map((s) => `<span class="${s}">${rows.filter((r) => r.severity === s).length} ${s}</span>`)
    .join(', ');
  const parts = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>Execution exceptions ${escapeHtml(date)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>Execution exceptions, trade date ${escapeHtml(date)}</h1>`,
  ];
  if (rows.length === 0) {
    parts.push(
      '<p class="ok">No exceptions: every check (slow fills, unapproved venues, executions outside the NBBO, unfilled marketable orders, orphans, vendor NBBO mismatches) came back clean.</p>',
    );
  } else {
    parts.push(`<p>${rows.length} exceptions: ${bySeverity}.</p>`, '<h2>By kind and source</h2>', '<table>');
    parts.push(`<tr><th>kind</th>${sources.map((s) => `<th>${escapeHtml(s)}</th>`).join('')}<th>total</th></tr>`);
    for (const k of kinds) {
      const total = sources.reduce((a, s) => a + n(k, s), 0);
      parts.push(`<tr><td>${k}</td>${sources.map((s) => `<td class="n">${n(k, s)}</td>`).join('')}<td class="n">${total}</td></tr>`);
    }
    parts.push('</table>', `<h2>Worst cases</h2><table>${HEAD}`, ...worstCases(rows, opts.worstCases ?? 10).map(rowHtml), '</table>');
    const sorted = sortExceptions(rows);
    parts.push(`<h2>All exceptions</h2><table>${HEAD}`, ...sorted.slice(0, maxRows).map(rowHtml), '</table>');
    if (sorted.length > maxRows) {
      parts.push(`<p>${sorted.length - maxRows} more in ${escapeHtml(opts.csvName ?? 'exceptions.csv')}.</p>`);
    }
  }
  if (opts.reminders && opts.reminders.length > 0) {
    parts.push('<h2>Due-diligence reminders</h2><ul>', ...opts.reminders.map((l) => `<li>${escapeHtml(l)}</li>`), '</ul>');
  }
  parts.push(
    `<footer>Definitions: docs/exceptions.md. Every exception is in ${escapeHtml(opts.csvName ?? 'exceptions.csv')}.${
      opts.generatedAt ? ` Generated ${escapeHtml(opts.generatedAt)}.` : ''
    }</footer>`,
    '</body></html>',
  );
  return `${parts.join('\n')}\n`;
}
