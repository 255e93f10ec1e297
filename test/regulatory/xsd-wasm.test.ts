/**
 * The Rule 606 XSD check as the Lambda runs it: libxml2 compiled to WebAssembly (xmllint-wasm), no
 * xmllint binary. The SEC's own samples validate; a broken document is rejected, and the system
 * xmllint (Debian libxml2-utils, installed by .ci/run) agrees on both: a second implementation.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secSpecPath } from '../../lambdas/core/regulatory/rule605';
import { rule606XsdPath, validateXmlText } from '../../lambdas/core/regulatory/rule606';

function systemXmllint(xml: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'bestex-xsd-'));
  try {
    writeFileSync(join(dir, 'doc.xml'), xml);
    execFileSync('xmllint', ['--noout', '--schema', rule606XsdPath(), join(dir, 'doc.xml')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Rule 606 XSD validation in WebAssembly', () => {
  for (const sample of ['606a1_held_order_public_report.xml', '606a1_empty.xml']) {
    it(`accepts the SEC sample ${sample}`, async () => {
      const xml = readFileSync(secSpecPath(sample), 'utf8');
      expect(await validateXmlText(xml, rule606XsdPath(), sample)).toEqual([]);
      expect(systemXmllint(xml)).toBe(true);
    });
  }

  it('rejects a document with an element the schema does not allow, naming it and the line', async () => {
    const good = readFileSync(secSpecPath('606a1_held_order_public_report.xml'), 'utf8');
    const bad = good.replace(/<\/year>/, '</year><unexpected>1</unexpected>');
    expect(bad).not.toBe(good);
    const errors = await validateXmlText(bad, rule606XsdPath(), 'bad.xml');
    expect(errors.join('\n')).toMatch(/bad\.xml:\d+.*unexpected/);
    expect(systemXmllint(bad)).toBe(false);
  });

  it('product code no longer shells out to xmllint', () => {
    for (const f of ['lambdas/core/regulatory/rule606.ts', 'lambdas/rule606/run.ts']) {
      expect(readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8')).not.toMatch(/child_process|execFile/);
    }
  });
});
