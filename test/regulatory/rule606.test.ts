import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secSpecPath } from '../../lambdas/core/regulatory/rule605';
import {
  buildRule606Report,
  renderRule606Xml,
  reportTimestamp,
  rule606XsdPath,
  type VenueRoutingRow,
  validateXml,
} from '../../lambdas/core/regulatory/rule606';
import { writeRule606 } from '../../lambdas/rule606/run';
import { toAthenaCsv } from '../../lambdas/shared/athena-csv';
import { periodRange } from '../../lambdas/shared/layout';
import { runRule606 } from '../../lib/cli/support/regulatory';
import { type Engine, openEngine } from '../../lib/engine';
import { sqlFiles } from '../../lib/sql-files';
import { startS3 } from '../ingest/s3';
import { enrichLake } from '../metrics/compare';
import { generate, SYMBOLS } from './gen';
import { type LakeRows, writeLake } from './lake';
import { type Category, plain606 } from './plain';

const FIRM = {
  name: 'Example   Securities\nLLC',
  rule606Version: '1.2' as const,
  materialAspects: { XNAS: 'Exchange member through the vendor; standard access fees & rebates.' },
  materialAspectsDefault: 'No arrangement beyond the posted fee schedule.',
};
const TYPES: Category[] = ['market', 'marketable_limit', 'non_marketable_limit', 'other'];

let dir: string;
let engine: Engine;
let rows: LakeRows;
let result: Awaited<ReturnType<typeof runRule606>>;
let xmlFile: string;

/** Values read back from the XML file by xmllint itself (an independent parser). */
const xpath = (expr: string): string => execFileSync('xmllint', ['--xpath', expr, xmlFile], { encoding: 'utf8' }).replace(/\n$/, '');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bestex-606-'));
  rows = generate({
    seed: 606,
    days: ['2026-06-30', '2026-07-01', '2026-07-02', '2026-08-03', '2026-08-04', '2026-09-01', '2026-10-01'],
    sources: ['acme-sor', 'bolt-sor'],
    symbols: SYMBOLS,
    ordersPerDay: 60,
    quoteStep: 2,
    minutes: 15,
  });
  // One venue record changes during the quarter: PFOF starts on 2026-08-01 at DRKP for acme-sor.
  rows.venues?.push({
    source: 'acme-sor',
    venue: 'DRKP',
    name: 'Dark Pool ATS',
    venue_type: 'ATS',
    approved: 'Y',
    pfof_per_share: 0.0005,
    fee_per_share: 0.001,
    rebate_per_share: 0,
    effective_from: '2026-08-01',
  });
  await writeLake(join(dir, 'lake'), rows);
  engine = await openEngine({ lakeDir: join(dir, 'lake') });
  await enrichLake(engine, join(dir, 'lake'), 10);
  result = await runRule606(engine, '2026Q3', { firm: FIRM, generatedAt: new Date('2026-10-05T11:00:00.500Z') });
  xmlFile = join(dir, 'report.xml');
  writeFileSync(xmlFile, result.xml);
});

afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Rule 606(a)(1) report from the lake', () => {
  it('validates against the SEC schema with xmllint', async () => {
    expect(result.errors).toEqual([]);
    expect(await validateXml(xmlFile, rule606XsdPath())).toEqual([]);
  });

  it('has the header elements of the SEC sample, the quarter of the period and three months', () => {
    expect(xpath('string(/heldOrderRoutingPublicReport/version)')).toBe('1.2');
    expect(xpath('string(/heldOrderRoutingPublicReport/bd)')).toBe('Example Securities LLC');
    expect(xpath('concat(/heldOrderRoutingPublicReport/year, "Q", /heldOrderRoutingPublicReport/qtr)')).toBe('2026Q3');
    expect(xpath('string(/heldOrderRoutingPublicReport/timestamp)')).toBe('2026-10-05T11:00:01Z');
    expect(xpath('count(//rMonthly)')).toBe('3');
    expect(xpath('concat(//rMonthly[1]/mon, ",", //rMonthly[2]/mon, ",", //rMonthly[3]/mon)')).toBe('7,8,9');
    expect(xpath('count(//rOptions)')).toBe('0');
    expect(result.xml).toContain(
      '<heldOrderRoutingPublicReport xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="oh-20191231.xsd">',
    );
  });

  it('agrees with a plain TypeScript computation: order-type and venue percentages, net payments in USD and cents per hundred shares', () => {
    const plain = plain606(rows, '2026-07-01', '2026-10-01', 10);
    let venuesChecked = 0;
    for (const [key, s] of plain) {
      const [ym, sp] = key.split('|') as [string, 'Y' | 'N'];
      const mon = Number(ym.split('-')[1]);
      const sec = `//rMonthly[mon=${mon}]/${sp === 'Y' ? 'rSP500' : 'rOtherStocks'}`;
      const close = (got: string, want: number | null, half: number, what: string): void => {
        if (want === null) expect(got, what).toBe('');
        else {
          expect(got, what).not.toBe('');
          expect(Math.abs(Number(got) - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(half + 1e-9);
        }
      };
      close(xpath(`string(${sec}/ndoPct)`), (100 * s.nd) / s.total, 0.005, `${key} ndoPct`);
      const ndo = xpath(
        `concat(${sec}/ndoMarketPct,'|',${sec}/ndoMarketableLimitPct,'|',${sec}/ndoNonmarketableLimitPct,'|',${sec}/ndoOtherPct)`,
      ).split('|');
      for (const [k, t] of TYPES.entries())
        close(ndo[k] as string, s.nd ? (100 * s.ndByType[t]) / s.nd : null, 0.005, `${key} ${t} % of non-directed`);
      expect(Number(xpath(`count(${sec}/rVenues/rVenue)`))).toBe(s.venues.size);
      for (const [mic, v] of s.venues) {
        const at = `${sec}/rVenues/rVenue[mic='${mic}']`;
        const got = xpath(
          `concat(${at}/orderPct,'|',${at}/marketPct,'|',${at}/marketableLimitPct,'|',${at}/nonMarketableLimitPct,'|',${at}/otherPct,'|',${at}/netPmtPaidRecvMarketOrdersUsd,'|',${at}/netPmtPaidRecvMarketOrdersCph,'|',${at}/netPmtPaidRecvMarketableLimitOrdersUsd,'|',${at}/netPmtPaidRecvMarketableLimitOrdersCph,'|',${at}/netPmtPaidRecvNonMarketableLimitOrdersUsd,'|',${at}/netPmtPaidRecvNonMarketableLimitOrdersCph,'|',${at}/netPmtPaidRecvOtherOrdersUsd,'|',${at}/netPmtPaidRecvOtherOrdersCph)`,
        ).split('|');
        const routed = TYPES.reduce((a, t) => a + v[t].orders.size, 0);
        close(got[0] as string, (100 * routed) / s.nd, 0.005, `${key} ${mic} orderPct`);
        TYPES.forEach((t, k) => {
          close(got[1 + k] as string, s.ndByType[t] ? (100 * v[t].orders.size) / s.ndByType[t] : null, 0.005, `${key} ${mic} ${t} %`);
          close(got[5 + 2 * k] as string, v[t].net, 0.005, `${key} ${mic} ${t} USD`);
          close(got[6 + 2 * k] as string, v[t].shares ? (v[t].net * 10_000) / v[t].shares : null, 0.00005, `${key} ${mic} ${t} cph`);
        });
        venuesChecked++;
      }
    }
    expect(venuesChecked).toBeGreaterThanOrEqual(20);
  });

  it('counts the whole quarter and nothing outside it, every section with orders present', () => {
    const plain = plain606(rows, '2026-07-01', '2026-10-01', 10);
    const total = [...plain.values()].reduce((a, s) => a + s.total, 0);
    const inXml = result.report.months.flatMap((m) => [m.sp500, m.other]).reduce((a, s) => a + (s?.totalOrders ?? 0), 0);
    expect(inXml).toBe(total);
    expect(total).toBe(
      (rows.orders ?? []).filter((o) => String(o.received_ts) >= '2026-07-01' && String(o.received_ts) < '2026-10-01').length,
    );
    expect(Number(xpath('count(//rSP500)')) + Number(xpath('count(//rOtherStocks)'))).toBe(plain.size);
  });

  it('names venues from the due-diligence record (whitespace collapsed, escaped) and writes the material aspects', () => {
    expect(xpath(`string((//rVenue[mic='WHSL']/name)[1])`)).toBe('Wholesale Market Maker & Co');
    expect(result.xml).toContain('<name>Wholesale Market Maker &amp; Co</name>');
    const xnas = xpath(`string((//rVenue[mic='XNAS']/materialAspects)[1])`);
    expect(xnas).toContain('Exchange member through the vendor; standard access fees & rebates.');
    expect(xnas).toContain(
      "Per acme-sor's venue record effective 2026-01-02: EXCHANGE, approved; payment for order flow $0.0000 per share routed",
    );
    expect(xpath(`string((//rVenue[mic='WHSL']/materialAspects)[1])`)).toContain(
      'No arrangement beyond the posted fee schedule. Per acme-sor',
    );
    // The DRKP record in force at the end of the quarter is the August one.
    expect(xpath(`string((//rVenue[mic='DRKP']/materialAspects)[1])`)).toContain(
      "acme-sor's venue record effective 2026-08-01: ATS, approved; payment for order flow $0.0005",
    );
  });

  it('renders a human-readable HTML version with every month and section', () => {
    expect(result.html).toContain('<h2>July 2026</h2>');
    expect(result.html).toContain('<h2>September 2026</h2>');
    expect(result.html).toContain('S&amp;P 500 Stocks');
    expect(result.html).toContain('Wholesale Market Maker &amp; Co (WHSL)');
    expect(result.html).not.toMatch(/<script/i);
  });
});

