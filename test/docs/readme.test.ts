import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { README_BLOCKS, readmeBlock, rewriteReadme, SETTINGS, EXIT_CODES, OTHER_VARIABLES } from 'rtmp-cluster';

const ROOT = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('holds the configuration table and exit codes exactly as the settings schema renders them (npm run docs:settings)', () => {
    for (const [name, render] of Object.entries(README_BLOCKS)) {
      expect(readmeBlock(readme, name), `README block ${name}: run npm run docs:settings`).toBe(`${render()}\n`);
    }
    expect(rewriteReadme(readme)).toBe(readme);
  });

  it('the generated table has a row per setting and names every exit code', () => {
    const table = readmeBlock(readme, 'settings')!;
    for (const s of SETTINGS) expect(table).toMatch(new RegExp(`^\\| \`${s.env}\` \\| `, 'm'));
    for (const v of OTHER_VARIABLES) expect(table).toContain(`\`${v.name}\``);
    const codes = readmeBlock(readme, 'exit-codes')!;
    for (const e of EXIT_CODES) expect(codes).toContain(`| ${e.code} | ${e.doc} |`);
  });

  it('a drifted table is detected: an edited row no longer matches the schema', () => {
    const drifted = readme.replace('| `RTMPC_RTMP_PORT` | `rtmpPort` | an integer 1-65535 | `1935`', '| `RTMPC_RTMP_PORT` | `rtmpPort` | an integer 1-65535 | `1936`');
    expect(drifted).not.toBe(readme);
    expect(rewriteReadme(drifted)).not.toBe(drifted);
    expect(() => rewriteReadme(readme.replace('<!-- settings:end -->', ''))).toThrow(/settings:begin/);
  });

  it('gives the test command that .ci/run runs', () => {
    const ci = readFileSync(resolve(ROOT, '.ci/run'), 'utf8');
    const testCommand = /## Test\n+```\nnpm ci\n(.+)\n```/.exec(readme)?.[1];
    expect(testCommand).toBe('npm test');
    expect(ci.trimEnd().split('\n').at(-1)).toBe(testCommand);
  });

  it('tells developers how to run the suite on the Node that CI uses', () => {
    const ci = readFileSync(resolve(ROOT, '.ci/run'), 'utf8');
    const onPath = 'PATH="$(deploy/node-runtime.sh):$PATH"';
    expect(ci).toContain(onPath);
    expect(readme).toContain(onPath);
  });
});
