/**
 * The committee's PDF of each HTML report in a fetched package, printed by a local headless
 * Chromium (the Lambda has no browser). Without Chromium the HTML stays the report and the CLI
 * says how to get the PDF.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface PdfResult {
  pdfs: string[];
  /** Why no PDF was made, when none was. */
  skipped?: string;
}

const chromiumPath = (): string => process.env.BESTEX_CHROMIUM ?? '/usr/bin/chromium';

/** Renders `<name>.pdf` beside every `<name>.html` under `dir`. */
export async function renderPdfs(dir: string, log: (line: string) => void): Promise<PdfResult> {
  if (!existsSync(dir)) return { pdfs: [] };
  const htmls = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((f) => join(dir, f));
  return renderPdfFiles(htmls, log);
}

/** Renders `<name>.pdf` beside each `<name>.html` given. */
export async function renderPdfFiles(htmls: readonly string[], log: (line: string) => void): Promise<PdfResult> {
  if (!htmls.length) return { pdfs: [] };
  const chromium = chromiumPath();
  if (!existsSync(chromium)) {
    return {
      pdfs: [],
      skipped: `no Chromium at ${chromium}: install it (Debian/Ubuntu: \`sudo apt-get install chromium\`) or set BESTEX_CHROMIUM to a Chromium binary, then run \`bestex fetch package\` again; the HTML reports are complete without it`,
    };
  }
  const { htmlToPdf } = await import('../../report/pdf');
  const pdfs: string[] = [];
  for (const html of htmls) {
    const pdf = html.replace(/\.html$/, '.pdf');
    try {
      await htmlToPdf(html, pdf, { executablePath: chromium });
      pdfs.push(pdf);
      log(`  PDF ${pdf}`);
    } catch (e) {
      log(`  PDF of ${html} failed: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { pdfs };
}
