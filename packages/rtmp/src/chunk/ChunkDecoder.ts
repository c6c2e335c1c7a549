import { RtmpError, isRtmpError } from '../errors.js';
import { DEFAULT_LIMITS, MessageType, type ProtocolLimits, type RtmpMessage } from '../message.js';
import { parseProtocolControl } from '../messages/ProtocolControl.js';
import {
  DEFAULT_CHUNK_SIZE,
  EXTENDED_TIMESTAMP_MARKER,
  MAX_CHUNK_HEADER_SIZE,
  assertValidChunkSize,
} from './ChunkHeader.js';

export interface ChunkDecoderOptions {
  limits?: Partial<ProtocolLimits>;
}

/**
 * What a reassembly buffer starts with when its message is larger: small messages (audio, most video frames)
 * get one allocation, and a peer that declares a large message and stops sending holds at most this much
 * more than it sent.
 */
export const INITIAL_REASSEMBLY_BYTES = 16 * 1024;

/** What the decoder remembers about one inbound chunk stream between chunks. */
class InboundChunkStream {
  /** a type-0 header (or librtmp's type-1 on csid 2) has set every field */
  hasHeader = false;
  /** absolute timestamp of the current (or last) message, uint32 */
  timestamp = 0;
  /** delta a type-3 header that starts a new message adds; a type-0 header sets it to its timestamp (spec reading) */
  delta = 0;
  length = 0;
  type = 0;
  streamId = 0;
  /** the last type 0/1/2 header carried an extended timestamp, so type-3 chunks may repeat it */
  extended = false;
  /** the 4-byte value that header carried */
  extendedValue = 0;
  /** a message is being reassembled on this chunk stream */
  active = false;
  /** its buffer: grows with the bytes that arrive (never beyond `length`); null until its first body byte */
  payload: Buffer | null = null;
  received = 0;

  constructor(readonly csid: number) {}
}

/**
 * Reassembles RTMP messages from a chunk stream (RTMP 5.3). Push bytes in any
 * split; every completed message is passed to `onMessage` synchronously.
 *
 * Memory: a message's buffer grows with the bytes that arrived, not with the
 * length its header declares (a peer that declares 8 MB and sends 8 MB minus
 * one byte costs what it sent, and one that stops after the header costs
 * nothing): it starts with what is in hand (the rest of the current push, at
 * least INITIAL_REASSEMBLY_BYTES) and doubles, capped at the declared length.
 * A message that arrives within one push, the common case for media, is
 * allocated once. Chunk bodies are copied straight into it. Headers are parsed
 * in place; only a header split across pushes is staged in an 18-byte scratch
 * buffer. What a peer can make us hold is bounded by `maxMessageSize` (which
 * the owner may change, e.g. raise once a publish is allowed),
 * `maxPendingBytes` and `maxChunkStreams`, never by the chunk size it
 * announces.
 */
export class ChunkDecoder {
  private readonly limits: ProtocolLimits;
  private readonly streams = new Map<number, InboundChunkStream>();
  private readonly scratch = Buffer.alloc(MAX_CHUNK_HEADER_SIZE);
  private scratchLength = 0;
  /** chunk stream whose chunk body is being read, or null while between chunks */
  private current: InboundChunkStream | null = null;
  private chunkRemaining = 0;
  private inboundChunkSize = DEFAULT_CHUNK_SIZE;
  private totalBytes = 0;
  private pending = 0;
  private failure: RtmpError | null = null;

