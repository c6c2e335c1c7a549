import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTH_ENV_NAMES, CONFIG_ENV_NAMES } from 'rtmp-cluster';

const ROOT = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('documents every configuration variable the node reads', () => {
    const missing = [...CONFIG_ENV_NAMES, ...AUTH_ENV_NAMES].filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
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
