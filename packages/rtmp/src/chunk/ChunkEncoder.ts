import { RtmpError } from '../errors.js';
import type { RtmpMessage } from '../message.js';
import {
  DEFAULT_CHUNK_SIZE,
  EXTENDED_TIMESTAMP_MARKER,
  MESSAGE_HEADER_SIZE,
  assertValidChunkSize,
  assertValidCsid,
  basicHeaderSize,
  writeBasicHeader,
  writeUInt24BE,
  writeUInt32BE,
  writeUInt32LE,
} from './ChunkHeader.js';

/** Largest payload the 24-bit message length field can declare. */
const MAX_MESSAGE_LENGTH = 0xffffff;

/** A delta no uint32 timestamp difference equals: "a type-3 header would be ambiguous here". */
const NO_DELTA = -1;

/** What the peer's decoder remembers about one of our chunk streams. */
class OutboundChunkStream {
  timestamp = 0;
  delta = NO_DELTA;
  length = 0;
  type = 0;
  streamId = 0;
}

/**
 * Chunks outgoing messages for one connection, compressing headers per chunk
 * stream (type 0/1/2/3) against what the peer's decoder remembers.
 */
export class ChunkEncoder {
  private size: number;
  private readonly streams = new Map<number, OutboundChunkStream>();

  constructor(chunkSize: number = DEFAULT_CHUNK_SIZE) {
    assertValidChunkSize(chunkSize);
    this.size = chunkSize;
  }

  get chunkSize(): number {
    return this.size;
  }

  set chunkSize(n: number) {
    this.setChunkSize(n);
  }

  /** Effective for the next encode; send the Set Chunk Size message first. */
  setChunkSize(n: number): void {
    assertValidChunkSize(n);
    this.size = n;
  }

  /** Forget what the peer knows about `csid`: its next message gets a type-0 header. */
  reset(csid: number): void {
    this.streams.delete(csid);
  }

  encode(msg: RtmpMessage): Buffer {
    checkMessage(msg);
    const csid = msg.csid;
    const timestamp = msg.timestamp >>> 0;
    const streamId = msg.streamId >>> 0;
    const length = msg.payload.length;
    let st = this.streams.get(csid);
    let fmt = 0;
    let field = timestamp;
    if (st === undefined) {
      st = new OutboundChunkStream();
      this.streams.set(csid, st);
    } else if (st.streamId === streamId) {
      const delta = (timestamp - st.timestamp) >>> 0;
      // A backwards step (serial arithmetic, RFC 1982) is sent as a type 0 so
      // no peer has to add a "negative" delta.
      if (delta < 0x80000000) {
        field = delta;
        fmt = msg.type === st.type && length === st.length ? (delta === st.delta ? 3 : 2) : 1;
      }
    }
    st.timestamp = timestamp;
    st.streamId = streamId;
    st.type = msg.type;
    st.length = length;
    // After a type 0 the spec makes the next type-3's delta the type-0
    // timestamp while nginx uses 0; only timestamp 0 reads the same both ways.
    st.delta = fmt === 0 ? (timestamp === 0 ? 0 : NO_DELTA) : field;
    return writeChunks(msg, this.size, fmt, field);
  }
}

/**
 * Chunks a message without per-connection state: a type-0 first chunk with
 * the absolute timestamp, type-3 continuations. The result can be written to
 * every connection that uses this chunk size, as long as the csid is used
 * only this way on those connections.
 */
export function encodeMessageShared(msg: RtmpMessage, chunkSize: number): Buffer {
  checkMessage(msg);
  assertValidChunkSize(chunkSize);
  return writeChunks(msg, chunkSize, 0, msg.timestamp >>> 0);
}

function checkMessage(msg: RtmpMessage): void {
  assertValidCsid(msg.csid);
  if (msg.payload.length > MAX_MESSAGE_LENGTH) {
    throw new RtmpError('MESSAGE_TOO_LARGE', `message of ${msg.payload.length} bytes exceeds the 24-bit length field`);
  }
  if (!Number.isInteger(msg.type) || msg.type < 0 || msg.type > 255) {
    throw new RtmpError('MESSAGE_MALFORMED', `message type ${msg.type} is not a byte`);
  }
}

/**
 * Writes all chunks of `msg` into one exactly sized Buffer. `field` is the
 * header's timestamp value (absolute for type 0, delta otherwise); when it
 * needs the extended field, every continuation chunk repeats it, as ffmpeg
 * and librtmp expect.
 */
function writeChunks(msg: RtmpMessage, chunkSize: number, fmt: number, field: number): Buffer {
  const { csid, payload } = msg;
  const length = payload.length;
  const chunks = length === 0 ? 1 : Math.ceil(length / chunkSize);
  const basic = basicHeaderSize(csid);
  const extended = field >= EXTENDED_TIMESTAMP_MARKER;
  const extSize = extended ? 4 : 0;
  const out = Buffer.allocUnsafe(chunks * (basic + extSize) + (MESSAGE_HEADER_SIZE[fmt] as number) + length);

  let pos = writeBasicHeader(out, 0, fmt, csid);
  if (fmt <= 2) {
    writeUInt24BE(out, pos, extended ? EXTENDED_TIMESTAMP_MARKER : field);
    pos += 3;
    if (fmt <= 1) {
      writeUInt24BE(out, pos, length);
      out[pos + 3] = msg.type;
      pos += 4;
      if (fmt === 0) {
        writeUInt32LE(out, pos, msg.streamId >>> 0);
        pos += 4;
      }
    }
  }
  if (extended) {
    writeUInt32BE(out, pos, field);
    pos += 4;
  }
  let offset = 0;
  for (;;) {
    const n = Math.min(chunkSize, length - offset);
    payload.copy(out, pos, offset, offset + n);
    pos += n;
    offset += n;
    if (offset >= length) break;
    pos = writeBasicHeader(out, pos, 3, csid);
    if (extended) {
      writeUInt32BE(out, pos, field);
      pos += 4;
    }
  }
  return out;
}