  constructor(
    private readonly onMessage: (msg: RtmpMessage) => void,
    options: ChunkDecoderOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /** Current inbound chunk size; follows the peer's Set Chunk Size messages. */
  get chunkSize(): number {
    return this.inboundChunkSize;
  }

  /** Total bytes pushed so far (not wrapped; the Acknowledgement sequence is this mod 2^32). */
  get bytesReceived(): number {
    return this.totalBytes;
  }

  /** Bytes currently allocated for partially received messages (what the peer made us hold). */
  get pendingBytes(): number {
    return this.pending;
  }

  /** Chunk streams the peer has opened (state is kept per chunk stream id). */
  get chunkStreamCount(): number {
    return this.streams.size;
  }

  /** The largest message accepted from now on (messages already started keep their length). */
  get maxMessageSize(): number {
    return this.limits.maxMessageSize;
  }

  setMaxMessageSize(bytes: number): void {
    this.limits.maxMessageSize = bytes;
  }

  push(data: Buffer): void {
    if (this.failure !== null) throw this.failure;
    this.totalBytes += data.length;
    try {
      this.consume(data);
    } catch (err) {
      this.failure = isRtmpError(err)
        ? err
        : new RtmpError('CHUNK_DECODER_FAILED', `message callback threw: ${String(err)}`);
      throw err;
    }
  }

  private consume(data: Buffer): void {
    const end = data.length;
    let pos = 0;
    if (this.scratchLength > 0) {
      // A header was split across pushes: top the scratch up and retry there.
      const staged = this.scratchLength;
      const take = Math.min(MAX_CHUNK_HEADER_SIZE - staged, end);
      data.copy(this.scratch, staged, 0, take);
      const used = this.parseHeader(this.scratch, 0, staged + take);
      if (used < 0) {
        this.scratchLength = staged + take;
        return;
      }
      this.scratchLength = 0;
      if (used < staged) {
        // Staged bytes that looked like a repeated extended timestamp turned
        // out to be chunk body: run them through first (rare, tiny copy).
        this.consume(Buffer.from(this.scratch.subarray(used, staged)));
        this.consume(data);
        return;
      }
      pos = used - staged;
    }
    for (;;) {
      const st = this.current;
      if (st !== null) {
        const n = Math.min(this.chunkRemaining, end - pos);
        if (n > 0) {
          const payload = this.reserve(st, st.received + n, st.received + end - pos);
          data.copy(payload, st.received, pos, pos + n);
          st.received += n;
          pos += n;
          this.chunkRemaining -= n;
        }
        if (this.chunkRemaining > 0) return;
        this.current = null;
        if (st.received === st.length) this.complete(st);
      }
      if (pos >= end) return;
      const used = this.parseHeader(data, pos, end);
      if (used < 0) {
        data.copy(this.scratch, 0, pos, end);
        this.scratchLength = end - pos;
        return;
      }
      pos += used;
    }
  }

  /**
   * Parses one chunk header at `start`. Returns the bytes it used, or -1 if
   * the header is not complete yet (nothing is changed then). On success the
   * chunk's body becomes `current`.
   */
  private parseHeader(buf: Buffer, start: number, end: number): number {
    let p = start;
    const b0 = buf[p++] as number;
    const fmt = b0 >>> 6;
    let csid = b0 & 0x3f;
    if (csid === 0) {
      if (p >= end) return -1;
      csid = 64 + (buf[p++] as number);
    } else if (csid === 1) {
      if (p + 1 >= end) return -1;
      csid = 64 + (buf[p] as number) + ((buf[p + 1] as number) << 8);
      p += 2;
    }
    let st = this.streams.get(csid);
    const inProgress = st !== undefined && st.active;

    if (fmt === 3) {
      if (st === undefined || !st.hasHeader) {
        throw new RtmpError('CHUNK_NO_PREVIOUS_HEADER', `type-3 chunk on chunk stream ${csid} without a previous header`);
      }
      if (st.extended) {
        // The extended timestamp may or may not be repeated on type-3 chunks
        // (ffmpeg always writes it, some encoders never): it is there if the
        // next 4 bytes equal the value the header carried. Senders that repeat
        // the absolute timestamp instead of the delta are accepted as well.
        const absolute = inProgress ? st.timestamp : (st.timestamp + st.delta) >>> 0;
        const avail = end - p;
        if (avail >= 4) {
          const v =
            (((buf[p] as number) << 24) | ((buf[p + 1] as number) << 16) | ((buf[p + 2] as number) << 8) | (buf[p + 3] as number)) >>>
            0;
          if (v === st.extendedValue || v === absolute) p += 4;
        } else if (prefixMatches(buf, p, avail, st.extendedValue) || prefixMatches(buf, p, avail, absolute)) {
          return -1; // cannot tell yet
        }
      }
      if (!inProgress) {
        st.timestamp = (st.timestamp + st.delta) >>> 0;
        this.begin(st);
      }
      return this.enterBody(st, p - start);
    }

    const mhSize = fmt === 0 ? 11 : fmt === 1 ? 7 : 3;
    if (p + mhSize > end) return -1;
    let field = ((buf[p] as number) << 16) | ((buf[p + 1] as number) << 8) | (buf[p + 2] as number);
    let length = 0;
    let type = 0;
    let streamId = 0;
    if (fmt <= 1) {
      length = ((buf[p + 3] as number) << 16) | ((buf[p + 4] as number) << 8) | (buf[p + 5] as number);
      type = buf[p + 6] as number;
      if (fmt === 0) {
        streamId =
          ((buf[p + 7] as number) | ((buf[p + 8] as number) << 8) | ((buf[p + 9] as number) << 16) | ((buf[p + 10] as number) << 24)) >>> 0;
      }
    }
    p += mhSize;
    const extended = field === EXTENDED_TIMESTAMP_MARKER;
    if (extended) {
      if (p + 4 > end) return -1;
      field =
        (((buf[p] as number) << 24) | ((buf[p + 1] as number) << 16) | ((buf[p + 2] as number) << 8) | (buf[p + 3] as number)) >>> 0;
      p += 4;
    }

    // The header is complete: from here on state may change.
    if (st === undefined) {
      if (fmt === 2 || (fmt === 1 && csid !== 2)) {
        throw new RtmpError('CHUNK_NO_PREVIOUS_HEADER', `type-${fmt} chunk on new chunk stream ${csid}`);
      }
      st = this.openStream(csid);
    } else if (!st.hasHeader && (fmt === 2 || (fmt === 1 && csid !== 2))) {
      throw new RtmpError('CHUNK_NO_PREVIOUS_HEADER', `type-${fmt} chunk on chunk stream ${csid} without a type-0 header`);
    }

    if (inProgress) {
      // A full header in the middle of a message: tolerated as a continuation
      // if it describes the same message, since the length cannot change.
      if (fmt <= 1 && length !== st.length) {
        throw new RtmpError(
          'MESSAGE_LENGTH_CHANGED',
          `chunk stream ${csid}: header declares ${length} bytes in the middle of a ${st.length}-byte message`,
        );
      }
      return this.enterBody(st, p - start);
    }

    if (fmt === 0) {
      st.timestamp = field;
      st.delta = field;
      st.streamId = streamId;
    } else {
      // librtmp opens csid 2 with a type-1 header: timestamp base and stream 0.
      st.delta = field;
      st.timestamp = (st.timestamp + field) >>> 0;
    }
    if (fmt <= 1) {
      st.length = length;
      st.type = type;
    }
    st.hasHeader = true;
    st.extended = extended;
    st.extendedValue = extended ? field : 0;
    this.begin(st);
    return this.enterBody(st, p - start);
  }

  private openStream(csid: number): InboundChunkStream {
    if (this.streams.size >= this.limits.maxChunkStreams) {
      throw new RtmpError(
        'CHUNK_TOO_MANY_STREAMS',
        `chunk stream ${csid} would exceed the limit of ${this.limits.maxChunkStreams} chunk streams`,
      );
    }
    const st = new InboundChunkStream(csid);
    this.streams.set(csid, st);
    return st;
  }

  /** Starts a message on `st` (its header fields are set): checks its declared length. Allocates nothing yet. */
  private begin(st: InboundChunkStream): void {
    const length = st.length;
    if (length > this.limits.maxMessageSize) {
      throw new RtmpError(
        'MESSAGE_TOO_LARGE',
        `message of ${length} bytes on chunk stream ${st.csid} exceeds the limit of ${this.limits.maxMessageSize}`,
      );
    }
    st.active = true;
    st.payload = null;
    st.received = 0;
  }

  /**
   * The buffer of `st`'s message with room for `needed` bytes: grown (to at least `inHand`, the bytes of the
   * message that could be in the current push, and at least double) when it is too small, capped at the
   * declared length. `pending` counts what is allocated.
   */
  private reserve(st: InboundChunkStream, needed: number, inHand: number): Buffer {
    const payload = st.payload;
    const capacity = payload === null ? 0 : payload.length;
    if (needed <= capacity) return payload as Buffer;
    const target = Math.min(st.length, Math.max(inHand, capacity * 2, INITIAL_REASSEMBLY_BYTES));
    const growth = target - capacity;
    if (this.pending + growth > this.limits.maxPendingBytes) {
      throw new RtmpError(
        'PENDING_BYTES_EXCEEDED',
        `message of ${st.length} bytes on chunk stream ${st.csid} would bring partial messages to ${this.pending + growth} bytes (limit ${this.limits.maxPendingBytes})`,
      );
    }
    const next = Buffer.allocUnsafe(target);
    if (payload !== null) payload.copy(next, 0, 0, st.received);
    this.pending += growth;
    st.payload = next;
    return next;
  }

  private enterBody(st: InboundChunkStream, used: number): number {
    this.current = st;
    const left = st.length - st.received;
    this.chunkRemaining = left < this.inboundChunkSize ? left : this.inboundChunkSize;
    return used;
  }

  private complete(st: InboundChunkStream): void {
    const payload = st.payload ?? Buffer.alloc(0);
    const msg: RtmpMessage = { csid: st.csid, type: st.type, timestamp: st.timestamp, streamId: st.streamId, payload };
    st.payload = null;
    st.active = false;
    this.pending -= payload.length;
    // Protocol control that changes how the following chunks are read takes
    // effect here, before the next chunk header is parsed.
    if (st.type === MessageType.SetChunkSize || st.type === MessageType.Abort) {
      const control = parseProtocolControl(msg);
      if (control.kind === 'setChunkSize') {
        assertValidChunkSize(control.size, this.limits.maxChunkSize);
        this.inboundChunkSize = control.size;
      } else if (control.kind === 'abort') {
        const target = this.streams.get(control.csid);
        if (target !== undefined && target.active) {
          this.pending -= target.payload?.length ?? 0;
          target.payload = null;
          target.active = false;
          target.received = 0;
        }
      }
    }
    this.onMessage(msg);
  }
}

/** Whether the `avail` (< 4) bytes at `p` are the first bytes of `value` as uint32 big-endian. */
function prefixMatches(buf: Buffer, p: number, avail: number, value: number): boolean {
  for (let i = 0; i < avail; i++) {
    if (buf[p + i] !== ((value >>> (24 - 8 * i)) & 0xff)) return false;
  }
  return true;
}
