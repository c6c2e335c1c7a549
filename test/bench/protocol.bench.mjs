// Chunk-layer throughput for a 2 Mbit/s-like live stream, against a naive
// Buffer.concat-based reference measured in the same run. Prints numbers only.
//
// Runs on the compiled package (Node 20 cannot strip TypeScript types):
//   npm run bench:protocol      (builds first)
import { ChunkDecoder, ChunkEncoder, encodeMessageShared, setChunkSizeMessage } from '@rtmp-cluster/rtmp';

const SECONDS = 10;
const READ_SIZE = 64 * 1024; // what a socket read typically hands us
const MIN_BENCH_MS = 1500;

/** 30 fps H.264-like video (~8 KB frames, ~60 KB keyframe each second) and ~370 B AAC frames every 21.33 ms. */
function mediaMessages() {
  const messages = [];
  const fill = (n, seed) => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
    return b;
  };
  let v = 0;
  let a = 0;
  const frames = SECONDS * 30;
  const audioFrames = Math.floor((SECONDS * 48000) / 1024);
  while (v < frames || a < audioFrames) {
    const vts = Math.round((v * 1000) / 30);
    const ats = Math.round((a * 1024 * 1000) / 48000);
    if (v < frames && (a >= audioFrames || vts <= ats)) {
      const key = v % 30 === 0;
      const size = key ? 60_000 + (v % 7) * 100 : 8000 + ((v * 37) % 900);
      const payload = fill(size, v);
      payload[0] = key ? 0x17 : 0x27;
      messages.push({ csid: 6, type: 9, timestamp: vts, streamId: 1, payload });
      v++;
    } else {
      const payload = fill(360 + (a % 20), a);
      payload[0] = 0xaf;
      payload[1] = 0x01;
      messages.push({ csid: 4, type: 8, timestamp: ats, streamId: 1, payload });
      a++;
    }
  }
  return messages;
}

// ---- naive reference: what a straightforward implementation does --------

/** Concatenates every read onto a backlog and collects chunk bodies in arrays joined at message end. */
class NaiveDecoder {
  constructor(onMessage) {
    this.onMessage = onMessage;
    this.backlog = Buffer.alloc(0);
    this.chunkSize = 128;
    this.streams = new Map();
  }
  push(data) {
    this.backlog = Buffer.concat([this.backlog, data]);
    for (;;) {
      const b = this.backlog;
      if (b.length < 1) return;
      const fmt = b[0] >> 6;
      let csid = b[0] & 0x3f;
      let p = 1;
      if (csid === 0) { if (b.length < 2) return; csid = 64 + b[1]; p = 2; }
      else if (csid === 1) { if (b.length < 3) return; csid = 64 + b[1] + b[2] * 256; p = 3; }
      const st = this.streams.get(csid) ?? { ts: 0, delta: 0, length: 0, type: 0, sid: 0, parts: [], got: 0, ext: false };
      const mh = [11, 7, 3, 0][fmt];
      if (b.length < p + mh) return;
      const hdr = { ...st };
      if (fmt <= 2) {
        let t = b.readUIntBE(p, 3);
        if (fmt <= 1) { hdr.length = b.readUIntBE(p + 3, 3); hdr.type = b[p + 6]; }
        if (fmt === 0) hdr.sid = b.readUInt32LE(p + 7);
        p += mh;
        hdr.ext = t === 0xffffff;
        if (hdr.ext) { if (b.length < p + 4) return; t = b.readUInt32BE(p); p += 4; }
        if (st.parts.length === 0 && st.got === 0) {
          if (fmt === 0) { hdr.ts = t; hdr.delta = t; } else { hdr.delta = t; hdr.ts = (st.ts + t) >>> 0; }
        }
      } else {
        if (hdr.ext) { if (b.length < p + 4) return; p += 4; }
        if (st.got === 0) hdr.ts = (st.ts + st.delta) >>> 0;
      }
      const n = Math.min(this.chunkSize, hdr.length - st.got);
      if (b.length < p + n) return;
      hdr.parts = [...st.parts, b.subarray(p, p + n)];
      hdr.got = st.got + n;
      this.backlog = b.subarray(p + n);
      if (hdr.got === hdr.length) {
        const payload = Buffer.concat(hdr.parts);
        hdr.parts = [];
        hdr.got = 0;
        if (hdr.type === 1) this.chunkSize = payload.readUInt32BE(0);
        this.onMessage({ csid, type: hdr.type, timestamp: hdr.ts, streamId: hdr.sid, payload });
      }
      this.streams.set(csid, hdr);
    }
  }
}

