/**
 * Local-only rendering of the review report with Debian's Chromium through playwright-core: a PDF
 * for the committee's minutes and a PNG screenshot for checks. The Lambda renders HTML only (no
 * browser in the function); `bestex` produces the PDF on the machine that fetched the package.
 *
 * The browser is offline on purpose: every request other than the report file itself is aborted
 * and recorded, so a report that would reach the network fails its checks instead of leaking.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium package; BESTEX_CHROMIUM overrides it (another distribution, a CI image). */
export const CHROMIUM_PATH = process.env.BESTEX_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface RenderOptions {
  /** Chromium binary (default CHROMIUM_PATH). */
  executablePath?: string;
  /** Viewport width in CSS pixels for screenshots (default 900). */
  width?: number;
  /** Per-navigation timeout (default 60 s). */
  timeoutMs?: number;
}

export interface ReportPage {
  page: Page;
  /** URLs the report tried to load beyond its own file (all aborted). */
  blocked: string[];
}

/**
 * Opens a local HTML file in a fresh, offline headless Chromium (new profile directory, removed
 * afterwards), runs `fn` on the page and closes everything, even when `fn` throws.
 */
export async function withReportPage<T>(htmlPath: string, fn: (p: ReportPage) => Promise<T>, opts: RenderOptions = {}): Promise<T> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'bestex-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: opts.executablePath ?? CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: opts.width ?? 900, height: 1200 },
      offline: true,
    });
    const url = pathToFileURL(resolve(htmlPath)).href;
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      blocked.push(u);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url, { waitUntil: 'load', timeout: opts.timeoutMs ?? 60_000 });
    return await fn({ page, blocked });
  } finally {
    await context?.close().catch(() => undefined);
    await rm(userDataDir, { recursive: true, force: true });
  }
}

/** Prints the report to PDF (Letter, backgrounds on, the report's own @page margins). */
export async function htmlToPdf(htmlPath: string, pdfPath: string, opts: RenderOptions = {}): Promise<void> {
  await withReportPage(
    htmlPath,
    async ({ page }) => {
      await page.pdf({ path: pdfPath, format: 'Letter', printBackground: true, preferCSSPageSize: true });
    },
    opts,
  );
}

/** A full-page PNG of the report as a reader's browser shows it. */
export async function screenshot(htmlPath: string, pngPath: string, opts: RenderOptions = {}): Promise<void> {
  await withReportPage(
    htmlPath,
    async ({ page }) => {
      await page.screenshot({ path: pngPath, fullPage: true });
    },
    opts,
  );
}
