/**
 * Fuzzing ServerSession with decoded messages: the message sequences real clients sent
 * (fixtures/captures, through ServerHandshake and ChunkDecoder), mutated at the byte level
 * (payloads, types, stream ids, timestamps, order) and at the command level (known command
 * names with random arguments), answered by an application that accepts, rejects or delays at
 * random. handleMessage may only throw RtmpError; the application-facing calls never throw;
 * streams and media held for a pending publish stay within the configured bounds.
 */
import { describe, expect, it } from 'vitest';
import {
  ChunkDecoder,
  RtmpError,
  ServerHandshake,
  ServerSession,
  commandMessage,
  type AmfValue,
  type RtmpMessage,
} from '@rtmp-cluster/rtmp';
import { CAPTURE_NAMES, readCapture } from './support/captures.js';
import { int, pick, prng } from './support/random.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2000);
/**
 * One run is a whole session of up to ~60 messages, far more work than one decoder input, so the
 * session count is a fifth of FUZZ_RUNS (with a floor that keeps the default run meaningful).
 */
const SESSIONS = Math.max(500, Math.ceil(RUNS / 5));
const MAX_MS_PER_SESSION = 2000;
const MAX_STREAMS = 6;
const MAX_PENDING_MEDIA = 32 * 1024;

/** The messages each client sent, decoded; long media runs thinned out so commands dominate. */
const corpus: RtmpMessage[][] = CAPTURE_NAMES.map((name) => {
  const c2s = readCapture(name, 'c2s');
  const step = new ServerHandshake().push(c2s);
  const out: RtmpMessage[] = [];
  let mediaKept = 0;
  new ChunkDecoder((m) => {
    const isMedia = m.type === 8 || m.type === 9;
    if (isMedia && ++mediaKept > 12) return;
    out.push({ ...m, payload: Buffer.from(m.payload) });
  }).push(step.remainder);
  return out;
});

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x05, 0x08, 0x09, 0x0a, 0x0c, 0x10, 0x11, 0x7f, 0x80, 0xff];
const TYPES = [1, 2, 3, 4, 5, 6, 8, 9, 15, 16, 17, 18, 19, 20, 22, 0, 7, 255];
const COMMANDS = [
  'connect', 'createStream', 'publish', 'play', 'play2', 'deleteStream', 'closeStream', 'releaseStream', 'FCPublish',
  'FCUnpublish', 'FCSubscribe', '_checkbw', 'getStreamLength', '_result', '_error', 'onStatus', 'pause', 'seek',
  'receiveAudio', 'receiveVideo', '@setDataFrame', 'someVendorCall',
];

function randomValue(rnd: () => number, depth = 0): AmfValue {
  switch (int(rnd, depth > 2 ? 6 : 8)) {
    case 0:
      return pick(rnd, [0, 1, 2, 3, -1, -2, -1000, -2000, 0.5, 2 ** 32, Number.NaN, Infinity, 1e300]);
    case 1:
      return pick(rnd, ['', 'live', 'key', 'key?token=abc', 'record', 'append', 'a/b', '?', '%zz', 'x'.repeat(300)]);
    case 2:
      return rnd() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return new Date(int(rnd, 2 ** 40));
    case 6:
      return Array.from({ length: int(rnd, 4) }, () => randomValue(rnd, depth + 1));
    default: {
      const o: Record<string, AmfValue> = {};
      for (const k of ['app', 'tcUrl', 'flashVer', 'objectEncoding', 'capsEx', 'fourCcList', 'videoFourCcInfoMap', 'level', 'code']) {
        if (rnd() < 0.3) o[k] = randomValue(rnd, depth + 1);
      }
      return o;
    }
  }
}