/** Builds every chunk header as its own Buffer and joins everything with Buffer.concat. */
function naiveEncode(msg, chunkSize) {
  const parts = [];
  const basic = (fmt) => {
    if (msg.csid < 64) return Buffer.from([(fmt << 6) | msg.csid]);
    if (msg.csid < 320) return Buffer.from([fmt << 6, msg.csid - 64]);
    return Buffer.from([(fmt << 6) | 1, (msg.csid - 64) & 0xff, (msg.csid - 64) >> 8]);
  };
  const head = Buffer.alloc(11);
  head.writeUIntBE(Math.min(msg.timestamp, 0xffffff), 0, 3);
  head.writeUIntBE(msg.payload.length, 3, 3);
  head[6] = msg.type;
  head.writeUInt32LE(msg.streamId, 7);
  parts.push(basic(0), head);
  for (let off = 0; off < msg.payload.length; off += chunkSize) {
    if (off > 0) parts.push(basic(3));
    parts.push(msg.payload.subarray(off, off + chunkSize));
  }
  return Buffer.concat(parts);
}

// ---- measurement ------------------------------------------------------------

function measure(fn) {
  for (let i = 0; i < 2; i++) fn(); // warm-up
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < MIN_BENCH_MS) {
    fn();
    runs++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return elapsed / runs; // ms per run
}

const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);
const fmt = (n) => n.toFixed(0).padStart(7);

const messages = mediaMessages();
const payloadBytes = messages.reduce((s, m) => s + m.payload.length, 0);
console.log(
  `media: ${SECONDS} s, ${messages.length} messages, ${(payloadBytes / 1e6).toFixed(2)} MB payload ` +
    `(${((payloadBytes * 8) / SECONDS / 1e6).toFixed(2)} Mbit/s); reads of ${READ_SIZE} bytes; node ${process.version}`,
);
console.log('throughput in MB/s of payload (higher is better); ratio = ours / naive reference');

for (const chunkSize of [128, 4096]) {
  const encoder = new ChunkEncoder();
  const parts = [encoder.encode(setChunkSizeMessage(chunkSize))];
  encoder.setChunkSize(chunkSize);
  for (const m of messages) parts.push(encoder.encode(m));
  const wire = Buffer.concat(parts);
  const reads = [];
  for (let off = 0; off < wire.length; off += READ_SIZE) reads.push(wire.subarray(off, off + READ_SIZE));

  let check = 0;
  const decodeOurs = () => {
    let n = 0;
    const d = new ChunkDecoder((m) => { n += m.payload.length; });
    for (const r of reads) d.push(r);
    check = n;
  };
  const decodeNaive = () => {
    let n = 0;
    const d = new NaiveDecoder((m) => { n += m.payload.length; });
    for (const r of reads) d.push(r);
    check = n;
  };
  const oursDec = measure(decodeOurs);
  const oursCheck = check;
  const naiveDec = measure(decodeNaive);
  if (oursCheck !== payloadBytes + 4 || check !== payloadBytes + 4) {
    console.log(`  !! decoded byte counts differ: ours ${oursCheck}, naive ${check}, expected ${payloadBytes + 4}`);
  }

  const encodeOurs = () => {
    const e = new ChunkEncoder(chunkSize);
    for (const m of messages) e.encode(m);
  };
  const encodeShared = () => {
    for (const m of messages) encodeMessageShared(m, chunkSize);
  };
  const encodeNaive = () => {
    for (const m of messages) naiveEncode(m, chunkSize);
  };
  const oursEnc = measure(encodeOurs);
  const sharedEnc = measure(encodeShared);
  const naiveEnc = measure(encodeNaive);

  console.log(`chunk size ${chunkSize} (wire ${(wire.length / 1e6).toFixed(2)} MB, overhead ${(((wire.length - payloadBytes) / payloadBytes) * 100).toFixed(2)}%)`);
  console.log(`  decode  ChunkDecoder        ${fmt(mbps(payloadBytes, oursDec))}   naive ${fmt(mbps(payloadBytes, naiveDec))}   ratio ${(naiveDec / oursDec).toFixed(1)}x`);
  console.log(`  encode  ChunkEncoder        ${fmt(mbps(payloadBytes, oursEnc))}   naive ${fmt(mbps(payloadBytes, naiveEnc))}   ratio ${(naiveEnc / oursEnc).toFixed(1)}x`);
  console.log(`  encode  encodeMessageShared ${fmt(mbps(payloadBytes, sharedEnc))}   naive ${fmt(mbps(payloadBytes, naiveEnc))}   ratio ${(naiveEnc / sharedEnc).toFixed(1)}x`);
}
