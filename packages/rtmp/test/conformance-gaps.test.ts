/**
 * Checklist items and "Quirks that bit other servers" that had no named test of their own
 * (see CONFORMANCE.md). Everything is asserted on bytes: chunk streams written out header
 * field by header field, decoded by ChunkDecoder, and where the quirk is about a session,
 * fed on into ServerSession.
 */
import { describe, expect, it } from 'vitest';
import { INITIAL_REASSEMBLY_BYTES } from '../src/chunk/ChunkDecoder.js';
import { AckCounter } from '../src/session/AckCounter.js';
import {
  ChunkDecoder,
  ChunkEncoder,
  MessageType,
  RtmpError,
  ServerHandshake,
  codecFromMetadataId,
  encodeData,
  encodeMessageShared,
  fourCcToNumber,
  parseProtocolControl,
  parseUserControl,
  parseVideoTag,
  setChunkSizeMessage,
  type AmfObject,
  type ProtocolLimits,
  type RtmpMessage,
} from '@rtmp-cluster/rtmp';
import { ServerHarness, clientCommand, media } from './session-harness.js';
import { readCapture } from './support/captures.js';
import { decodeOk, msg } from './support/chunkDecoding.js';
import { h } from './support/hex.js';
import { errorCode } from './support/rtmpError.js';

const SET_CHUNK_SIZE_4 = h`02 000000 000004 01 00000000  00000004`;
const setChunkSize4 = msg(2, 1, 0, 0, '00000004');

describe('quirk: extended timestamps on type-3 chunks past 4h39m (NMS #25)', () => {
  it('[conf 12] [conf 14] a stream crossing 0xFFFFFF ms keeps its timestamps through type-2, type-3 and type-0 headers', () => {
    const bytes = Buffer.concat([
      SET_CHUNK_SIZE_4,
      // 0xFFFFF0: still fits the 24-bit field
      h`06 fffff0 000006 09 01000000  17010000  c6 0001`,
      // delta 0x21 crosses 0xFFFFFF; a small delta needs no extended field, neither do its continuations
      h`86 000021  27010000  c6 0002`,
      // a type-3 header starting the next message reuses the delta
      h`c6  27010000  c6 0003`,
      // an absolute timestamp > 0xFFFFFF needs the extended field; ffmpeg repeats it on the continuation
      h`06 ffffff 000006 09 01000000 01000053  17010000  c6 01000053  0004`,
      // other encoders do not repeat it
      h`06 ffffff 000006 09 01000000 01000074  27010000  c6  0005`,
    ]);
    expect(decodeOk(bytes)).toEqual([
      setChunkSize4,
      msg(6, 9, 0xfffff0, 1, '170100000001'),
      msg(6, 9, 0x1000011, 1, '270100000002'),
      msg(6, 9, 0x1000032, 1, '270100000003'),
      msg(6, 9, 0x1000053, 1, '170100000004'),
      msg(6, 9, 0x1000074, 1, '270100000005'),
    ]);
  });

  it('[conf 13] the encoders repeat the extended timestamp on every continuation once the stream is past 0xFFFFFF ms', () => {
    // a 10-byte frame at 4h39m37.216s in 4-byte chunks: type 0 + 2 continuations, each with the 4 extra bytes
    const frame = msg(6, 9, 0x1000000, 1, '27010000 aabbccddeeff');
    const expected = h`06 ffffff 00000a 09 01000000 01000000  27010000  c6 01000000 aabbccdd  c6 01000000 eeff`;
    expect(encodeMessageShared(frame, 4).toString('hex')).toBe(expected.toString('hex'));
    const encoder = new ChunkEncoder(4);
    expect(encoder.encode(frame).toString('hex')).toBe(expected.toString('hex'));
  });

  it('[conf 12] [conf 13] [conf 14] 30 fps video and audio across the 0xFFFFFF boundary round-trip through both encoders', () => {
    const sent: RtmpMessage[] = [];
    const start = 0xffffff - 3000;
    for (let i = 0; i < 300; i++) {
      const video = Buffer.alloc(50 + ((i * 37) % 400), i & 0xff);
      video[0] = i % 30 === 0 ? 0x17 : 0x27;
      sent.push(msg(6, 9, start + Math.floor((i * 1000) / 30), 1, video));
      sent.push(msg(4, 8, start + i * 21, 1, Buffer.from([0xaf, 0x01, i & 0xff, 0x10])));
    }
    expect(sent.some((m) => m.timestamp < 0xffffff)).toBe(true);
    expect(sent.some((m) => m.timestamp > 0xffffff)).toBe(true);
    const encoder = new ChunkEncoder(128);
    expect(decodeOk(Buffer.concat(sent.map((m) => encoder.encode(m))))).toEqual(sent);
    expect(decodeOk(Buffer.concat(sent.map((m) => encodeMessageShared(m, 128))))).toEqual(sent);
  });
});

