// Fan-out throughput of the StreamHub: one publisher, N in-memory subscribers that accept
// everything (pendingBytes 0). Prints ingested messages/s and delivered messages/s and bytes/s,
// next to a naive reference that encodes every message once per subscriber. Numbers only.
//
// Runs on the compiled packages (Node 20 cannot strip TypeScript types):
//   cd /work/main && npx tsc -b && node packages/media/bench/fanout-hub.bench.mjs
import { encodeMessageShared } from '@rtmp-cluster/rtmp';
import { StreamHub } from '@rtmp-cluster/media';

const MEDIA_SECONDS = 20;
const CHUNK_SIZE = 4096;
const MESSAGES_PER_CYCLE = 4; // roughly what one 64 KiB socket read of a 2-3 Mbit/s stream holds
const MIN_BENCH_MS = 1500;

function payload(size, seed, head) {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  head.copy(b, 0);
  return b;
}

/** 30 fps H.264-like video (keyframe of ~60 KB each second, ~8 KB otherwise) and AAC every 21.33 ms. */
function mediaMessages() {
  const out = [
    { csid: 6, type: 9, timestamp: 0, streamId: 1, payload: Buffer.from('17000000000142c00dffe100186742c00dd90141fb011000000300100000030320f142a48001000568cb83cb20', 'hex') },
    { csid: 4, type: 8, timestamp: 0, streamId: 1, payload: Buffer.from('af00120856e500', 'hex') },
  ];
  const frames = MEDIA_SECONDS * 30;
  const audioFrames = Math.floor((MEDIA_SECONDS * 48000) / 1024);
  let v = 0;
  let a = 0;
  while (v < frames || a < audioFrames) {
    const vts = Math.round((v * 1000) / 30);
    const ats = Math.round((a * 1024 * 1000) / 48000);
    if (v < frames && (a >= audioFrames || vts <= ats)) {
      const key = v % 30 === 0;
      const size = key ? 60_000 + (v % 7) * 100 : 8000 + ((v * 37) % 900);
      out.push({ csid: 6, type: 9, timestamp: vts, streamId: 1, payload: payload(size, v, Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0])) });
      v++;
    } else {
      out.push({ csid: 4, type: 8, timestamp: ats, streamId: 1, payload: payload(370, a, Buffer.from([0xaf, 1])) });
      a++;
    }
  }
  return out;
}

class CountingSink {
  constructor(id) {
    this.id = id;
    this.streamId = 1;
    this.chunkSize = CHUNK_SIZE;
    this.pendingBytes = 0;
    this.bytes = 0;
    this.messages = 0;
    this.writes = 0;
  }
  writev(buffers) {
    this.writes++;
    this.messages += buffers.length;
    for (let i = 0; i < buffers.length; i++) this.bytes += buffers[i].length;
  }
  onStreamStarted() {}
  onStreamStopped() {}
}

function runHub(messages, subscribers) {
  // The hub takes messages as the session hands them over: already classified.
  const published = messages.map((message) => ({ kind: message.type === 9 ? 'video' : 'audio', message }));
  const hub = new StreamHub();
  const sinks = [];
  for (let i = 0; i < subscribers; i++) {
    const sink = new CountingSink(`s${i}`);
    sinks.push(sink);
    hub.subscribe('live/bench', sink);
  }
  const pub = hub.publish('live/bench', { id: 'pub', close() {} });
  const started = process.hrtime.bigint();
  for (let i = 0; i < messages.length; i++) {
    pub.push(published[i]);
    if (i % MESSAGES_PER_CYCLE === MESSAGES_PER_CYCLE - 1) hub.flush();
  }
  hub.flush();
  const ns = Number(process.hrtime.bigint() - started);
  pub.unpublish();
  hub.close();
  let bytes = 0;
  let delivered = 0;
  let writes = 0;
  for (const s of sinks) {
    bytes += s.bytes;
    delivered += s.messages;
    writes += s.writes;
  }
  return { ns, bytes, delivered, writes };
}

function runNaive(messages, subscribers) {
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < messages.length; i++) {
    for (let s = 0; s < subscribers; s++) bytes += encodeMessageShared(messages[i], CHUNK_SIZE).length;
  }
  return { ns: Number(process.hrtime.bigint() - started), bytes, delivered: messages.length * subscribers };
}

function repeat(fn) {
  const runs = [];
  const until = Date.now() + MIN_BENCH_MS;
  do runs.push(fn());
  while (Date.now() < until || runs.length < 3);
  runs.sort((x, y) => x.ns - y.ns);
  return runs[Math.floor(runs.length / 2)]; // median
}

const messages = mediaMessages();
const inBytes = messages.reduce((n, m) => n + m.payload.length, 0);
console.log(`fan-out bench: ${messages.length} messages, ${(inBytes / 1e6).toFixed(1)} MB of payload (${MEDIA_SECONDS} s of ~${((inBytes * 8) / MEDIA_SECONDS / 1e6).toFixed(1)} Mbit/s media), chunk size ${CHUNK_SIZE}, flush every ${MESSAGES_PER_CYCLE} messages`);
for (const n of [1, 10, 100, 1000]) {
  const hub = repeat(() => runHub(messages, n));
  const naive = n <= 100 ? repeat(() => runNaive(messages, n)) : null;
  const s = hub.ns / 1e9;
  const line = [
    `N=${String(n).padStart(4)}`,
    `in ${Math.round(messages.length / s).toLocaleString('en')} msg/s`,
    `out ${Math.round(hub.delivered / s).toLocaleString('en')} msg/s`,
    `${((hub.bytes / s) / 1e9).toFixed(2)} GB/s delivered`,
    `${(hub.writes / n).toFixed(0)} writev/sub`,
    `realtime x${Math.round(MEDIA_SECONDS / s).toLocaleString('en')}`,
  ];
  if (naive) line.push(`| naive per-subscriber encode: out ${Math.round(naive.delivered / (naive.ns / 1e9)).toLocaleString('en')} msg/s`);
  console.log(line.join('  '));
}