function mutatePayload(rnd: () => number, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const edits = 1 + int(rnd, 4);
  for (let e = 0; e < edits; e++) {
    const at = b.length === 0 ? 0 : int(rnd, b.length);
    const op = int(rnd, 5);
    if (op === 0 && b.length > 0) b[at] = int(rnd, 256);
    else if (op === 1 && b.length > 0) b[at] = pick(rnd, INTERESTING);
    else if (op === 2) b = b.subarray(0, at);
    else if (op === 3) b = Buffer.concat([b.subarray(0, at), Buffer.from([int(rnd, 256), pick(rnd, INTERESTING)]), b.subarray(at)]);
    else b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(rnd, 8)))]);
  }
  return b;
}

/** One message derived from the corpus message `m`. */
function mutateMessage(rnd: () => number, m: RtmpMessage, knownStreams: number[], rate: number): RtmpMessage {
  if (rnd() >= rate) return m;
  const r = rnd();
  if (r < 0.4) return { ...m, payload: mutatePayload(rnd, m.payload) };
  if (r < 0.55) return { ...m, type: pick(rnd, TYPES) };
  if (r < 0.67) return { ...m, streamId: pick(rnd, [0, 1, 2, 3, 7, 0xffffffff, ...knownStreams]) };
  if (r < 0.75) return { ...m, timestamp: int(rnd, 2 ** 32) };
  // a well-formed command with random arguments: reaches the state machine, not only the AMF decoder
  const streamId = rnd() < 0.5 ? 0 : pick(rnd, [1, 2, 0xffffffff, ...knownStreams]);
  return commandMessage(
    {
      name: pick(rnd, COMMANDS),
      transactionId: pick(rnd, [0, 1, 2, 5, -1, 1.5, Number.NaN]),
      commandObject: rnd() < 0.5 ? null : randomValue(rnd),
      args: Array.from({ length: int(rnd, 4) }, () => randomValue(rnd)),
    },
    { streamId, encoding: rnd() < 0.2 ? 3 : 0 },
  );
}

interface RunResult {
  code: string | null;
  ms: number;
  /** media events, and plays accepted: shows the run got past connect/createStream/publish/play */
  media: number;
  plays: number;
}

