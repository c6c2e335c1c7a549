import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ChunkedBodyWriter } from '../src/flv/ChunkedBodyWriter.js';

/** A socket that records what is written (as one corked writev would hand it to the kernel) and how it ends. */
function recordingSocket() {
  const writes: Buffer[][] = [];
  let corked: Buffer[] | null = null;
  let ended: string | null = null;
  const socket = {
    destroyed: false,
    writable: true,
    cork: () => {
      corked = [];
    },
    uncork: () => {
      writes.push(corked!);
      corked = null;
    },
    write: (b: Buffer) => {
      if (corked) corked.push(b);
      else writes.push([b]);
      return true;
    },
    end: (s: string) => {
      ended = s;
    },
  };
  return { socket: socket as unknown as Socket, writes, bytes: () => Buffer.concat([...writes.flat(), Buffer.from(ended ?? '', 'latin1')]), ended: () => ended };
}

/** Strict HTTP/1.1 chunked decoding: the data of every chunk, and whether the last chunk closed the body. */
function decodeChunked(body: Buffer): { chunks: Buffer[]; complete: boolean } {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at, 'latin1');
    if (eol < 0) return { chunks, complete: false };
    const size = parseInt(body.toString('latin1', at, eol), 16);
    expect(Number.isNaN(size), `size line at ${at}`).toBe(false);
    at = eol + 2;
    if (size === 0) return { chunks, complete: body.toString('latin1', at) === '\r\n' };
    chunks.push(body.subarray(at, at + size));
    expect(body.toString('latin1', at + size, at + size + 2), `CRLF after the chunk at ${at}`).toBe('\r\n');
    at += size + 2;
  }
}

describe('ChunkedBodyWriter', () => {
  it('writes one chunk per call, in one corked write, and ends with the last chunk', () => {
    const r = recordingSocket();
    const body = new ChunkedBodyWriter(r.socket);
    const tags = [Buffer.alloc(300, 1), Buffer.alloc(20, 2)];
    body.write(tags);
    body.write([Buffer.alloc(5000, 3)]);
    body.write([]);
    body.end();
    // a size line and the tags: no separate CRLF piece (it rides in front of the next size line)
    expect(r.writes.map((w) => w.length)).toEqual([3, 2]);
    expect(r.writes[0]!.slice(1)).toEqual(tags);
    const { chunks, complete } = decodeChunked(r.bytes());
    expect(complete).toBe(true);
    expect(chunks.map((c) => c.length)).toEqual([320, 5000]);
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([...tags, Buffer.alloc(5000, 3)]));
  });

  it('a body with no chunk ends with the last chunk alone', () => {
    const r = recordingSocket();
    new ChunkedBodyWriter(r.socket).end();
    expect(r.ended()).toBe('0\r\n\r\n');
  });

  it('viewers flushing the same tags share one size line', () => {
    const [a, b] = [recordingSocket(), recordingSocket()];
    const tags = [Buffer.alloc(777)];
    for (const r of [a, b]) new ChunkedBodyWriter(r.socket).write(tags);
    expect(a.writes[0]![0]).toBe(b.writes[0]![0]);
    expect(a.writes[0]![0]!.toString('latin1')).toBe('309\r\n');
  });

  it('writes nothing to a destroyed socket', () => {
    const r = recordingSocket();
    (r.socket as unknown as { destroyed: boolean }).destroyed = true;
    new ChunkedBodyWriter(r.socket).write([Buffer.alloc(10)]);
    expect(r.writes).toEqual([]);
  });
});
