/**
 * Rule 606(a)(1) quarterly order routing report: per calendar month, for S&P 500 stocks and other
 * stocks, the non-directed order percentages by order type, the venues (the ten that received the
 * most non-directed orders and any that received 5 % or more) with their percentages by order
 * type and the net payment paid/received per order type in USD and cents per hundred shares, and
 * the material aspects of each venue relationship. Written as XML exactly per the SEC's schema
 * (oh-20191231.xsd: element order, 2-decimal percentages, 4-decimal cents per hundred shares,
 * empty = not meaningful), validated with xmllint, and rendered as HTML for people.
 * The figures come from sql/rule606/*.sql; this module only assembles and writes them.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import type { Firm } from '../../shared/config';
import { periodRange } from '../../shared/layout';
import { ORDER_CATEGORIES, type OrderCategory } from '../../shared/metrics';
import { roundHalfUp } from './decimal';
import { secSpecPath } from './rule605';

/** sql/rule606/orders.sql */
export interface OrderCountRow {
  year: number;
  mon: number;
  sp500: 'Y' | 'N';
  order_type: OrderCategory;
  directed: 'Y' | 'N';
  orders: number;
  shares: number;
}

/** sql/rule606/venues.sql */
export interface VenueRoutingRow {
  year: number;
  mon: number;
  sp500: 'Y' | 'N';
  order_type: OrderCategory;
  venue: string;
  orders_routed: number;
  shares_routed: number;
  pfof_usd: number;
  rebate_usd: number;
  fee_usd: number;
  net_usd: number;
  executed_shares: number;
}

/** sql/rule606/venue_terms.sql */
export interface VenueTermsRow {
  source: string;
  venue: string;
  name: string | null;
  venue_type: string | null;
  approved: string | null;
  pfof_per_share: number;
  fee_per_share: number;
  rebate_per_share: number;
  effective_from: string;
}

export interface Rule606Input {
  orders: OrderCountRow[];
  venues: VenueRoutingRow[];
  terms: VenueTermsRow[];
}

/** One venue line of a section; percentages 0-100, null = not meaningful (no such orders). */
export interface VenueLine {
  mic: string;
  name: string | null;
  ordersRouted: number;
  orderPct: number | null;
  pct: Record<OrderCategory, number | null>;
  netUsd: Record<OrderCategory, number>;
  /** Cents per hundred shares routed; null when none were routed. */
  netCph: Record<OrderCategory, number | null>;
  sharesRouted: Record<OrderCategory, number>;
  materialAspects: string;
}

export interface Section {
  totalOrders: number;
  nonDirectedOrders: number;
  ndoPct: number | null;
  /** Non-directed orders by type, and each type's % of non-directed orders. */
  ndoByType: Record<OrderCategory, number>;
  ndoPctByType: Record<OrderCategory, number | null>;
  venues: VenueLine[];
  /** Venues routed to but below the listing cut (not in the XML; shown in the HTML). */
  otherVenues: number;
}

export interface MonthReport {
  year: number;
  mon: number;
  sp500: Section | null;
  other: Section | null;
}

export interface Rule606Report {
  period: string;
  year: number;
  qtr: number;
  bd: string;
  version: string;
  /** UTC, rounded to the second: YYYY-MM-DDThh:mm:ssZ. */
  timestamp: string;
  months: MonthReport[];
}

const num = (v: unknown): number => {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
};
const strOrNull = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const lower = (r: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));
const isCategory = (s: string): s is OrderCategory => (ORDER_CATEGORIES as readonly string[]).includes(s);

export type Parsed<T> = { ok: true; rows: T[] } | { ok: false; error: string };

function category(v: unknown, where: string, i: number): OrderCategory | string {
  const s = String(v ?? '');
  return isCategory(s) ? s : `${where}, row ${i + 1}: order_type "${s}" is not one of ${ORDER_CATEGORIES.join(', ')}`;
}

/**
 * Rows of one sql/rule606 file (engine rows or Athena CSV objects): each row's month, S&P 500 flag
 * and order category, checked, plus what `fields` reads of the rest.
 */
function monthCategoryRows<T>(
  input: readonly Record<string, unknown>[],
  where: string,
  fields: (r: Record<string, unknown>) => Omit<T, 'year' | 'mon' | 'sp500' | 'order_type'>,
): Parsed<T> {
  const rows: T[] = [];
  for (const [i, raw] of input.entries()) {
    const r = lower(raw);
    const t = category(r.order_type, where, i);
    if (!isCategory(t)) return { ok: false, error: t };
    rows.push({ year: num(r.year), mon: num(r.mon), sp500: r.sp500 === 'Y' ? 'Y' : 'N', order_type: t, ...fields(r) } as T);
  }
  return { ok: true, rows };
}

