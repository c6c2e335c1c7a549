import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AmfByteArray,
  AmfDictionary,
  AmfEcmaArray,
  AmfTypedObject,
  AmfVector,
  AmfXml,
  MessageType,
  RtmpError,
  amfToPlain,
  decodeAmf0,
  decodeAmf3,
  decodeCommand,
  decodeData,
  encodeAmf0,
  encodeAmf3,
  encodeCommand,
  encodeData,
  parseAudioTag,
  parseConnectParams,
  parseVideoTag,
  type ProtocolLimits,
  type RtmpMessage,
} from '@rtmp-cluster/rtmp';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 3000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);
/** Generous per-input bound: the point is "no hang", the machine is noisy. */
const MAX_MS_PER_INPUT = 1000;

/** Deterministic xorshift32 so a failure can be replayed with FUZZ_SEED. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const msg = (type: number, payload: Buffer): RtmpMessage => ({ csid: 3, type, timestamp: 0, streamId: 1, payload });

const meta = new AmfEcmaArray({ width: 1280, height: 720, videocodecid: 7, framerate: 30, encoder: 'Lavf59' });
const shared = { a: 1 };
const seeds: Buffer[] = [
  encodeAmf0(['connect', 1, { app: 'live', tcUrl: 'rtmp://h/live', fourCcList: ['hvc1', 'av01'], capsEx: 15, objectEncoding: 3 }]),
  encodeAmf0(['@setDataFrame', 'onMetaData', meta]),
  encodeAmf0([shared, [shared, shared], new AmfTypedObject('Foo', { x: new Date(0) }), 'x'.repeat(300)]),
  encodeAmf0([new AmfVector('double', [1, 2]), new AmfByteArray(Buffer.from('abc')), new AmfXml('<a/>')]),
  encodeCommand({ name: 'publish', transactionId: 5, commandObject: null, args: ['key?token=abc', 'live'] }, 3),
  encodeData(['onMetaData', { width: 640, list: [1, 2, { deep: [true] }] }], 3),
  encodeAmf3([{ a: 1, b: 'b' }, new AmfTypedObject('T', { x: 1, y: [1, 2] }), new AmfDictionary([[1, 'a']]), new AmfVector('int', [1, 2, 3])]),
  encodeAmf3([new AmfEcmaArray({ k: 'v' }), new AmfVector('object', ['s', 's', null], true, 'T')]),
  Buffer.from('17000000000164001fffe1001967640028acd940780227e5c05a808080a0000003002000000781e30632c001000468efbcb0', 'hex'),
  Buffer.from('1701000021000000016588', 'hex'),
  Buffer.from('9768766331fffff600000002', 'hex'),
  Buffer.concat([Buffer.from([0x97, 0x02, 0x0f, 0x42, 0x3f, 0x06, 0x13]), Buffer.from('av01'), Buffer.from([1, 0, 0, 3, 9, 9, 9, 2, 0, 0, 1, 9])]),
  Buffer.concat([Buffer.from([0x96, 0x20]), Buffer.from('avc1'), Buffer.from([0, 0, 0, 2, 1, 2]), Buffer.from('vp09'), Buffer.from([1, 0, 0, 1, 7])]),
  Buffer.from('af001210', 'hex'),
  Buffer.concat([Buffer.from([0x95, 0x20]), Buffer.from('mp4a'), Buffer.from([0, 0, 0, 2, 0x11, 0x90]), Buffer.from('Opus'), Buffer.from([1, 0, 0, 1, 0xfc])]),
  Buffer.concat([Buffer.from([0x94]), Buffer.from('Opus'), Buffer.from([2, 3, 0, 1, 2])]),
];

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x05, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x10, 0x11, 0x7f, 0x80, 0xff];

function mutate(next: () => number, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const edits = 1 + (next() % 4);
  for (let e = 0; e < edits; e++) {
    const op = next() % 6;
    const at = b.length === 0 ? 0 : next() % b.length;
    if (op === 0 && b.length > 0) b[at] = next() & 0xff;
    else if (op === 1 && b.length > 0) b[at] = INTERESTING[next() % INTERESTING.length]!;
    else if (op === 2) b = b.subarray(0, at);
    else if (op === 3) b = Buffer.concat([b.subarray(0, at), Buffer.from([next() & 0xff, next() & 0xff]), b.subarray(at)]);
    else if (op === 4) b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + (next() % 8)))]);
    else {
      const other = seeds[next() % seeds.length]!;
      const from = next() % (other.length + 1);
      b = Buffer.concat([b.subarray(0, at), other.subarray(from)]);
    }
  }
  return b;
}

const tight: Partial<ProtocolLimits> = { maxAmfDepth: 6, maxAmfItems: 200 };

/** Runs every parser on `input`; anything thrown must be an RtmpError. Returns the slowest call in ms. */
function exercise(input: Buffer): number {
  let slowest = 0;
  const attempt = (fn: () => unknown): void => {
    const started = performance.now();
    try {
      fn();
    } catch (err) {
      if (!(err instanceof RtmpError)) {
        throw new Error(`non-RtmpError ${String(err)} for input ${input.toString('hex')}`, { cause: err });
      }
    }
    slowest = Math.max(slowest, performance.now() - started);
  };
  attempt(() => {
    const values = decodeAmf0(input);
    JSON.stringify(amfToPlain(values));
    encodeAmf0(values);
  });
  attempt(() => decodeAmf0(input, tight));
  attempt(() => {
    const values = decodeAmf3(input);
    JSON.stringify(amfToPlain(values));
    encodeAmf3(values);
  });
  attempt(() => decodeAmf3(input, tight));
  attempt(() => {
    const cmd = decodeCommand(msg(MessageType.CommandAmf0, input));
    parseConnectParams(cmd.commandObject);
    encodeCommand(cmd, 3);
  });
  attempt(() => decodeCommand(msg(MessageType.CommandAmf3, input)));
  attempt(() => decodeData(msg(MessageType.DataAmf0, input)));
  attempt(() => encodeData(decodeData(msg(MessageType.DataAmf3, input)), 3));
  attempt(() => parseVideoTag(input));
  attempt(() => parseAudioTag(input));
  return slowest;
}

