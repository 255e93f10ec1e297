/**
 * The code version a review records: a fresh clone with its install beside it is clean; only a
 * change to a tracked file (the lock included) marks it `-dirty`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localCodeVersion } from '../../lib/local/runtime';

const dir = mkdtempSync(join(tmpdir(), 'bestex-codeversion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

describe('code version', () => {
  it('is the commit on a clean clone with node_modules and .bestex beside it, -dirty once a tracked file changes', () => {
    git('init', '-q');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 't');
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3}\n');
    writeFileSync(join(dir, '.gitignore'), '.bestex/\n');
    git('add', '.');
    git('commit', '-qm', 'init');
    const head = git('rev-parse', 'HEAD');
    // What an install and a first run leave: an untracked (here symlinked) node_modules and state.
    symlinkSync(tmpdir(), join(dir, 'node_modules'));
    mkdirSync(join(dir, '.bestex'));
    writeFileSync(join(dir, 'notes.txt'), 'untracked');
    expect(localCodeVersion(dir)).toBe(head);
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"rewritten":true}\n');
    expect(localCodeVersion(dir)).toBe(`${head}-dirty`);
  });

  it('is "unknown" outside git', () => {
    expect(localCodeVersion(tmpdir())).toBe('unknown');
  });
});
