/**
 * Hostile RTMP sessions over real sockets, for fuzzing a running server: valid handshakes followed by
 * mutated chunk streams cut from sessions real clients sent (packages/rtmp/test/fixtures/captures), AMF
 * bombs, huge declared lengths, chunk sizes 1 and 0x7FFFFFFF, Abort storms, garbage before the handshake,
 * and every way of leaving (destroy, half-close, linger). Deterministic per seed.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChunkEncoder, ClientHandshake, commandMessage } from '@rtmp-cluster/rtmp';

const CAPTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../packages/rtmp/test/fixtures/captures');
const CAPTURE_NAMES = ['ffmpeg-publish', 'ffprobe-play', 'rtmpdump-play', 'gst-rtmp2sink-publish', 'gst-rtmp2src-play'];
const HANDSHAKE_BYTES = 1 + 1536 + 1536;

/** The chunk streams (after C0 C1 C2) real clients sent. */
export const CAPTURED_CHUNK_STREAMS: Buffer[] = CAPTURE_NAMES.map((n) =>
  readFileSync(path.join(CAPTURES, `${n}.c2s.bin`)).subarray(HANDSHAKE_BYTES),
);

export type Rng = () => number;

export function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rnd: Rng, n: number): number => Math.floor(rnd() * n);
const pick = <T>(rnd: Rng, items: readonly T[]): T => items[int(rnd, items.length)] as T;
const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xff];

/** Byte-level mutations of a captured chunk stream: flips, magic bytes, inserts, deletes, duplicates, cuts. */
export function mutateChunkStream(rnd: Rng, source: Buffer): Buffer {
  let b = Buffer.from(source.subarray(0, 1 + int(rnd, source.length)));
  const edits = 1 + int(rnd, 10);
  for (let i = 0; i < edits && b.length > 0; i++) {
    const at = int(rnd, b.length);
    switch (int(rnd, 6)) {
      case 0:
        b[at] = b[at]! ^ (1 << int(rnd, 8));
        break;
      case 1:
        b[at] = pick(rnd, INTERESTING);
        break;
      case 2: {
        const ins = Buffer.alloc(1 + int(rnd, 32));
        for (let j = 0; j < ins.length; j++) ins[j] = int(rnd, 256);
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
        break;
      }
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(rnd, 64)))]);
        break;
      case 4: {
        const len = 1 + int(rnd, 256);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
        break;
      }
      default:
        // A 4-byte field set to an extreme (lengths, timestamps, chunk sizes, stream ids).
        if (at + 4 <= b.length) b.writeUInt32BE(pick(rnd, [0, 1, 0x7fffffff, 0xffffffff, 0x00ffffff, 0x80000000]), at);
    }
  }
  return b;
}

function type0Header(csid: number, type: number, length: number, streamId = 0, timestamp = 0): Buffer {
  const h = Buffer.alloc(12);
  h[0] = csid & 0x3f;
  h.writeUIntBE(Math.min(timestamp, 0xffffff), 1, 3);
  h.writeUIntBE(length & 0xffffff, 4, 3);
  h[7] = type;
  h.writeUInt32LE(streamId, 8);
  return h;
}

function setChunkSize(size: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(size >>> 0);
  return Buffer.concat([type0Header(2, 1, 4), p]);
}

