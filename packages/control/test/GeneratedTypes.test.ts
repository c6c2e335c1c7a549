import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageDir, '../..');
const committed = join(packageDir, 'src/generated');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('generated TypeScript types', () => {
  const out = mkdtempSync(join(tmpdir(), 'control-proto-gen-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('match what `npm run proto:gen` produces from proto/ (drift check)', () => {
    // Run the package's own script, only pointed at a temp dir, so the check and the script cannot diverge.
    const script: string = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).scripts['proto:gen'];
    const outFlag = '--outDir=packages/control/src/generated';
    expect(script).toContain(outFlag);
    execFileSync('sh', ['-c', script.replace(outFlag, `--outDir=${out}`)], {
      cwd: packageDir,
      env: { ...process.env, PATH: `${join(repoRoot, 'node_modules/.bin')}:${process.env.PATH ?? ''}` },
      stdio: 'pipe',
    });
    const fresh = listFiles(out);
    expect(fresh.length).toBeGreaterThan(10);
    expect(listFiles(committed)).toEqual(fresh);
    const drifted = fresh.filter((f) => readFileSync(join(out, f), 'utf8') !== readFileSync(join(committed, f), 'utf8'));
    // If this fails: run `npm run proto:gen -w packages/control` and commit the result.
    expect(drifted).toEqual([]);
  });
});
