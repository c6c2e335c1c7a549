/**
 * The table of error codes in packages/core/README.md lists exactly the codes each package's error class can
 * carry (read from the `...ErrorCode` unions in the sources), so operators can look up any `errorCode` they see.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

const UNIONS: Array<{ domain: string; file: string; type: string | string[] }> = [
  { domain: 'rtmp', file: 'packages/rtmp/src/errors.ts', type: 'RtmpErrorCode' },
  { domain: 'media', file: 'packages/media/src/HubError.ts', type: 'HubErrorCode' },
  { domain: 'auth', file: 'packages/auth/src/AuthError.ts', type: 'AuthErrorCode' },
  { domain: 'registry', file: 'packages/registry/src/errors.ts', type: 'RegistryErrorCode' },
  { domain: 'events', file: 'packages/events/src/errors.ts', type: ['EventBusErrorCode', 'CommandAuthErrorCode'] },
  { domain: 'relay', file: 'packages/relay/src/RelayError.ts', type: 'RelayErrorCode' },
  { domain: 'web', file: 'packages/web/src/WebError.ts', type: 'WebErrorCode' },
  { domain: 'hls', file: 'packages/hls/src/HlsError.ts', type: 'HlsErrorCode' },
];

function unionCodes(file: string, type: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const start = text.indexOf(`export type ${type} =`);
  expect(start, `${type} in ${file}`).toBeGreaterThanOrEqual(0);
  // The union ends at its last member's quote and semicolon (comments between members may hold ';').
  const body = text.slice(start, text.indexOf("';", start) + 1);
  // Members only: comments after them may quote other words ('reject').
  return [...body.matchAll(/(?:=|\|)\s*'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!).sort();
}

function readmeCodes(domain: string): string[] {
  const readme = fs.readFileSync(path.join(root, 'packages/core/README.md'), 'utf8');
  const row = readme.split('\n').find((l) => l.startsWith(`| \`${domain}\` |`));
  expect(row, `row for ${domain}`).toBeDefined();
  const codesCell = row!.split('|')[3]!;
  return [...codesCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!).sort();
}

describe('error codes documented in packages/core/README.md', () => {
  it.each(UNIONS)('$domain: the README lists exactly the codes of $type', ({ domain, file, type }) => {
    const codes = [type].flat().flatMap((t) => unionCodes(file, t)).sort();
    expect(codes.length).toBeGreaterThan(0);
    expect(readmeCodes(domain)).toEqual(codes);
  });
});