describe('xmllint validation is real', () => {
  it('accepts the SEC samples', async () => {
    expect(await validateXml(secSpecPath('606a1_held_order_public_report.xml'), rule606XsdPath())).toEqual([]);
    expect(await validateXml(secSpecPath('606a1_empty.xml'), rule606XsdPath())).toEqual([]);
  });

  it('rejects a percentage with one decimal, elements out of order and a fourth month, saying where', async () => {
    const bad = result.xml
      .replace(/<ndoPct>(\d+)\.(\d)\d<\/ndoPct>/, '<ndoPct>$1.$2</ndoPct>')
      .replace(/(<orderPct>[^<]*<\/orderPct>)\s*(<mic>[^<]*<\/mic>)/, '$2$1');
    const file = join(dir, 'bad.xml');
    writeFileSync(file, bad);
    const errors = await validateXml(file, rule606XsdPath());
    expect(errors.some((e) => /ndoPct/.test(e) && /bad\.xml:\d+/.test(e))).toBe(true);
    const four = result.xml.replace(
      '</heldOrderRoutingPublicReport>',
      '  <rMonthly><year>2026</year><mon>10</mon></rMonthly>\n</heldOrderRoutingPublicReport>',
    );
    writeFileSync(file, four);
    expect((await validateXml(file, rule606XsdPath())).join('\n')).toMatch(/rMonthly/);
    const noTool = await validateXml(file, join(dir, 'missing.xsd'));
    expect(noTool.length).toBeGreaterThan(0);
  });
});

