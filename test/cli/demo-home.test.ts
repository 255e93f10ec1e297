/**
 * `bestex demo` empties only a home it created itself (its marker file) or an empty folder; a home
 * with anything else in it (a real lake, evidence, case log) is refused with what to do, and left
 * exactly as it was. Through the function and through the real binary.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_MARKER, prepareDemoHome } from '../../lib/cli/commands/demo';

const run = promisify(execFile);
const BIN = new URL('../../bin/bestex.mjs', import.meta.url).pathname;

describe('demo home', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bestex-demo-home-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const realHome = () => {
    const home = join(root, 'real');
    mkdirSync(join(home, 's3', 'bestex-evidence'), { recursive: true });
    writeFileSync(join(home, 's3', 'bestex-evidence', 'locked.json'), '{"keep":true}');
    return home;
  };

  it('creates a missing home with its marker, and empties a home that has the marker', () => {
    const home = join(root, 'new');
    prepareDemoHome(home);
    expect(readdirSync(home)).toEqual([DEMO_MARKER]);
    expect(readFileSync(join(home, DEMO_MARKER), 'utf8')).toMatch(/^Created by `bestex demo` at \d{4}-/);
    mkdirSync(join(home, 's3', 'bestex-lake'), { recursive: true });
    writeFileSync(join(home, 's3', 'bestex-lake', 'old.parquet'), 'old');
    prepareDemoHome(home);
    expect(readdirSync(home)).toEqual([DEMO_MARKER]);
  });

  it('uses an existing empty folder', () => {
    const home = join(root, 'empty');
    mkdirSync(home);
    prepareDemoHome(home);
    expect(readdirSync(home)).toEqual([DEMO_MARKER]);
  });

  it('refuses a home it did not create, saying what to do, and touches nothing', () => {
    const home = realHome();
    expect(() => prepareDemoHome(home)).toThrow(
      new RegExp(
        `^--home ${home} already holds files and was not created by \`bestex demo\` \\(it has no ${DEMO_MARKER} file\\).*bestex --home ./demo-home demo`,
      ),
    );
    expect(readFileSync(join(home, 's3', 'bestex-evidence', 'locked.json'), 'utf8')).toBe('{"keep":true}');
    expect(existsSync(join(home, DEMO_MARKER))).toBe(false);
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    expect(() => prepareDemoHome(file)).toThrow(/is a file, not a folder/);
  });

  it('the binary exits 1 with the message and leaves BESTEX_HOME as it was', async () => {
    const home = realHome();
    const r = await run(process.execPath, [BIN, 'demo'], { env: { ...process.env, BESTEX_HOME: home } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('was not created by `bestex demo`');
    expect(readdirSync(home)).toEqual(['s3']);
    expect(readFileSync(join(home, 's3', 'bestex-evidence', 'locked.json'), 'utf8')).toBe('{"keep":true}');
  }, 60_000);
});
