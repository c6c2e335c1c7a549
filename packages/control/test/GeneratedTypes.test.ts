import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/proto-gen.mjs', import.meta.url));
const outDir = join(mkdtempSync(join(tmpdir(), 'control-proto-gen-')), 'v1');

function generate(): void {
  execFileSync(process.execPath, [script, outDir], { stdio: 'pipe' });
}

describe('proto-gen (the build writes src/generated before tsc)', () => {
  afterAll(() => rmSync(join(outDir, '..'), { recursive: true, force: true }));

  it('writes the types the sources import, from proto/', () => {
    generate();
    expect(readFileSync(join(outDir, 'control.ts'), 'utf8')).toContain('export interface ProtoGrpcType');
    expect(readFileSync(join(outDir, 'rtmpcluster/control/v1/Node.ts'), 'utf8')).toContain('export interface Node__Output');
  });

  it('leaves unchanged files alone (incremental tsc -b), rewrites edited ones and removes stale ones', () => {
    generate();
    const kept = join(outDir, 'rtmpcluster/control/v1/Stream.ts');
    const edited = join(outDir, 'rtmpcluster/control/v1/Session.ts');
    const stale = join(outDir, 'rtmpcluster/control/v1/Removed.ts');
    const past = new Date(Date.UTC(2020, 0, 1));
    utimesSync(kept, past, past);
    const original = readFileSync(edited, 'utf8');
    writeFileSync(edited, '// hand-edited\n');
    writeFileSync(stale, 'export {};\n');

    generate();
    expect(statSync(kept).mtimeMs).toBe(past.getTime());
    expect(readFileSync(edited, 'utf8')).toBe(original);
    expect(existsSync(stale)).toBe(false);
  });
});