describe('fuzz AMF, commands and media tags', () => {
  it(`fuzz: ${RUNS} mutated seeds (seed ${SEED}) throw only RtmpError and never hang`, () => {
    const next = rng(SEED);
    let slowest = 0;
    for (const s of seeds) slowest = Math.max(slowest, exercise(s));
    for (let i = 0; i < RUNS; i++) {
      const base = seeds[next() % seeds.length]!;
      slowest = Math.max(slowest, exercise(mutate(next, base)));
    }
    expect(slowest).toBeLessThan(MAX_MS_PER_INPUT);
  });

  it('fuzz: random byte strings (fast-check) throw only RtmpError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        expect(exercise(Buffer.from(bytes))).toBeLessThan(MAX_MS_PER_INPUT);
      }),
      { numRuns: Math.max(100, Math.floor(RUNS / 2)), seed: SEED },
    );
  });

  it('fuzz: marker-biased byte strings reach deep decoder paths', () => {
    const biased = fc.array(fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0, max: 255 })), { maxLength: 64 });
    fc.assert(
      fc.property(biased, (bytes) => {
        expect(exercise(Buffer.from(bytes))).toBeLessThan(MAX_MS_PER_INPUT);
      }),
      { numRuns: Math.max(100, Math.floor(RUNS / 2)), seed: SEED + 1 },
    );
  });

  it('fuzz bombs: deep nesting and huge declared counts are rejected fast, without allocating', () => {
    const bombs: Array<[string, () => unknown, string]> = [
      ['AMF0 nested strict arrays x 1e5', () => decodeAmf0(Buffer.concat(Array.from({ length: 100_000 }, () => Buffer.from('0a00000001', 'hex')))), 'AMF_DEPTH_EXCEEDED'],
      ['AMF0 nested objects x 1e5', () => decodeAmf0(Buffer.concat(Array.from({ length: 100_000 }, () => Buffer.from('03000161', 'hex')))), 'AMF_DEPTH_EXCEEDED'],
      ['AMF3 nested arrays x 1e5', () => decodeAmf3(Buffer.concat(Array.from({ length: 100_000 }, () => Buffer.from('090301', 'hex')))), 'AMF_DEPTH_EXCEEDED'],
      ['AMF0 strict array of 2^32-1', () => decodeAmf0(Buffer.from('0affffffff05', 'hex')), 'AMF_COUNT_EXCEEDED'],
      ['AMF0 4 GB long string', () => decodeAmf0(Buffer.from('0cffffffff41', 'hex')), 'AMF_TRUNCATED'],
      ['AMF3 dense array of 2^28-1', () => decodeAmf3(Buffer.from('09ffffffff01', 'hex')), 'AMF_COUNT_EXCEEDED'],
      ['AMF3 Vector.<Number> of 2^28-1', () => decodeAmf3(Buffer.from('0fffffffff00', 'hex')), 'AMF_COUNT_EXCEEDED'],
      ['AMF3 Vector.<int> of 60000 in 10 bytes', () => decodeAmf3(Buffer.from('0d87a9410000000000000000', 'hex')), 'AMF_TRUNCATED'],
      ['AMF3 2^24 sealed members', () => decodeAmf3(Buffer.from('0ac0808003010101', 'hex')), 'AMF_COUNT_EXCEEDED'],
      ['AMF3 dictionary of 2^28-1', () => decodeAmf3(Buffer.from('11ffffffff00', 'hex')), 'AMF_COUNT_EXCEEDED'],
      ['AMF3 ByteArray of 256 MB', () => decodeAmf3(Buffer.from('0cffffffff', 'hex')), 'AMF_TRUNCATED'],
      ['1e6 nulls with the default item bound', () => decodeAmf0(Buffer.alloc(1_000_000, 0x05)), 'AMF_COUNT_EXCEEDED'],
    ];
    for (const [name, fn, code] of bombs) {
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      let caught: unknown;
      try {
        fn();
      } catch (err) {
        caught = err;
      }
      const ms = performance.now() - started;
      expect(caught, name).toBeInstanceOf(RtmpError);
      expect((caught as RtmpError).code, name).toBe(code);
      expect(ms, name).toBeLessThan(MAX_MS_PER_INPUT);
      // nothing sized by the declared count was allocated (a 2^28-element array would be gigabytes)
      expect(process.memoryUsage().heapUsed - heapBefore, name).toBeLessThan(64 * 1024 * 1024);
    }
  });
});
