import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AmfEcmaArray,
  AmfLongString,
  AmfVector,
  MessageType,
  RtmpError,
  commandMessage,
  decodeCommand,
  decodeData,
  encodeAmf0,
  encodeCommand,
  encodeData,
  extractMetadata,
  parseConnectParams,
  parseStreamName,
  stripSetDataFrame,
  type AmfValue,
  type RtmpCommand,
} from '@rtmp-cluster/rtmp';
import { msg as message } from './support/chunkDecoding.js';
import { h } from './support/hex.js';
import { errorCode } from './support/rtmpError.js';

/** A command or data message as a client sends it on csid 3, message stream 0. */
const msg = (type: number, payload: Buffer) => message(3, type, 0, 0, payload);

describe('commands', () => {
  it('[conf 37] decodes an AMF0 connect (type 20) as ffmpeg sends it', () => {
    const payload = encodeAmf0([
      'connect',
      1,
      { app: 'live', flashVer: 'FMLE/3.0 (compatible; Lavf59.27.100)', tcUrl: 'rtmp://127.0.0.1:1935/live', type: 'nonprivate' },
    ]);
    const cmd = decodeCommand(msg(MessageType.CommandAmf0, payload));
    expect(cmd.name).toBe('connect');
    expect(cmd.transactionId).toBe(1);
    expect(cmd.args).toEqual([]);
    expect((cmd.commandObject as Record<string, AmfValue>)['app']).toBe('live');
  });

  it('[conf 36] type 17 skips the 0x00 format byte and follows AVM+ switches to AMF3', () => {
    // 00 | "createStream" | 2.0 | 0x11 + AMF3 null | 0x11 + AMF3 object {a: 1}
    const payload = h`00 02 000c 63726561746553747265616d 00 4000000000000000 11 01 11 0a 0b 01 03 61 04 01 01`;
    const cmd = decodeCommand(msg(MessageType.CommandAmf3, payload));
    expect(cmd).toStrictEqual({ name: 'createStream', transactionId: 2, commandObject: null, args: [{ a: 1 }] });
    // a type 17 without the format byte is still read
    expect(decodeCommand(msg(MessageType.CommandAmf3, payload.subarray(1))).name).toBe('createStream');
  });

  it('[conf 37] encodeCommand with encoding 3 writes the format byte and AMF3 objects; decode returns the same command', () => {
    const cmd: RtmpCommand = {
      name: '_result',
      transactionId: 1,
      commandObject: { fmsVer: 'FMS/3,0,1,123', capabilities: 31 },
      args: [{ level: 'status', code: 'NetConnection.Connect.Success', objectEncoding: 3 }, new AmfVector('int', [1])],
    };
    const payload = encodeCommand(cmd, 3);
    expect(payload[0]).toBe(0x00);
    expect(payload[1]).toBe(0x02);
    expect(payload.includes(0x11)).toBe(true);
    expect(decodeCommand(msg(MessageType.CommandAmf3, payload))).toStrictEqual(cmd);
    const m = commandMessage(cmd, { encoding: 3, streamId: 1 });
    expect(m).toMatchObject({ type: MessageType.CommandAmf3, csid: 3, streamId: 1, timestamp: 0 });
    expect(decodeCommand(m)).toStrictEqual(cmd);
    const m0 = commandMessage(cmd, {});
    expect(m0.type).toBe(MessageType.CommandAmf0);
    expect(m0.payload[0]).toBe(0x02);
    expect(decodeCommand(m0)).toStrictEqual(cmd);
  });

  it('[conf 45] accepts transaction id 0 (GStreamer rtmp2) and a command without command object', () => {
    const cmd = decodeCommand(msg(MessageType.CommandAmf0, encodeAmf0(['FCPublish', 0])));
    expect(cmd).toStrictEqual({ name: 'FCPublish', transactionId: 0, commandObject: null, args: [] });
  });

  it('COMMAND_MALFORMED without a name or transaction id, or for a non-command type', () => {
    expect(errorCode(() => decodeCommand(msg(20, Buffer.alloc(0))))).toBe('COMMAND_MALFORMED');
    expect(errorCode(() => decodeCommand(msg(20, encodeAmf0([1, 2]))))).toBe('COMMAND_MALFORMED');
    expect(errorCode(() => decodeCommand(msg(20, encodeAmf0(['play']))))).toBe('COMMAND_MALFORMED');
    expect(errorCode(() => decodeCommand(msg(20, encodeAmf0(['play', 'x']))))).toBe('COMMAND_MALFORMED');
    expect(errorCode(() => decodeCommand(msg(18, encodeAmf0(['play', 1]))))).toBe('COMMAND_MALFORMED');
    expect(errorCode(() => decodeCommand(msg(20, h`02 0004 706c6179 04`)))).toBe('AMF_UNSUPPORTED_MARKER');
  });

  it('accepts a command name sent as a long string', () => {
    expect(decodeCommand(msg(20, encodeAmf0([new AmfLongString('publish'), 5, null, 'key']))).name).toBe('publish');
  });

  it('encode/decode round trip for arbitrary commands (property)', () => {
    const value = fc.oneof(fc.double({ noNaN: true }), fc.string(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.string(), { noNullPrototype: true }));
    fc.assert(
      fc.property(fc.string(), fc.double({ noNaN: true }), value, fc.array(value, { maxLength: 3 }), fc.constantFrom<0 | 3>(0, 3), (name, txn, obj, args, enc) => {
        const cmd: RtmpCommand = { name, transactionId: txn, commandObject: obj, args };
        expect(decodeCommand(commandMessage(cmd, { encoding: enc }))).toStrictEqual(cmd);
      }),
      { numRuns: 300 },
    );
  });
});

