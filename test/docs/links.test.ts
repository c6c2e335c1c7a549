/**
 * The documentation a clone ships links only to files of the clone: every relative link in README.md,
 * docs/ and the package READMEs resolves to an existing file inside the repository (no '../shared/...').
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function markdownFiles(): string[] {
  const files = ['README.md'];
  for (const f of fs.readdirSync(path.join(root, 'docs'))) if (f.endsWith('.md')) files.push(`docs/${f}`);
  for (const p of fs.readdirSync(path.join(root, 'packages'))) {
    if (fs.existsSync(path.join(root, 'packages', p, 'README.md'))) files.push(`packages/${p}/README.md`);
  }
  return files;
}

describe('documentation links', () => {
  it('every relative link resolves to a file inside the repository', () => {
    const bad: string[] = [];
    let checked = 0;
    for (const file of markdownFiles()) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        checked++;
        const resolved = path.resolve(path.dirname(path.join(root, file)), target);
        if (!resolved.startsWith(root + path.sep) || !fs.existsSync(resolved)) bad.push(`${file}: ${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it('the README points newcomers to docs/ARCHITECTURE.md', () => {
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('](docs/ARCHITECTURE.md)');
  });
});