describe('report assembly rules', () => {
  it('rounds the timestamp to the nearest second, halves up', () => {
    expect(reportTimestamp(new Date('2026-10-05T11:00:00.499Z'))).toBe('2026-10-05T11:00:00Z');
    expect(reportTimestamp(new Date('2026-10-05T11:00:00.500Z'))).toBe('2026-10-05T11:00:01Z');
    expect(reportTimestamp(new Date('2026-12-31T23:59:59.700Z'))).toBe('2027-01-01T00:00:00Z');
  });

  it('lists the ten venues with the most non-directed orders and any other with 5 % or more, by orders routed', () => {
    // 13 venues in July, S&P 500, market orders only: 100 non-directed orders in all.
    const counts = [30, 12, 9, 8, 7, 6, 6, 5, 5, 4, 3, 3, 2];
    const venues: VenueRoutingRow[] = counts.map((n, i) => ({
      year: 2026,
      mon: 7,
      sp500: 'Y',
      order_type: 'market',
      venue: `V${String(i).padStart(3, '0')}`,
      orders_routed: n,
      shares_routed: n * 100,
      pfof_usd: 0,
      rebate_usd: 0,
      fee_usd: 0,
      net_usd: 0,
      executed_shares: 0,
    }));
    const report = buildRule606Report(
      { orders: [{ year: 2026, mon: 7, sp500: 'Y', order_type: 'market', directed: 'N', orders: 100, shares: 10_000 }], venues, terms: [] },
      { period: '2026Q3', firm: FIRM, generatedAt: new Date('2026-10-01T00:00:00Z') },
    );
    const listed = report.months[0]?.sp500?.venues.map((v) => `${v.mic}:${v.ordersRouted}`);
    expect(listed).toEqual(['V000:30', 'V001:12', 'V002:9', 'V003:8', 'V004:7', 'V005:6', 'V006:6', 'V007:5', 'V008:5', 'V009:4']);
    expect(report.months[0]?.sp500?.otherVenues).toBe(3);
    // With a 3 % cut the two 3 % venues beyond the ten are listed too.
    const wider = buildRule606Report(
      { orders: [{ year: 2026, mon: 7, sp500: 'Y', order_type: 'market', directed: 'N', orders: 100, shares: 10_000 }], venues, terms: [] },
      { period: '2026Q3', firm: FIRM, generatedAt: new Date('2026-10-01T00:00:00Z'), minVenuePct: 3 },
    );
    expect(wider.months[0]?.sp500?.venues).toHaveLength(12);
    // Empty months are written with year and month only, as in the SEC's empty sample.
    expect(renderRule606Xml(report)).toContain('<rMonthly>\n    <year>2026</year>\n    <mon>8</mon>\n  </rMonthly>');
    const sample = readFileSync(secSpecPath('606a1_empty.xml'), 'utf8');
    expect(sample).toMatch(/<rMonthly>\s*<year>2020<\/year>\s*<mon>3<\/mon>\s*<\/rMonthly>/);
  });
});

describe('the quarterly workflow’s Rule 606 step (Athena result CSVs → XML in the results bucket)', () => {
  it('stores exactly the report the local path builds, valid against the SEC schema', async () => {
    const s3 = await startS3();
    try {
      // What the RunRule606Queries Map leaves behind on AWS: one Athena-format CSV per sql/rule606 file.
      const { start, end } = periodRange('2026Q3');
      const params = ["'2026Q3'", `'${start}'`, `'${end}'`, '10'];
      const rule606Results = [];
      for (const f of sqlFiles('rule606')) {
        const r = await engine.query(f.sql, params);
        const key = `results/${f.name}.csv`;
        await s3.s3.send(
          new PutObjectCommand({
            Bucket: s3.buckets.athena,
            Key: key,
            Body: toAthenaCsv(
              r.columns,
              r.rows.map((x) => r.columns.map((c) => x[c])),
            ),
          }),
        );
        rule606Results.push({ name: f.name, result: { outputLocation: `s3://${s3.buckets.athena}/${key}` } });
      }
      const out = await writeRule606(
        { period: '2026Q3', dryRun: false, rule606Results },
        { s3: s3.s3, resultsBucket: s3.buckets.results, firm: FIRM, now: new Date('2026-10-05T11:00:00.500Z') },
      );
      expect(out.keys).toEqual(['regulatory/rule606/2026Q3/rule606-2026Q3.xml', 'regulatory/rule606/2026Q3/rule606-2026Q3.html']);
      const stored = await s3.get('results', 'regulatory/rule606/2026Q3/rule606-2026Q3.xml');
      expect(stored).toBe(result.xml);
      const file = join(dir, 'from-athena.xml');
      writeFileSync(file, stored as string);
      expect(await validateXml(file, rule606XsdPath())).toEqual([]);
    } finally {
      await s3.stop();
    }
  });
});
