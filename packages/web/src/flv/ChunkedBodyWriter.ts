/**
 * An HTTP/1.1 chunked response body written straight to the socket, one chunk per flush of the hub. A chunk's
 * closing CRLF goes out in front of the next chunk's size line, so a flush adds one small Buffer to the tags
 * instead of two strings: writev then takes Buffers only, and a one-tag flush is two iovecs, not three.
 * Readers lose nothing: a chunk's data is usable as it arrives; the CRLF is only read before the next size.
 */
import type { Socket } from 'node:net';

const LAST_CHUNK = '0\r\n\r\n';

/**
 * The size line (and the CRLF closing the chunk before) last built. Every viewer of a stream flushes the same
 * tags in one cycle, so the line built for the first viewer serves the others; a Buffer handed to a socket is
 * never modified, the next different size gets a new one.
 */
let lastSize = -1;
let lastAfterChunk = false;
let lastLine = Buffer.alloc(0);

function sizeLine(size: number, afterChunk: boolean): Buffer {
  if (size !== lastSize || afterChunk !== lastAfterChunk) {
    lastLine = Buffer.from(`${afterChunk ? '\r\n' : ''}${size.toString(16)}\r\n`, 'latin1');
    lastSize = size;
    lastAfterChunk = afterChunk;
  }
  return lastLine;
}

export class ChunkedBodyWriter {
  /** a chunk was written whose closing CRLF is not */
  private open = false;

  constructor(private readonly socket: Socket) {}

  /** One chunk holding `buffers` (shared with other viewers, never modified), in one corked write. */
  write(buffers: readonly Buffer[]): void {
    const socket = this.socket;
    if (socket.destroyed || !socket.writable) return;
    let total = 0;
    for (let i = 0; i < buffers.length; i++) total += buffers[i]!.length;
    if (total === 0) return;
    socket.cork();
    socket.write(sizeLine(total, this.open));
    for (let i = 0; i < buffers.length; i++) socket.write(buffers[i]!);
    socket.uncork();
    this.open = true;
  }

  /** Closes the open chunk, writes the last chunk and ends the connection. */
  end(): void {
    this.socket.end(this.open ? `\r\n${LAST_CHUNK}` : LAST_CHUNK);
    this.open = false;
  }
}
