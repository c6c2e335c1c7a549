import { describe, expect, it } from 'vitest';
import { redactSecrets, redactText } from '../src/Secrets.js';

describe('credential redaction', () => {
  it('replaces the values of token, key and the relay credential in URLs and names, any case', () => {
    expect(redactText('rtmp://h:1935/live?token=k1.2.abc')).toBe('rtmp://h:1935/live?token=[redacted]');
    expect(redactText('cam?a=1&KEY=s3cret&b=2')).toBe('cam?a=1&KEY=[redacted]&b=2');
    expect(redactText("Invalid stream name 'x?rtmpcRelayToken=r3lay'")).toBe("Invalid stream name 'x?rtmpcRelayToken=[redacted]'");
    // Not a parameter: left as it is.
    expect(redactText('monkey=1 token at rest')).toBe('monkey=1 token at rest');
    expect(redactText('cam?tokenish=1')).toBe('cam?tokenish=1');
  });

  it('redacts fields named like credentials and strings inside objects, leaving the input untouched', () => {
    const input = { tcUrl: 'rtmp://h/live?token=t', query: { token: 't', a: '1' }, list: ['x?key=k'], n: 5 };
    expect(redactSecrets(input)).toEqual({ tcUrl: 'rtmp://h/live?token=[redacted]', query: { token: '[redacted]', a: '1' }, list: ['x?key=[redacted]'], n: 5 });
    expect(input.query.token).toBe('t');
  });
});