describe('data messages', () => {
  it('[conf 49] @setDataFrame onMetaData (type 18): strip the prefix, metadata readable as a record', () => {
    const meta = new AmfEcmaArray({ width: 1280, height: 720, videocodecid: 7, audiocodecid: 10, encoder: 'Lavf59.27.100' });
    const values = decodeData(msg(MessageType.DataAmf0, encodeData(['@setDataFrame', 'onMetaData', meta])));
    const stripped = stripSetDataFrame(values);
    expect(stripped).toStrictEqual(['onMetaData', meta]);
    const m = extractMetadata(values);
    expect(m?.['width']).toBe(1280);
    expect(extractMetadata(stripped)?.['height']).toBe(720);
    // a data message that is not metadata passes unchanged
    expect(stripSetDataFrame(['onCuePoint', { t: 1 }])).toStrictEqual(['onCuePoint', { t: 1 }]);
    expect(extractMetadata(['onCuePoint', { t: 1 }])).toBeNull();
    expect(extractMetadata(['onMetaData', 'not an object'])).toBeNull();
  });

  it('[conf 36] type 15 data: format byte then AMF0 with AMF3 switches', () => {
    const values: AmfValue[] = ['onMetaData', { width: 640, framerate: 29.97 }];
    const payload = encodeData(values, 3);
    expect(payload[0]).toBe(0x00);
    expect(decodeData(msg(MessageType.DataAmf3, payload))).toStrictEqual(values);
    expect(errorCode(() => decodeData(msg(MessageType.CommandAmf0, payload)))).toBe('COMMAND_MALFORMED');
  });
});

describe('connect parameters [conf 39]', () => {
  it('[conf 39] reads app, tcUrl, flashVer, objectEncoding and enhanced RTMP fields', () => {
    const p = parseConnectParams({
      app: 'live',
      type: 'nonprivate',
      flashVer: 'FMLE/3.0 (compatible; obs-studio/30.0)',
      swfUrl: 'rtmp://h/live',
      tcUrl: 'rtmp://h/live',
      pageUrl: 'http://example/page',
      objectEncoding: 3,
      fourCcList: ['av01', 'vp09', 'hvc1', 42],
      capsEx: 15,
      videoFourCcInfoMap: new AmfEcmaArray({ hvc1: 3, av01: 1, bad: 'x' }),
      audioFourCcInfoMap: { Opus: 4 },
    });
    expect(p).toMatchObject({
      app: 'live',
      tcUrl: 'rtmp://h/live',
      flashVer: 'FMLE/3.0 (compatible; obs-studio/30.0)',
      swfUrl: 'rtmp://h/live',
      pageUrl: 'http://example/page',
      objectEncoding: 3,
      fourCcList: ['av01', 'vp09', 'hvc1'],
      capsEx: 15,
      videoFourCcInfoMap: { hvc1: 3, av01: 1 },
      audioFourCcInfoMap: { Opus: 4 },
    });
    expect(p.raw['type']).toBe('nonprivate');
  });

  it('[conf 39] requires nothing: librtmp connect without flashVer, tcUrl or objectEncoding', () => {
    const p = parseConnectParams({ app: 'live' });
    expect(p).toStrictEqual({
      app: 'live',
      tcUrl: undefined,
      flashVer: undefined,
      swfUrl: undefined,
      pageUrl: undefined,
      objectEncoding: 0,
      fourCcList: undefined,
      capsEx: 0,
      videoFourCcInfoMap: undefined,
      audioFourCcInfoMap: undefined,
      raw: { app: 'live' },
    });
    expect(parseConnectParams(null).app).toBeUndefined();
    expect(parseConnectParams(undefined).raw).toEqual({});
    expect(parseConnectParams({ objectEncoding: 1 }).objectEncoding).toBe(0);
  });

  it('[conf 59] fourCcList "*" means any codec', () => {
    expect(parseConnectParams({ fourCcList: '*' }).fourCcList).toEqual(['*']);
    expect(parseConnectParams({ fourCcList: ['*'] }).fourCcList).toEqual(['*']);
  });
});

describe('stream names [conf 47]', () => {
  it('[conf 47] splits the key from its query', () => {
    expect(parseStreamName('key?token=abc')).toEqual({ name: 'key', query: { token: 'abc' } });
    expect(parseStreamName('cam1?token=a%20b&x=1&x=2&flag')).toEqual({ name: 'cam1', query: { token: 'a b', x: '1', flag: '' } });
    expect(parseStreamName('plain')).toEqual({ name: 'plain', query: {} });
    expect(parseStreamName('')).toEqual({ name: '', query: {} });
    const p = parseStreamName('k?__proto__=1');
    expect(Object.getPrototypeOf(p.query)).toBe(Object.prototype);
    expect(p.query['__proto__']).toBe('1');
  });
});