function connectCommand(enc: ChunkEncoder): Buffer {
  return enc.encode(commandMessage({ name: 'connect', transactionId: 1, commandObject: { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' }, args: [] }, { csid: 3 }));
}

/** AMF0 payloads built to make a naive decoder allocate or recurse without bound. */
function amfBomb(rnd: Rng): Buffer {
  const name = Buffer.from([0x02, 0x00, 0x07, ...Buffer.from('connect'), 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
  switch (int(rnd, 6)) {
    case 0: {
      // 100 000 nested objects, each opened and never closed.
      const depth = Buffer.alloc(100_000 * 4);
      for (let i = 0; i < 100_000; i++) depth.set([0x00, 0x01, 0x61, 0x03], i * 4);
      return Buffer.concat([name, Buffer.from([0x03]), depth]);
    }
    case 1: {
      // ECMA array claiming 2^32-1 entries.
      return Buffer.concat([name, Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x61, 0x05])]);
    }
    case 2: {
      // Strict array claiming 2^32-1 elements with a few present.
      return Buffer.concat([name, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x05, 0x05, 0x05])]);
    }
    case 3: {
      // Long string claiming 4 GB.
      return Buffer.concat([name, Buffer.from([0x0c, 0xff, 0xff, 0xff, 0xff]), Buffer.alloc(64, 0x41)]);
    }
    case 4: {
      // Many tiny properties (item limit).
      const props = Buffer.alloc(70_000 * 4);
      for (let i = 0; i < 70_000; i++) props.set([0x00, 0x01, 0x61 + (i % 26), 0x05], i * 4);
      return Buffer.concat([name, Buffer.from([0x03]), props, Buffer.from([0x00, 0x00, 0x09])]);
    }
    default: {
      // AMF3 switch inside AMF0 with a reference loop and an absurd U29 length.
      return Buffer.concat([name, Buffer.from([0x11, 0x09, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0a, 0x00])]);
    }
  }
}

export type SessionKind =
  | 'mutated-capture'
  | 'replayed-capture'
  | 'amf-bomb'
  | 'huge-length'
  | 'chunk-size-1'
  | 'chunk-size-max'
  | 'abort-storm'
  | 'garbage-handshake'
  | 'random-after-handshake';

export const SESSION_KINDS: readonly SessionKind[] = [
  'mutated-capture',
  'mutated-capture',
  'mutated-capture',
  'replayed-capture',
  'amf-bomb',
  'huge-length',
  'chunk-size-1',
  'chunk-size-max',
  'abort-storm',
  'garbage-handshake',
  'random-after-handshake',
];

/** The bytes a session sends after the handshake (or instead of it, for 'garbage-handshake'). */
export function sessionPayload(rnd: Rng, kind: SessionKind): Buffer {
  const enc = new ChunkEncoder();
  switch (kind) {
    case 'mutated-capture':
      return mutateChunkStream(rnd, pick(rnd, CAPTURED_CHUNK_STREAMS));
    case 'replayed-capture':
      return Buffer.from(pick(rnd, CAPTURED_CHUNK_STREAMS));
    case 'amf-bomb': {
      const payload = amfBomb(rnd);
      // Split into 128-byte chunks the honest way, so the bomb reaches the AMF decoder.
      const msg = enc.encode({ csid: 3, type: 20, timestamp: 0, streamId: 0, payload });
      return msg;
    }
    case 'huge-length': {
      const length = pick(rnd, [0xffffff, 0x800000, 0x7fffff]);
      const body = Buffer.alloc(int(rnd, 60_000), 0x42);
      return Buffer.concat([setChunkSize(65536), type0Header(4 + int(rnd, 50), pick(rnd, [8, 9, 18, 20, 22]), length, 1), body]);
    }
    case 'chunk-size-1': {
      // Everything after this in 1-byte chunks: 1 header byte per payload byte (csid 3, fmt 3).
      const connect = connectCommand(new ChunkEncoder(0x7fffffff));
      const header = connect.subarray(0, 12);
      const payload = connect.subarray(12);
      const parts: Buffer[] = [setChunkSize(1), header.subarray(0, 12), payload.subarray(0, 1)];
      for (let i = 1; i < payload.length; i++) parts.push(Buffer.from([0xc3, payload[i]!]));
      return Buffer.concat(parts);
    }
    case 'chunk-size-max': {
      const big = Buffer.alloc(1 + int(rnd, 200_000), 0x17);
      return Buffer.concat([setChunkSize(0x7fffffff), connectCommand(new ChunkEncoder(0x7fffffff)), type0Header(6, 9, big.length, 1), big]);
    }
    case 'abort-storm': {
      const parts: Buffer[] = [connectCommand(enc)];
      for (let i = 0; i < 200; i++) {
        const csid = 3 + int(rnd, 60);
        parts.push(type0Header(csid, 9, 1000, 1), Buffer.alloc(100, 1));
        const a = Buffer.alloc(4);
        a.writeUInt32BE(pick(rnd, [csid, 0, 1, 65599, 0xffffffff]));
        parts.push(type0Header(2, 2, 4), a);
      }
      return Buffer.concat(parts);
    }
    case 'garbage-handshake': {
      const g = Buffer.alloc(1 + int(rnd, 4000));
      for (let i = 0; i < g.length; i++) g[i] = int(rnd, 256);
      if (rnd() < 0.5) g[0] = 3; // a plausible C0 followed by noise
      return g;
    }
    case 'random-after-handshake': {
      const g = Buffer.alloc(1 + int(rnd, 20_000));
      for (let i = 0; i < g.length; i++) g[i] = int(rnd, 256);
      return g;
    }
  }
}

export type Ending = 'destroy' | 'half-close' | 'linger';

export interface HostileSessionResult {
  kind: SessionKind;
  ending: Ending;
  /** the server closed the socket before we did */
  closedByServer: boolean;
  bytesReceived: number;
}

/**
 * Runs one hostile session against 127.0.0.1:`port`. Never rejects; every path ends within about
 * `lingerMs` + 3 s (the socket is destroyed at the end whatever happened).
 */
export async function runHostileSession(port: number, seed: number, lingerMs: number): Promise<HostileSessionResult> {
  const rnd = prng(seed);
  const kind = pick(rnd, SESSION_KINDS);
  const ending = pick(rnd, ['destroy', 'half-close', 'linger'] as const);
  const payload = sessionPayload(rnd, kind);
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = 0;
  let closedByUs = false;
  let closedByServer = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      if (!closedByUs) closedByServer = true;
      resolve();
    }),
  );
  const hard = setTimeout(() => {
    closedByUs = true;
    socket.destroy();
  }, lingerMs + 3000);
  try {
    await Promise.race([new Promise<void>((r) => socket.once('connect', () => r())), closed]);
    if (socket.destroyed) return { kind, ending, closedByServer, bytesReceived: 0 };
    if (kind !== 'garbage-handshake') {
      const hs = new ClientHandshake({ digest: rnd() < 0.5 });
      const done = new Promise<boolean>((resolve) => {
        socket.on('data', (d: Buffer) => {
          received += d.length;
          try {
            const step = hs.push(d);
            if (step.send) socket.write(step.send);
            if (step.done) resolve(true);
          } catch {
            resolve(false);
          }
        });
        closed.then(() => resolve(false), () => resolve(false));
      });
      socket.write(hs.start());
      if (!(await done)) return { kind, ending, closedByServer, bytesReceived: received };
    } else {
      socket.on('data', (d: Buffer) => (received += d.length));
    }
    // Written in random pieces, sometimes with pauses, so the server sees every split.
    let offset = 0;
    while (offset < payload.length && !socket.destroyed) {
      const n = Math.min(payload.length - offset, 1 + int(rnd, rnd() < 0.3 ? 16 : 8192));
      socket.write(payload.subarray(offset, offset + n));
      offset += n;
      if (rnd() < 0.05) await new Promise((r) => setTimeout(r, int(rnd, 20)));
      if (kind !== 'chunk-size-1' && rnd() < 0.003) break; // abort mid-message
    }
    if (ending === 'destroy') {
      closedByUs = !socket.destroyed;
      socket.destroy();
    } else {
      if (ending === 'half-close') socket.end();
      await Promise.race([closed, new Promise((r) => setTimeout(r, lingerMs))]);
    }
  } finally {
    if (!socket.destroyed) {
      closedByUs = true;
      socket.destroy();
    }
    clearTimeout(hard);
  }
  return { kind, ending, closedByServer, bytesReceived: received };
}
