/**
 * The report in a real headless Chromium (Debian's, through playwright-core): the charts must
 * render (SVG paths of real size, ink on the screenshot where each chart is), nothing may be
 * fetched from the network, and the PDF must be a real, multi-page PDF with the report's text.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latencyChart, markoutChart, venueShareChart } from '../../lambdas/core/package/charts';
import { renderReviewHtml } from '../../lambdas/core/package/report';
import { CHROMIUM_PATH, htmlToPdf, screenshot, withReportPage } from '../../lib/report/pdf';
import { fixture } from './fixtures';
import { decodePng, distinctColours, type Image, inkedPixels, pixel } from './png';

const haveChromium = existsSync(CHROMIUM_PATH);
if (!haveChromium)
  console.warn(`SKIPPED the headless Chromium report tests: ${CHROMIUM_PATH} is missing (apt-get install chromium, as .ci/run does)`);
const havePoppler = existsSync('/usr/bin/pdfinfo') && existsSync('/usr/bin/pdftotext');

/** Share of a chart's box that is inked when it has data; axes, labels and legend alone stay below it (measured ≤ 3 %). */
const INK_WITH_DATA = 0.05;

interface ChartBox {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  paths: number;
  drawnPaths: number;
}

interface ChartMeasure extends ChartBox {
  /** Inked share of the box on the screenshot. */
  ink: number;
  colours: number;
}

interface DomElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  getBBox(): { width: number; height: number };
}

/** Opens a page offline, measures each `figure.chart` SVG in the DOM and on a full-page screenshot. */
async function measureCharts(htmlPath: string, pngPath: string): Promise<{ charts: ChartMeasure[]; blocked: string[]; img: Image }> {
  const { boxes, blocked } = await withReportPage(
    htmlPath,
    async ({ page, blocked }) => {
      // Runs in the browser; typed with the few DOM members it uses (the project compiles without the DOM lib).
      const boxes = await page.$$eval('figure.chart', (figs) => {
        const win = globalThis as unknown as { scrollX: number; scrollY: number };
        return (figs as unknown as DomElement[]).map((f) => {
          const svg = f.querySelector('svg');
          const r = (svg ?? f).getBoundingClientRect();
          const paths = svg ? Array.from(svg.querySelectorAll('path')) : [];
          const drawnPaths = paths.filter((p) => {
            const b = p.getBBox();
            return b.width > 0 || b.height > 0;
          }).length;
          return {
            name: f.getAttribute('data-chart') ?? '',
            x: r.x + win.scrollX,
            y: r.y + win.scrollY,
            width: r.width,
            height: r.height,
            paths: paths.length,
            drawnPaths,
          };
        });
      });
      await page.screenshot({ path: pngPath, fullPage: true });
      return { boxes: boxes as ChartBox[], blocked };
    },
    { width: 900 },
  );
  const img = decodePng(readFileSync(pngPath));
  const charts = boxes.map((b) => ({ ...b, ink: inkedPixels(img, b) / (b.width * b.height), colours: distinctColours(img, b) }));
  return { charts, blocked, img };
}