describe('quirk: chunk stream ids >= 32 (nginx-rtmp #246)', () => {
  it('[conf 8] [conf 9] csids 32, 33, 63, 64, 1000 and 65599 are all accepted with their basic header forms', () => {
    const bytes = h`20          000000 000001 08 01000000 20
                    21          000000 000001 08 01000000 21
                    3f          000000 000001 08 01000000 3f
                    00 00       000000 000001 08 01000000 40
                    01 a8 03    000000 000001 08 01000000 e8
                    01 ff ff    000000 000001 08 01000000 ff
                    c1 a8 03    01`;
    expect(decodeOk(bytes).map((m) => [m.csid, m.payload.toString('hex')])).toEqual([
      [32, '20'],
      [33, '21'],
      [63, '3f'],
      [64, '40'],
      [1000, 'e8'],
      [65599, 'ff'],
      [1000, '01'],
    ]);
  });
});

describe('quirk: chunk size extremes (SRS rejects < 128; 134217728 from a restreamer)', () => {
  it('[conf 17] Set Chunk Size 1: a 20-byte message in 20 chunks, each continuation repeating the extended timestamp', () => {
    const body = Buffer.from(Array.from({ length: 20 }, (_, i) => i + 1));
    const parts = [h`02 000000 000004 01 00000000  00000001`, h`06 ffffff 000014 09 01000000 01234567`, body.subarray(0, 1)];
    for (let i = 1; i < body.length; i++) parts.push(h`c6 01234567`, body.subarray(i, i + 1));
    const out = decodeOk(Buffer.concat(parts));
    expect(out).toEqual([msg(2, 1, 0, 0, '00000001'), msg(6, 9, 0x01234567, 1, body)]);
    // and what we would write at chunk size 1 is exactly these bytes
    expect(encodeMessageShared(out[1]!, 1).equals(Buffer.concat(parts.slice(1)))).toBe(true);
  });

  it('[conf 17] Set Chunk Size 134217728: a 300000-byte message in one chunk, memory bounded by the message size', () => {
    const body = Buffer.alloc(300_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const head = h`02 000000 000004 01 00000000  08000000   06 000000 0493e0 09 01000000`;
    const out: RtmpMessage[] = [];
    const decoder = new ChunkDecoder((m) => out.push(m));
    const before = process.memoryUsage().arrayBuffers;
    decoder.push(head);
    decoder.push(body.subarray(0, 1000));
    expect(decoder.chunkSize).toBe(134_217_728);
    // what arrived, rounded up to the first reservation: not the declared 300 000
    expect(decoder.pendingBytes).toBe(INITIAL_REASSEMBLY_BYTES);
    // nothing sized by the 128 MiB chunk size was allocated
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    decoder.push(body.subarray(1000));
    expect(decoder.pendingBytes).toBe(0);
    expect(out.map((m) => [m.type, m.payload.length])).toEqual([
      [1, 4],
      [9, 300_000],
    ]);
    expect(out[1]!.payload.equals(body)).toBe(true);
  });

  it('[conf 17] 134217728 and 0x7FFFFFFF are accepted when the configured cap allows them, CHUNK_SIZE_INVALID above it', () => {
    const scs = (hex: string): Buffer => Buffer.concat([h`02 000000 000004 01 00000000`, Buffer.from(hex, 'hex'), h`03 000000 000002 14 00000000 0102`]);
    const sizes: Array<[string, Partial<ProtocolLimits> | undefined, string | number]> = [
      ['08000000', undefined, 134_217_728],
      ['7fffffff', undefined, 0x7fffffff],
      ['7fffffff', { maxChunkSize: 0x7fffffff }, 0x7fffffff],
      ['08000000', { maxChunkSize: 134_217_728 }, 134_217_728],
      ['7fffffff', { maxChunkSize: 134_217_728 }, 'CHUNK_SIZE_INVALID'],
      ['08000000', { maxChunkSize: 65_536 }, 'CHUNK_SIZE_INVALID'],
    ];
    for (const [hex, limits, expected] of sizes) {
      const decoder = new ChunkDecoder(() => undefined, { limits });
      const code = errorCode(() => decoder.push(scs(hex)));
      expect([hex, limits, code ?? decoder.chunkSize]).toEqual([hex, limits, expected]);
      if (code === undefined) expect(decoder.pendingBytes).toBe(0);
    }
  });
});

describe('quirk: stale chunk size (obs-studio #877/#878): chunk size is per direction', () => {
  it('[conf 16] [conf 18] the server announcing 4096 does not change how the client chunks are read', () => {
    const h0 = new ServerHarness({ outChunkSize: 4096 });
    const decoder = new ChunkDecoder((m) => h0.feed(m, 0));
    decoder.push(new ChunkEncoder().encode(clientCommand('connect', 1, { app: 'live' })));
    h0.session.acceptConnect();
    expect(h0.take()).toContain('SetChunkSize(4096)');
    expect(h0.session.outChunkSize).toBe(4096);
    // the client keeps writing 128-byte chunks until it sends its own Set Chunk Size
    const big = clientCommand('createStream', 2, { pad: 'x'.repeat(300) });
    const at128 = new ChunkEncoder(128).encode(big);
    const continuations = Math.ceil(big.payload.length / 128) - 1;
    expect(continuations).toBeGreaterThanOrEqual(2);
    expect(at128.length).toBe(12 + big.payload.length + continuations); // 1-byte type-3 headers between 128-byte chunks
    decoder.push(at128);
    expect(decoder.chunkSize).toBe(128);
    expect(h0.session.peerChunkSize).toBe(128);
    expect(h0.take()).toEqual(['_result(2)@0']);
  });

  it('[conf 18] acceptConnect sends Set Chunk Size 4096 by default, and ffmpeg mirrors it (bytes from the capture)', () => {
    const h0 = new ServerHarness();
    h0.feed(clientCommand('connect', 1, { app: 'live' }));
    h0.session.acceptConnect();
    const scs = h0.takeMessages().find((m) => m.type === MessageType.SetChunkSize)!;
    expect(scs.payload.toString('hex')).toBe('00001000');
    expect(parseProtocolControl(scs)).toEqual({ kind: 'setChunkSize', size: 4096 });

    const c2s = readCapture('ffmpeg-publish', 'c2s');
    const step = new ServerHandshake().push(c2s);
    const fromFfmpeg: RtmpMessage[] = [];
    const rec = new ChunkDecoder((m) => fromFfmpeg.push(m));
    rec.push(step.remainder); // the capture ends mid-message: that one simply stays pending
    const mirrored = fromFfmpeg.find((m) => m.type === MessageType.SetChunkSize);
    expect(mirrored?.payload.toString('hex')).toBe('00001000');
    expect(rec.chunkSize).toBe(4096);
  });
});

describe('quirk: acknowledgement counter wrap at 4 GiB (SRS #598, #730)', () => {
  it('[conf 24] the Acknowledgement after the wrap carries bytes mod 2^32, with unwrapped and wrapped byte counters', () => {
    for (const wrapped of [false, true]) {
      const h0 = new ServerHarness({ windowAckSize: 2_500_000 });
      h0.feed(clientCommand('connect', 1, { app: 'live' }));
      h0.session.acceptConnect();
      h0.takeMessages();
      const feedTotal = (n: number): void => h0.session.onBytesReceived(wrapped ? n % 2 ** 32 : n);
      feedTotal(4_294_000_000);
      feedTotal(4_294_000_000 + 2_499_999); // 1 byte short of a window, across the wrap
      feedTotal(4_294_000_000 + 2_500_000);
      const acks = h0.takeMessages();
      expect(acks.map((m) => [m.csid, m.type, m.streamId, m.payload.toString('hex')])).toEqual([
        [2, 3, 0, 'fff13d80'], // 4,294,000,000
        [2, 3, 0, '00176320'], // 4,296,500,000 - 2^32 = 1,532,704
      ]);
    }
  });

  it('[conf 24] AckCounter keeps acking every window over 3 wraps (12 GiB)', () => {
    const counter = new AckCounter(2_500_000);
    let acks = 0;
    let last = 0;
    for (let total = 0; total <= 3 * 2 ** 32; total += 1_000_000) {
      const seq = counter.update(total);
      if (seq === undefined) continue;
      acks++;
      expect(seq).toBe(total % 2 ** 32);
      if (acks > 1) expect(((seq - last) >>> 0) % 2 ** 32).toBe(3_000_000);
      last = seq;
    }
    expect(acks).toBe(Math.floor((3 * 2 ** 32) / 3_000_000));
  });
});

// A real HEVCDecoderConfigurationRecord from x265 (64x64, Main profile), VPS/SPS/PPS arrays only.
const HVCC = h`01 01 60000000 900000000000 1e f000 fc fd f8 f8 0000 0f 03
  a0 0001 0018 40010c01ffff01600000030090000003000003001e959809
  a1 0001 0028 42010101600000030090000003000003001ea020810596566924caf0168080000003008000000c84
  a2 0001 0007 4401c172b42240`;

describe('quirk: HEVC signalled in several ways', () => {
  it('[conf 55] [conf 62] legacy codec id 12 and Enhanced RTMP FourCC hvc1 give the same codec and decoder config', () => {
    const legacy = parseVideoTag(Buffer.concat([h`1c 00 000000`, HVCC]));
    const enhanced = parseVideoTag(Buffer.concat([h`90`, Buffer.from('hvc1'), HVCC]));
    for (const info of [legacy, enhanced]) {
      expect(info).toMatchObject({ codec: 'hevc', isSequenceHeader: true, isKeyframe: false });
      expect(info.config).toMatchObject({ kind: 'hevc', profile: 1, width: 64, height: 64, nalLengthSize: 4 });
    }
    expect(legacy.codecId).toBe(12);
    expect(enhanced.fourcc).toBe('hvc1');
    // frames: legacy NALU keyframe with CTS, enhanced CodedFrames (SI24 CTS) and CodedFramesX (none)
    expect(parseVideoTag(h`1c 01 000021 00000002 2601`)).toMatchObject({ codec: 'hevc', isKeyframe: true, compositionTime: 33 });
    expect(parseVideoTag(Buffer.concat([h`91`, Buffer.from('hvc1'), h`000021 00000002 2601`]))).toMatchObject({
      codec: 'hevc',
      isKeyframe: true,
      compositionTime: 33,
    });
    expect(parseVideoTag(Buffer.concat([h`a3`, Buffer.from('hvc1'), h`00000002 0201`]))).toMatchObject({
      codec: 'hevc',
      isKeyframe: false,
      compositionTime: 0,
    });
  });

  it('[conf 60] onMetaData videocodecid 12, 1752589105 (hvc1 as a number) and "hvc1" all name HEVC', () => {
    expect(fourCcToNumber('hvc1')).toBe(1752589105);
    expect([12, 1752589105, 'hvc1'].map((id) => codecFromMetadataId(id))).toEqual(['hevc', 'hevc', 'hevc']);
  });

  it('[conf 62] an HEVC record sent under codec id 7 (old OBS forks) is not rejected: the bytes pass unchanged', () => {
    const tag = Buffer.concat([h`17 00 000000`, HVCC]);
    const info = parseVideoTag(tag);
    expect(info).toMatchObject({ isSequenceHeader: true, dataOffset: 5, dataLength: HVCC.length });
    const h0 = new ServerHarness();
    const id = h0.publishing();
    h0.feed(media(9, id, 0, tag));
    expect(h0.eventsNamed('media').map((m) => m.message.payload.equals(tag))).toEqual([true]);
  });
});

describe('quirk: tiny messages (the 5-byte AVC end of sequence crashed a server)', () => {
  it('[conf 62] [conf 20] the 5-byte end of sequence at chunk size 1 and an empty audio message reach the publisher stream', () => {
    const bytes = Buffer.concat([
      h`02 000000 000004 01 00000000 00000001`,
      h`06 000fa0 000005 09 01000000 17  c6 02  c6 00  c6 00  c6 00`,
      h`04 000fa0 000000 08 01000000`,
    ]);
    const h0 = new ServerHarness();
    const id = h0.publishing();
    expect(id).toBe(1);
    const decoded = decodeOk(bytes);
    for (const m of decoded) h0.feed(m);
    const got = h0.eventsNamed('media').map((m) => [m.kind, m.message.timestamp, m.message.payload.toString('hex')]);
    expect(got).toEqual([
      ['video', 4000, '1702000000'],
      ['audio', 4000, ''],
    ]);
    expect(parseVideoTag(h0.eventsNamed('media')[0]!.message.payload)).toMatchObject({ isEndOfSequence: true, dataLength: 0 });
  });
});

describe('quirk: timestamps jumping backwards', () => {
  it('[conf 15] [conf 10] the decoder accepts a type-0 header going back, also from past 0xFFFFFF to 0 (publisher restart)', () => {
    const bytes = h`06 0003e8 000002 09 01000000 aa01
                    06 0001f4 000002 09 01000000 bb02
                    86 00000a cc03
                    06 ffffff 000002 09 01000000 01000000 dd04
                    06 000000 000002 09 01000000 ee05
                    c6 ff06`;
    const out = decodeOk(bytes);
    expect(out.map((m) => m.timestamp)).toEqual([1000, 500, 510, 0x1000000, 0, 0]);
  });

  it('[conf 15] ServerSession passes backwards timestamps on as they came (repair is the hub\'s business)', () => {
    const h0 = new ServerHarness();
    const id = h0.publishing();
    for (const ts of [1000, 500, 0x1000000, 0, 40]) h0.feed(media(9, id, ts, h`2701000000 aa`));
    expect(h0.eventsNamed('media').map((m) => m.message.timestamp)).toEqual([1000, 500, 0x1000000, 0, 40]);
  });
});

describe('no particular first packet', () => {
  it('[conf 66] audio before video, a first video that is no keyframe, headers at 0 and frames past 0xFFFFFF all reach the session', () => {
    const bytes = h`04 000000 000004 08 01000000  af001190
                    04 ffffff 000003 08 01000000 01000000  af01aa
                    06 000000 00000a 09 01000000  1700000000 0142c01eff
                    06 ffffff 000006 09 01000000 01000005  270100000001
                    06 ffffff 000006 09 01000000 01000026  170100000002`;
    const h0 = new ServerHarness();
    const id = h0.publishing();
    for (const m of decodeOk(bytes)) h0.feed(m);
    const events = h0.eventsNamed('media').map((m) => [m.kind, m.streamId, m.message.timestamp]);
    expect(events).toEqual([
      ['audio', id, 0],
      ['audio', id, 0x1000000],
      ['video', id, 0],
      ['video', id, 0x1000005],
      ['video', id, 0x1000026],
    ]);
    const video = h0.eventsNamed('media').filter((m) => m.kind === 'video').map((m) => parseVideoTag(m.message.payload));
    expect(video.map((v) => [v.isSequenceHeader, v.isKeyframe])).toEqual([
      [true, false],
      [false, false],
      [false, true],
    ]);
    expect(h0.session.stats.mediaIgnored).toBe(0);
  });
});

describe('session messages checked by bytes', () => {
  it('[conf 28] StreamBegin(0) after connect, StreamBegin(msid) right before Publish.Start and Play.Start', () => {
    const h0 = new ServerHarness();
    h0.feed(clientCommand('connect', 1, { app: 'live' }));
    h0.session.acceptConnect();
    const begin0 = h0.takeMessages().filter((m) => m.type === MessageType.UserControl);
    expect(begin0.map((m) => [m.csid, m.streamId, m.payload.toString('hex')])).toEqual([[2, 0, '000000000000']]);
    for (const [command, accept] of [
      ['publish', (id: number) => h0.session.acceptPublish(id)],
      ['play', (id: number) => h0.session.acceptPlay(id)],
    ] as const) {
      h0.feed(clientCommand('createStream', 2, null));
      expect(h0.take()).toHaveLength(1); // the _result
      const streamId = h0.session.streams().at(-1)!.streamId;
      h0.feed(clientCommand(command, 0, null, ['key' + streamId], { streamId }));
      expect(accept(streamId)).toBe(true);
      const sent = h0.take();
      expect(sent[0]).toBe(`StreamBegin(${streamId})`);
      expect(sent[1]).toBe(`onStatus(NetStream.${command === 'publish' ? 'Publish' : 'Play'}.${command === 'publish' ? 'Start' : 'Reset'})@${streamId}`);
    }
  });

  it('[conf 31] a live play never gets StreamIsRecorded (event 4), nor StreamDry', () => {
    const h0 = new ServerHarness();
    const id = h0.connectAndCreateStream();
    h0.feed(clientCommand('play', 0, null, ['key', -1000], { streamId: id }));
    h0.session.acceptPlay(id);
    h0.session.notifyUnpublished(id);
    h0.session.notifyPublished(id);
    const events = h0.takeMessages().filter((m) => m.type === MessageType.UserControl).map((m) => parseUserControl(m).kind);
    expect(events).toEqual(['streamBegin', 'streamEof', 'streamBegin']);
  });

  it('[conf 42] quirk: no unsolicited onBWDone, and _checkbw is answered with a plain _result', () => {
    const h0 = new ServerHarness();
    h0.feed(clientCommand('connect', 1, { app: 'live' }));
    h0.session.acceptConnect();
    h0.feed(clientCommand('_checkbw', 2, null));
    h0.feed(clientCommand('createStream', 3, null));
    const sent = h0.take();
    expect(sent.filter((s) => /onBWDone/.test(s))).toEqual([]);
    expect(sent.slice(-2)).toEqual(['_result(2)@0', '_result(3)@0']);
  });

  it('[conf 49] quirk: metadata without videocodecid (some cameras) and with a FourCC number is accepted and re-sent as onMetaData', () => {
    const h0 = new ServerHarness();
    const id = h0.publishing();
    const first: AmfObject = { width: 640, height: 360 };
    const second: AmfObject = { width: 640, videocodecid: 1752589105 };
    h0.feed(msg(5, MessageType.DataAmf0, 0, id, encodeData(['@setDataFrame', 'onMetaData', first])));
    h0.feed(msg(5, MessageType.DataAmf0, 0, id, encodeData(['onMetaData', second])));
    const meta = h0.eventsNamed('metadata');
    expect(meta.map((m) => (m.metadata as AmfObject)['videocodecid'])).toEqual([undefined, 1752589105]);
    expect(meta.map((m) => m.message.payload.subarray(0, 13).toString('latin1'))).toEqual(['\x02\x00\x0aonMetaData', '\x02\x00\x0aonMetaData']);
    expect(codecFromMetadataId((meta[1]!.metadata as AmfObject)['videocodecid'] as number)).toBe('hevc');
  });
});

describe('chunk size change takes effect from the next chunk', () => {
  it('[conf 16] a Set Chunk Size on csid 2 between two chunks of a message on csid 3 changes the rest of that message', () => {
    // 10-byte message: 4 bytes at size 4, then Set Chunk Size 6, then the remaining 6 bytes in one chunk
    const bytes = Buffer.concat([
      SET_CHUNK_SIZE_4,
      h`03 000000 00000a 14 00000000  00010203`,
      h`02 000000 000004 01 00000000  00000006`,
      h`c3 040506070809`,
    ]);
    expect(decodeOk(bytes)).toEqual([
      setChunkSize4,
      msg(2, 1, 0, 0, '00000006'),
      msg(3, 20, 0, 0, '00010203040506070809'),
    ]);
    expect(setChunkSizeMessage(6).payload.toString('hex')).toBe('00000006');
  });
});