function runSession(seed: number): RunResult {
  const rnd = prng(seed);
  let sentCount = 0;
  const session = new ServerSession({
    send: (msg) => {
      sentCount++;
      expect(msg.payload.length).toBeLessThan(1 << 20);
    },
    maxStreams: MAX_STREAMS,
    maxPendingMediaBytes: MAX_PENDING_MEDIA,
    windowAckSize: 1 + int(rnd, 100_000),
    limits: { maxAmfDepth: 8, maxAmfItems: 256, maxMessageSize: 1 << 20 },
  });
  const pendingPublishes: number[] = [];
  const pendingPlays: number[] = [];
  const active: number[] = [];
  let releasedMediaBytes = 0;
  let inAcceptPublish = false;
  let mediaEvents = 0;
  let playsAccepted = 0;
  session.on('media', (ev) => {
    mediaEvents++;
    if (inAcceptPublish) releasedMediaBytes += ev.message.payload.length;
  });
  session.on('connect', () => {
    const r = rnd();
    if (r < 0.8) session.acceptConnect({ properties: { extra: 1 } });
    else if (r < 0.9) session.rejectConnect('no');
    else if (r < 0.95) session.redirectConnect('rtmp://elsewhere/live');
    // else: left pending; commands queue up (bounded)
  });
  session.on('publish', (req) => {
    const r = rnd();
    if (r < 0.6) session.acceptPublish(req.streamId);
    else if (r < 0.75) session.rejectPublish(req.streamId, 'NetStream.Publish.BadName', 'Already publishing');
    else pendingPublishes.push(req.streamId);
  });
  session.on('play', (req) => {
    const r = rnd();
    if (r < 0.6) playsAccepted += session.acceptPlay(req.streamId) ? 1 : 0;
    else if (r < 0.75) session.playNotFound(req.streamId);
    else pendingPlays.push(req.streamId);
  });
  session.on('protocolError', (err) => {
    expect(err).toBeInstanceOf(RtmpError);
  });

  const base = pick(rnd, corpus);
  // some sessions are barely touched (they get deep into publish/play), some are shredded
  const rate = pick(rnd, [0.03, 0.1, 0.3, 0.7]);
  const script: RtmpMessage[] = [];
  for (const m of base) {
    const r = rnd();
    if (r < rate / 10) continue; // dropped
    script.push(mutateMessage(rnd, m, active, rate));
    if (r > 1 - rate / 10) script.push(mutateMessage(rnd, pick(rnd, base), active, rate)); // duplicated / out of order
  }

  const started = performance.now();
  let code: string | null = null;
  let total = 0;
  for (const m of script) {
    try {
      session.handleMessage(m, int(rnd, 2 ** 32));
    } catch (err) {
      if (!(err instanceof RtmpError)) throw err;
      code = err.code;
      break; // the server closes the connection here
    }
    for (const s of session.streams()) if (!active.includes(s.streamId)) active.push(s.streamId);
    total += m.payload.length + 12;
    session.onBytesReceived(rnd() < 0.1 ? total + 2 ** 32 - 1000 : total);
    // the application answers late, or pokes the session, at random moments
    const r = rnd();
    if (r < 0.05 && pendingPublishes.length > 0) {
      inAcceptPublish = true;
      releasedMediaBytes = 0;
      session.acceptPublish(pendingPublishes.shift()!);
      inAcceptPublish = false;
      expect(releasedMediaBytes).toBeLessThanOrEqual(MAX_PENDING_MEDIA);
    } else if (r < 0.08 && pendingPlays.length > 0) {
      session.acceptPlay(pendingPlays.shift()!);
    } else if (r < 0.1) {
      const id = pick(rnd, [0, 1, 2, ...active]);
      pick(rnd, [
        () => session.notifyUnpublished(id),
        () => session.notifyPublished(id),
        () => session.endPublish(id),
        () => session.requestReconnect('rtmp://next/live', 'drain'),
        () => session.ping(int(rnd, 2 ** 40)),
        () => session.acceptConnect(),
      ])();
    }
    expect(session.streams().length).toBeLessThanOrEqual(MAX_STREAMS);
  }
  session.close();
  session.close();
  // after close nothing is sent and nothing throws
  const before = sentCount;
  for (const m of script.slice(0, 5)) session.handleMessage(m);
  expect(sentCount).toBe(before);
  return { code, ms: performance.now() - started, media: mediaEvents, plays: playsAccepted };
}

describe('fuzz: session', () => {
  it('the corpus holds the real clients\' commands', () => {
    const names = corpus.map((msgs) => msgs.filter((m) => m.type === 20).length);
    expect(names.every((n) => n >= 3)).toBe(true);
  });

  it(`fuzz session: ${SESSIONS} sessions of mutated real-client messages only throw RtmpError, within bounds`, () => {
    const codes = new Map<string, number>();
    let slowest = 0;
    let withMedia = 0;
    let withPlay = 0;
    for (let run = 0; run < SESSIONS; run++) {
      const seed = 0x5e550000 + run;
      let result: RunResult;
      try {
        result = runSession(seed);
      } catch (err) {
        throw new Error(`seed ${seed}: ${String(err)}`, { cause: err });
      }
      slowest = Math.max(slowest, result.ms);
      if (result.media > 0) withMedia++;
      if (result.plays > 0) withPlay++;
      codes.set(result.code ?? 'ok', (codes.get(result.code ?? 'ok') ?? 0) + 1);
    }
    // sessions that survived to the end and several distinct refusal paths were reached
    expect(codes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(codes.get('SESSION_PROTOCOL_VIOLATION') ?? 0).toBeGreaterThan(0);
    expect(codes.size).toBeGreaterThan(3);
    // and deep states: publishes that delivered media, plays that were started
    expect(withMedia).toBeGreaterThan(SESSIONS / 50);
    expect(withPlay).toBeGreaterThan(SESSIONS / 50);
    expect(slowest).toBeLessThan(MAX_MS_PER_SESSION);
  });
});