/** Rows of sql/rule606/orders.sql. */
function toOrderCountRows(input: readonly Record<string, unknown>[], where = 'sql/rule606/orders.sql'): Parsed<OrderCountRow> {
  return monthCategoryRows<OrderCountRow>(input, where, (r) => ({
    directed: r.directed === 'Y' ? 'Y' : 'N',
    orders: num(r.orders),
    shares: num(r.shares),
  }));
}

/** Rows of sql/rule606/venues.sql. */
function toVenueRoutingRows(input: readonly Record<string, unknown>[], where = 'sql/rule606/venues.sql'): Parsed<VenueRoutingRow> {
  return monthCategoryRows<VenueRoutingRow>(input, where, (r) => ({
    venue: String(r.venue ?? ''),
    orders_routed: num(r.orders_routed),
    shares_routed: num(r.shares_routed),
    pfof_usd: num(r.pfof_usd),
    rebate_usd: num(r.rebate_usd),
    fee_usd: num(r.fee_usd),
    net_usd: num(r.net_usd),
    executed_shares: num(r.executed_shares),
  }));
}

/**
 * Where the rows of each sql/rule606 query come from: the port the runtimes fill in (the Rule606
 * step reads Athena's result CSVs from S3; `bestex report` runs the files on its target's engine).
 */
export type Rule606Rows = (name: 'orders' | 'venues' | 'venue_terms') => Promise<Record<string, unknown>[]>;

/** The report's three inputs from the query results, checked. */
export async function rule606Input(rows: Rule606Rows): Promise<Rule606Input> {
  const orders = toOrderCountRows(await rows('orders'));
  if (!orders.ok) throw new Error(orders.error);
  const venues = toVenueRoutingRows(await rows('venues'));
  if (!venues.ok) throw new Error(venues.error);
  return { orders: orders.rows, venues: venues.rows, terms: toVenueTermsRows(await rows('venue_terms')) };
}

/** Rows of sql/rule606/venue_terms.sql. */
function toVenueTermsRows(input: readonly Record<string, unknown>[]): VenueTermsRow[] {
  return input.map((raw) => {
    const r = lower(raw);
    return {
      source: String(r.source ?? ''),
      venue: String(r.venue ?? ''),
      name: strOrNull(r.name),
      venue_type: strOrNull(r.venue_type),
      approved: strOrNull(r.approved),
      pfof_per_share: num(r.pfof_per_share),
      fee_per_share: num(r.fee_per_share),
      rebate_per_share: num(r.rebate_per_share),
      effective_from: String(r.effective_from ?? '').slice(0, 10),
    };
  });
}

const pct = (part: number, whole: number): number | null => (whole > 0 ? (100 * part) / whole : null);
const byType = <T>(f: (t: OrderCategory) => T): Record<OrderCategory, T> =>
  Object.fromEntries(ORDER_CATEGORIES.map((t) => [t, f(t)])) as Record<OrderCategory, T>;

/** Collapses whitespace and cuts to the schema's 80 characters. */
export const venueName = (s: string): string => s.replace(/\s+/g, ' ').trim().slice(0, 80).trim();

const usd4 = (x: number): string => `$${roundHalfUp(x, 4)}`;

/** The factual part of the material-aspects text, from the sources' due-diligence records, plus the firm's own text. */
export function materialAspectsText(
  mic: string,
  terms: readonly VenueTermsRow[],
  firm: Pick<Firm, 'materialAspects' | 'materialAspectsDefault'>,
): string {
  const facts = terms
    .filter((t) => t.venue === mic)
    .sort((a, b) => a.source.localeCompare(b.source))
    .map(
      (t) =>
        `Per ${t.source}'s venue record effective ${t.effective_from}: ${t.venue_type ?? 'venue type not stated'}, ${t.approved === 'Y' ? 'approved' : 'not approved'}; payment for order flow ${usd4(t.pfof_per_share)} per share routed; access fee ${usd4(t.fee_per_share)} and rebate ${usd4(t.rebate_per_share)} per share executed.`,
    );
  const own = firm.materialAspects?.[mic] ?? firm.materialAspectsDefault;
  const text = [...(own ? [own] : []), ...facts].join(' ');
  return text || 'No payment for order flow, profit-sharing, fee or rebate arrangement is recorded for this venue.';
}