describe.skipIf(!haveChromium)('report in headless Chromium', () => {
  let dir: string;
  let htmlPath: string;

  /** Screenshots per section are kept for a person to look at (CI uploads BESTEX_ARTIFACTS). */
  const artifacts = process.env.BESTEX_ARTIFACTS ?? join(tmpdir(), 'bestex-report-artifacts');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bestex-report-'));
    htmlPath = join(dir, 'report.html');
    writeFileSync(htmlPath, renderReviewHtml(fixture()));
    writeFileSync(join(dir, 'clean.html'), renderReviewHtml(fixture({ source: 'vendor-b' })));
    mkdirSync(artifacts, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes a known screenshot exactly (the pixel checks below rest on this decoder)', async () => {
    const page = join(dir, 'known.html');
    writeFileSync(
      page,
      '<html><body style="margin:0;background:#fff"><div style="position:absolute;left:10px;top:20px;width:30px;height:40px;background:rgb(200,30,60)"></div></body></html>',
    );
    const png = join(dir, 'known.png');
    await screenshot(page, png, { width: 200 });
    const img = decodePng(readFileSync(png));
    expect(img.width).toBe(200);
    expect(pixel(img, 25, 40)).toEqual([200, 30, 60, 255]);
    expect(pixel(img, 5, 5)).toEqual([255, 255, 255, 255]);
    // 30 × 40 red pixels and nothing else.
    expect(inkedPixels(img, { x: 0, y: 0, width: 200, height: img.height })).toBe(1200);
  });

  it('renders every chart with drawn SVG paths and ink on the screenshot, fetching nothing', async () => {
    const { charts, blocked, img } = await measureCharts(htmlPath, join(dir, 'report.png'));
    expect(blocked).toEqual([]);
    expect(charts.map((c) => c.name)).toEqual(['pi', 'speed', 'eq', 'limit-fill', 'security-pi', 'venue-share', 'markouts']);
    for (const c of charts) {
      expect(c.width, c.name).toBeGreaterThan(500);
      expect(c.height, c.name).toBeGreaterThan(120);
      expect(c.drawnPaths, c.name).toBeGreaterThanOrEqual(8);
      expect(c.ink, `${c.name}: share of the chart box inked`).toBeGreaterThan(INK_WITH_DATA);
      expect(c.colours, c.name).toBeGreaterThan(5);
    }
    // The page's left margin is blank: the ink count tells a drawing from empty space.
    expect(inkedPixels(img, { x: 0, y: 0, width: 40, height: img.height })).toBe(0);
  });

  it('tells a chart with data from one that drew only its axes (the check above can fail)', async () => {
    const page = join(dir, 'axes-only.html');
    const empty = [
      markoutChart([{ label: 'Market', values: [null, null, null, null, null] }]),
      latencyChart([{ label: 'Market', avg: null, median: null, p95: null }]),
      venueShareChart([{ venue: 'XNAS', share: 0, pfof: false }]),
    ];
    writeFileSync(
      page,
      `<html><body>${empty.map((svg, i) => `<figure class="chart" data-chart="c${i}">${svg}</figure>`).join('')}</body></html>`,
    );
    const { charts } = await measureCharts(page, join(dir, 'axes-only.png'));
    expect(charts).toHaveLength(3);
    for (const c of charts) expect(c.ink, c.name).toBeLessThan(INK_WITH_DATA);
  });

  it('takes a screenshot of every section, each with ink, for a person to look at', async () => {
    for (const [name, file] of [
      ['findings', htmlPath],
      ['clean', join(dir, 'clean.html')],
    ] as const) {
      const shots = await withReportPage(
        file,
        async ({ page }) => {
          const ids = await page.$$eval('header, section', (els) => (els as unknown as { id: string }[]).map((e) => e.id));
          const out: { id: string; path: string }[] = [];
          for (const id of ids) {
            const path = join(artifacts, `${name}-${id}.png`);
            await page.locator(`#${id}`).screenshot({ path });
            out.push({ id, path });
          }
          return out;
        },
        { width: 816 },
      );
      expect(shots.length).toBeGreaterThan(8);
      for (const s of shots) {
        const img = decodePng(readFileSync(s.path));
        expect(inkedPixels(img, { x: 0, y: 0, width: img.width, height: img.height }), s.id).toBeGreaterThan(200);
      }
    }
  });

  it('keeps every table and chart within the page width, on screen and in print', async () => {
    for (const media of ['screen', 'print'] as const) {
      const over = await withReportPage(
        htmlPath,
        async ({ page }) => {
          await page.emulateMedia({ media });
          return page.$$eval('main table, main figure.chart svg', (els) => {
            type El = {
              tagName: string;
              closest(s: string): El | null;
              getBoundingClientRect(): { left: number; right: number };
              scrollWidth: number;
              clientWidth: number;
              id?: string;
            };
            const main = (els[0] as unknown as El | undefined)?.closest('main');
            const edge = main?.getBoundingClientRect().right ?? 0;
            return (els as unknown as El[])
              .filter((e) => e.getBoundingClientRect().right > edge + 1)
              .map(
                (e) =>
                  `${e.tagName} in #${e.closest('section')?.id ?? '?'}: right ${Math.round(e.getBoundingClientRect().right)} > ${Math.round(edge)}`,
              );
          });
        },
        // Letter at 96 dpi: 816 px; the print margins leave about 725 px.
        { width: media === 'print' ? 725 : 816 },
      );
      expect(over, media).toEqual([]);
    }
  });

  it('puts the verdict sentences on page one of the PDF, and the clean router’s “clean” on its own', async () => {
    if (!havePoppler) return;
    for (const [file, expected] of [
      [
        htmlPath,
        [
          '2 findings for the committee',
          'costing customers $41,100',
          '−$0.00003/share against $0.0030/share',
          '176 ms against 91 ms',
          'Committee dashboard',
        ],
      ],
      [join(dir, 'clean.html'), ['vendor-b is clean', 'no finding']],
    ] as const) {
      const pdf = `${file}.pdf`;
      await htmlToPdf(file, pdf);
      const page1 = execFileSync('pdftotext', ['-f', '1', '-l', '1', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      for (const s of expected) expect(page1, s).toContain(s);
    }
  });

  it('prints a PDF of several pages with the report’s text', async () => {
    const pdf = join(dir, 'report.pdf');
    await htmlToPdf(htmlPath, pdf);
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (havePoppler) {
      const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
      const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
      expect(pages).toBeGreaterThanOrEqual(2);
      const txt = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      for (const s of [
        'Best-execution review 2026Q3',
        'Findings and what drives them',
        'Venue analysis',
        'Investigate <price improvement> shortfall',
      ]) {
        expect(txt).toContain(s);
      }
    } else {
      expect((bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length).toBeGreaterThanOrEqual(1);
    }
  });
});
