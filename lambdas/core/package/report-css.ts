/** The report's inline style sheet: plain system fonts, print-ready (Letter), no external resources. */
export const REPORT_CSS = `
@page { size: Letter; margin: 14mm 12mm; }
:root { --navy:#1f3a5f; --ink:#1d1d1f; --muted:#5f6368; --line:#d9dde3; --bg:#f5f7fa;
  --red:#b3261e; --red-bg:#fbe9e7; --amber:#8a5a00; --amber-bg:#fff4d6; --green:#2e7d32; --green-bg:#e8f5e9; --pfof:#d9822b; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #fff; color: var(--ink); font: 13px/1.45 "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; }
main { max-width: 760px; margin: 0 auto; padding: 24px 16px 40px; }
header { border-bottom: 3px solid var(--navy); padding-bottom: 12px; margin-bottom: 8px; }
.kicker { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; font-size: 11px; }
h1 { margin: 4px 0 12px; color: var(--navy); font-size: 24px; line-height: 1.2; }
h1 .source { white-space: nowrap; }
h2 { color: var(--navy); font-size: 17px; margin: 28px 0 6px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 16px 0 6px; }
section { break-inside: auto; }
.intro { color: var(--muted); margin: 4px 0 10px; }
.meta { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px 16px; margin: 0; }
.meta div, .figures div { min-width: 0; }
.meta dt, .figures dt { color: var(--muted); font-size: 11px; }
.meta dd, .figures dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px 16px; margin: 8px 0 12px; }
.verdict { padding: 10px 12px; border-radius: 4px; font-weight: 600; margin: 10px 0; }
.verdict.bad { background: var(--red-bg); color: var(--red); border-left: 4px solid var(--red); }
.verdict.good { background: var(--green-bg); color: var(--green); border-left: 4px solid var(--green); }
.verdict.warn { background: var(--amber-bg); color: var(--amber); border-left: 4px solid var(--amber); }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 10px 0; }
.card { border: 1px solid var(--line); border-top: 4px solid var(--muted); border-radius: 4px; padding: 8px 10px; background: var(--bg); break-inside: avoid; }
.card.breach { border-top-color: var(--red); } .card.pass { border-top-color: var(--green); }
.card.warn { border-top-color: var(--amber); } .card.info { border-top-color: var(--navy); }
.card-title { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.card-big { font-size: 24px; font-weight: 700; line-height: 1.2; }
.card.breach .card-big { color: var(--red); } .card.warn .card-big { color: var(--amber); }
.card-small { font-size: 11px; color: var(--muted); }
table { width: 100%; border-collapse: collapse; margin: 6px 0 12px; font-size: 11.5px; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { text-align: left; font-weight: 600; color: var(--muted); border-bottom: 2px solid var(--line); padding: 4px 6px; vertical-align: bottom; }
td { padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.num.wrap { white-space: normal; }
table.text td { white-space: normal; }
tr.total td { font-weight: 600; background: var(--bg); }
td.breach { color: var(--red); font-weight: 700; background: var(--red-bg); }
td.insufficient { color: var(--amber); background: var(--amber-bg); }
td.bench { color: var(--muted); white-space: normal; }
td.this { font-weight: 600; background: var(--bg); }
table.breaches tr.breach-row td { border-bottom: none; }
table.breaches tr.action-row td { background: var(--red-bg); padding-bottom: 8px; }
tr.pfof td:first-child { border-left: 4px solid var(--pfof); }
.badge { display: inline-block; padding: 1px 6px; border-radius: 3px; font-size: 10.5px; font-weight: 700; white-space: nowrap; }
.badge.breach { background: var(--red); color: #fff; } .badge.pass { background: var(--green-bg); color: var(--green); }
.badge.warn { background: var(--amber-bg); color: var(--amber); } .badge.muted { background: #eceff1; color: var(--muted); }
.badge.info { background: #e3ecf7; color: var(--navy); } .badge.pfof { background: var(--pfof); color: #fff; }
.security { break-inside: avoid; }
.security h3 { margin: 14px 0 2px; }
table.dash td:first-child { width: 28%; }
.legend-line { font-size: 11px; color: var(--muted); }
.legend-line .breach { color: var(--red); font-weight: 700; margin-right: 12px; }
.legend-line .insufficient { color: var(--amber); margin-right: 12px; }
figure.chart { margin: 10px 0 14px; break-inside: avoid; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 11px; color: var(--muted); margin-top: 2px; }
.empty { color: var(--muted); font-style: italic; }
ul.timeline { margin: 4px 0 0; padding-left: 14px; font-size: 10.5px; color: var(--muted); }
tr.worse td { background: var(--amber-bg); }
.note { font-size: 11px; color: var(--muted); }
.defs { font-size: 11.5px; color: var(--muted); padding-left: 18px; }
code { font-size: 11px; background: var(--bg); padding: 0 3px; border-radius: 2px; }
footer { margin-top: 28px; }
.small { font-size: 10.5px; color: var(--muted); }
@media print { main { max-width: none; padding: 0; } h2, h3 { break-after: avoid; } }
`;