export interface BuildOptions {
  period: string;
  firm: Pick<Firm, 'name' | 'rule606Version' | 'materialAspects' | 'materialAspectsDefault'>;
  generatedAt: Date;
  /** Venues listed per section by orders received (the rule's ten). */
  topVenues?: number;
  /** Any venue with at least this % of the section's non-directed orders is listed too (the rule's 5). */
  minVenuePct?: number;
}

/** The UTC timestamp rounded to the nearest second, half seconds up, as the schema asks. */
export function reportTimestamp(d: Date): string {
  const ms = d.getTime();
  return new Date(Math.floor((ms + 500) / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function section(year: number, mon: number, sp: 'Y' | 'N', input: Rule606Input, opts: BuildOptions): Section | null {
  const orders = input.orders.filter((r) => r.year === year && r.mon === mon && r.sp500 === sp);
  const totalOrders = orders.reduce((a, r) => a + r.orders, 0);
  if (totalOrders === 0) return null;
  const nd = orders.filter((r) => r.directed === 'N');
  const ndoByType = byType((t) => nd.filter((r) => r.order_type === t).reduce((a, r) => a + r.orders, 0));
  const nonDirectedOrders = ORDER_CATEGORIES.reduce((a, t) => a + ndoByType[t], 0);
  const rows = input.venues.filter((r) => r.year === year && r.mon === mon && r.sp500 === sp);
  const mics = [...new Set(rows.map((r) => r.venue))];
  const lines: VenueLine[] = mics.map((mic) => {
    const v = rows.filter((r) => r.venue === mic);
    const of = (t: OrderCategory): VenueRoutingRow[] => v.filter((r) => r.order_type === t);
    const routed = byType((t) => of(t).reduce((a, r) => a + r.orders_routed, 0));
    const shares = byType((t) => of(t).reduce((a, r) => a + r.shares_routed, 0));
    const net = byType((t) => of(t).reduce((a, r) => a + r.net_usd, 0));
    const ordersRouted = ORDER_CATEGORIES.reduce((a, t) => a + routed[t], 0);
    const named = input.terms
      .filter((t) => t.venue === mic && t.name)
      .sort((a, b) => b.effective_from.localeCompare(a.effective_from) || a.source.localeCompare(b.source));
    return {
      mic,
      name: named[0]?.name ? venueName(named[0].name) || null : null,
      ordersRouted,
      orderPct: pct(ordersRouted, nonDirectedOrders),
      pct: byType((t) => pct(routed[t], ndoByType[t])),
      netUsd: net,
      netCph: byType((t) => (shares[t] > 0 ? (net[t] * 10_000) / shares[t] : null)),
      sharesRouted: shares,
      materialAspects: materialAspectsText(mic, input.terms, opts.firm),
    };
  });
  lines.sort((a, b) => b.ordersRouted - a.ordersRouted || a.mic.localeCompare(b.mic));
  const top = opts.topVenues ?? 10;
  const cut = opts.minVenuePct ?? 5;
  const listed = lines.filter((l, i) => l.ordersRouted > 0 && (i < top || (l.orderPct ?? 0) >= cut));
  return {
    totalOrders,
    nonDirectedOrders,
    ndoPct: pct(nonDirectedOrders, totalOrders),
    ndoByType,
    ndoPctByType: byType((t) => pct(ndoByType[t], nonDirectedOrders)),
    venues: listed,
    otherVenues: lines.length - listed.length,
  };
}

/** The report's content for a quarter (or a single month). */
export function buildRule606Report(input: Rule606Input, opts: BuildOptions): Rule606Report {
  const { start, end } = periodRange(opts.period);
  const months: { year: number; mon: number }[] = [];
  for (let d = new Date(`${start}T00:00:00Z`); d.toISOString().slice(0, 10) < end; d.setUTCMonth(d.getUTCMonth() + 1)) {
    months.push({ year: d.getUTCFullYear(), mon: d.getUTCMonth() + 1 });
  }
  const last = months[months.length - 1] as { year: number; mon: number };
  return {
    period: opts.period,
    year: last.year,
    qtr: Math.floor((last.mon - 1) / 3) + 1,
    bd: venueName(opts.firm.name),
    version: opts.firm.rule606Version ?? '1.2',
    timestamp: reportTimestamp(opts.generatedAt),
    months: months.map(({ year, mon }) => ({
      year,
      mon,
      sp500: section(year, mon, 'Y', input, opts),
      other: section(year, mon, 'N', input, opts),
    })),
  };
}

export const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** PctType: 0-100 with two decimals; empty = not meaningful. */
export const pctField = (x: number | null): string => (x === null ? '' : roundHalfUp(x, 2));
/** UsdType: dollars and cents. */
export const usdField = (x: number): string => roundHalfUp(x, 2);
/** CphType: at least four decimals; empty = not meaningful. */
export const cphField = (x: number | null): string => (x === null ? '' : roundHalfUp(x, 4));

const TYPE_ELEMENT: Record<OrderCategory, { pct: string; ndo: string; net: string }> = {
  market: { pct: 'marketPct', ndo: 'ndoMarketPct', net: 'MarketOrders' },
  marketable_limit: { pct: 'marketableLimitPct', ndo: 'ndoMarketableLimitPct', net: 'MarketableLimitOrders' },
  non_marketable_limit: { pct: 'nonMarketableLimitPct', ndo: 'ndoNonmarketableLimitPct', net: 'NonMarketableLimitOrders' },
  other: { pct: 'otherPct', ndo: 'ndoOtherPct', net: 'OtherOrders' },
};

function sectionXml(tag: 'rSP500' | 'rOtherStocks', s: Section, indent: string): string[] {
  const i1 = `${indent}  `;
  const i2 = `${i1}  `;
  const i3 = `${i2}  `;
  const el = (pad: string, name: string, value: string): string => `${pad}<${name}>${xmlEscape(value)}</${name}>`;
  const out = [`${indent}<${tag}>`, el(i1, 'ndoPct', pctField(s.ndoPct))];
  for (const t of ORDER_CATEGORIES) out.push(el(i1, TYPE_ELEMENT[t].ndo, pctField(s.ndoPctByType[t])));
  out.push(`${i1}<rVenues>`);
  for (const v of s.venues) {
    out.push(`${i2}<rVenue>`);
    if (v.name) out.push(el(i3, 'name', v.name));
    out.push(el(i3, 'mic', v.mic), el(i3, 'orderPct', pctField(v.orderPct)));
    for (const t of ORDER_CATEGORIES) out.push(el(i3, TYPE_ELEMENT[t].pct, pctField(v.pct[t])));
    for (const t of ORDER_CATEGORIES) {
      out.push(
        el(i3, `netPmtPaidRecv${TYPE_ELEMENT[t].net}Usd`, usdField(v.netUsd[t])),
        el(i3, `netPmtPaidRecv${TYPE_ELEMENT[t].net}Cph`, cphField(v.netCph[t])),
      );
    }
    out.push(el(i3, 'materialAspects', v.materialAspects), `${i2}</rVenue>`);
  }
  out.push(`${i1}</rVenues>`, `${indent}</${tag}>`);
  return out;
}

/** The XML document, element for element in the schema's order. */
export function renderRule606Xml(r: Rule606Report): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<heldOrderRoutingPublicReport xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="oh-20191231.xsd">',
    `  <version>${r.version}</version>`,
    `  <bd>${xmlEscape(r.bd)}</bd>`,
    `  <year>${r.year}</year>`,
    `  <qtr>${r.qtr}</qtr>`,
    `  <timestamp>${r.timestamp}</timestamp>`,
  ];
  for (const m of r.months) {
    out.push('  <rMonthly>', `    <year>${m.year}</year>`, `    <mon>${m.mon}</mon>`);
    if (m.sp500) out.push(...sectionXml('rSP500', m.sp500, '    '));
    if (m.other) out.push(...sectionXml('rOtherStocks', m.other, '    '));
    out.push('  </rMonthly>');
  }
  out.push('</heldOrderRoutingPublicReport>');
  return `${out.join('\n')}\n`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const TYPE_LABEL: Record<OrderCategory, string> = {
  market: 'Market Orders',
  marketable_limit: 'Marketable Limit Orders',
  non_marketable_limit: 'Non-Marketable Limit Orders',
  other: 'Other Orders',
};
const h = xmlEscape;
const show = (s: string): string => (s === '' ? '&ndash;' : s);

function sectionHtml(title: string, s: Section | null): string[] {
  if (!s) return [`<h3>${title}</h3>`, '<p>No orders.</p>'];
  const out = [
    `<h3>${title}</h3>`,
    '<table><tr><th>Non-Directed Orders as % of All Orders</th>',
    ...ORDER_CATEGORIES.map((t) => `<th>${TYPE_LABEL[t]} as % of Non-Directed Orders</th>`),
    '</tr><tr>',
    `<td class="n">${show(pctField(s.ndoPct))}</td>`,
    ...ORDER_CATEGORIES.map((t) => `<td class="n">${show(pctField(s.ndoPctByType[t]))}</td>`),
    '</tr></table>',
    '<table><tr><th>Venue</th><th>Non-Directed Orders (%)</th>',
    ...ORDER_CATEGORIES.map((t) => `<th>${TYPE_LABEL[t]} (%)</th>`),
    ...ORDER_CATEGORIES.map(
      (t) =>
        `<th>Net Payment Paid/Received for ${TYPE_LABEL[t]} (USD)</th><th>Net Payment Paid/Received for ${TYPE_LABEL[t]} (cents per hundred shares)</th>`,
    ),
    '</tr>',
  ];
  for (const v of s.venues) {
    out.push(
      `<tr><td>${h(v.name ? `${v.name} (${v.mic})` : v.mic)}</td><td class="n">${show(pctField(v.orderPct))}</td>`,
      ...ORDER_CATEGORIES.map((t) => `<td class="n">${show(pctField(v.pct[t]))}</td>`),
      ...ORDER_CATEGORIES.map((t) => `<td class="n">${usdField(v.netUsd[t])}</td><td class="n">${show(cphField(v.netCph[t]))}</td>`),
      '</tr>',
    );
  }
  out.push('</table>');
  if (s.otherVenues > 0)
    out.push(`<p>${s.otherVenues} other venue(s) received non-directed orders below the rule's listing threshold.</p>`);
  out.push('<h4>Material Aspects</h4><dl>');
  for (const v of s.venues) out.push(`<dt>${h(v.name ?? v.mic)} (${h(v.mic)})</dt><dd>${h(v.materialAspects)}</dd>`);
  out.push('</dl>');
  return out;
}

/** A human-readable rendering in the layout of the SEC's Rule 606 report. */
export function renderRule606Html(r: Rule606Report): string {
  const css =
    'body{font:13px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:.25em .5em;vertical-align:top}th{background:#f3f3f3;font-weight:600;font-size:.9em}td.n{text-align:right}h2{margin-top:2em}dd{margin:0 0 .6em 1.5em}';
  const out = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${h(r.bd)} - Held NMS Stocks and Options Order Routing Public Report - ${r.year} Q${r.qtr}</title>`,
    `<style>${css}</style></head><body>`,
    `<h1>${h(r.bd)} - Held NMS Stocks and Options Order Routing Public Report</h1>`,
    `<p>Generated on ${r.timestamp} (UTC). ${r.year}, ${r.qtr}${['st', 'nd', 'rd', 'th'][r.qtr - 1]} Quarter. Rule 606(a)(1) of Regulation NMS; net payments are positive when received by the firm, negative when paid.</p>`,
  ];
  for (const m of r.months) {
    out.push(
      `<h2>${MONTHS[m.mon - 1]} ${m.year}</h2>`,
      ...sectionHtml('S&amp;P 500 Stocks', m.sp500),
      ...sectionHtml('Non-S&amp;P 500 Stocks', m.other),
    );
  }
  out.push('</body></html>');
  return `${out.join('\n')}\n`;
}

/** The SEC's schema for Rule 606 reports. */
export const rule606XsdPath = (): string => secSpecPath('oh-20191231.xsd');

/**
 * Validates XML text against an XSD with libxml2 compiled to WebAssembly (xmllint-wasm): the same
 * validator on a laptop, in CI and inside Lambda, which has no xmllint binary. Returns the schema
 * errors as xmllint prints them (`<file>:<line>: …`), [] when the document validates; an
 * unreadable schema is an error, not a throw.
 */
export async function validateXmlText(xml: string, xsdPath: string, fileName = 'report.xml'): Promise<string[]> {
  let schema: string;
  try {
    schema = readFileSync(xsdPath, 'utf8');
  } catch (e) {
    return [`cannot read the schema ${xsdPath}: ${(e as Error).message}`];
  }
  const r = await validateXML({ xml: { fileName, contents: xml }, schema: { fileName: basename(xsdPath), contents: schema } });
  if (r.valid) return [];
  const errors = r.errors.map((e) => e.rawMessage.trim()).filter((l) => l !== '');
  return errors.length ? errors : [`${fileName} does not validate against ${basename(xsdPath)} (no message)`];
}

/** As validateXmlText, for a file. */
export function validateXml(xmlPath: string, xsdPath: string): Promise<string[]> {
  return validateXmlText(readFileSync(xmlPath, 'utf8'), xsdPath, basename(xmlPath));
}

export interface Rule606Options {
  firm: Pick<Firm, 'name' | 'rule606Version' | 'materialAspects' | 'materialAspectsDefault'>;
  /** config/bestex.json ingest.maxQuoteAgeSeconds (default 10). */
  maxQuoteAgeSeconds?: number;
  /** Report generation time (default now). */
  generatedAt?: Date;
  /** XSD to validate against (default rule606XsdPath()); false skips validation. */
  xsdPath?: string | false;
  topVenues?: number;
  minVenuePct?: number;
}
