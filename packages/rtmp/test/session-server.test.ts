import { describe, expect, it } from 'vitest';
import {
  AmfEcmaArray,
  MessageType,
  RtmpError,
  decodeCommand,
  decodeData,
  encodeData,
  userControlMessage,
  windowAckSizeMessage,
  setPeerBandwidthMessage,
  setChunkSizeMessage,
  acknowledgementMessage,
  type AmfObject,
  type ConnectRequest,
  type SessionPlayRequest,
  type SessionPublishRequest,
  type RtmpMessage,
  type StreamEndEvent,
} from '@rtmp-cluster/rtmp';
import { ServerHarness, clientCommand, media, statusInfo } from './session-harness.js';
import { expectRtmpError } from './support/rtmpError.js';

function expectViolation(fn: () => void, pattern: RegExp): void {
  expectRtmpError(fn, 'SESSION_PROTOCOL_VIOLATION', pattern);
}

describe('ServerSession connect', () => {
  it('[conf 23] accept sends WinAck, SetPeerBW(limit 2), StreamBegin(0), SetChunkSize, then _result, and switches the encoder in between', () => {
    const h = new ServerHarness({ outChunkSize: 4096 });
    h.feed(clientCommand('connect', 1, { app: 'live', tcUrl: 'rtmp://127.0.0.1:1935/live', flashVer: 'FMLE/3.0', objectEncoding: 0 }));
    expect(h.sent).toHaveLength(0); // nothing before the application answered
    expect(h.session.state).toBe('connecting');
    expect(h.session.acceptConnect()).toBe(true);
    expect(h.log).toEqual([
      'event:connect',
      'send:WinAck(2500000)',
      'send:SetPeerBW(2500000,2)',
      'send:StreamBegin(0)',
      'send:SetChunkSize(4096)',
      'event:outChunkSize',
      'send:_result(1)@0',
    ]);
    expect(h.eventsNamed('outChunkSize')).toEqual([4096]);
    expect(h.session.outChunkSize).toBe(4096);
    expect(h.session.state).toBe('connected');
  });

  it('[conf 22] control messages go on csid 2 msid 0, the connect reply on csid 3 msid 0', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live' }));
    h.session.acceptConnect();
    const sent = h.takeMessages();
    for (const m of sent.slice(0, 4)) expect([m.csid, m.streamId]).toEqual([2, 0]);
    expect([sent[4]!.csid, sent[4]!.streamId, sent[4]!.type]).toEqual([3, 0, MessageType.CommandAmf0]);
  });

  it('[conf 40] _result carries fmsVer, capabilities 31, mode 1 and Connect.Success with objectEncoding echoed', () => {
    const h = new ServerHarness({ windowAckSize: 5_000_000, peerBandwidth: 6_000_000, outChunkSize: 60000 });
    h.feed(clientCommand('connect', 7, { app: 'live', objectEncoding: 0 }));
    h.session.acceptConnect({ description: 'Welcome.' });
    expect(h.take().slice(0, 4)).toEqual(['WinAck(5000000)', 'SetPeerBW(6000000,2)', 'StreamBegin(0)', 'SetChunkSize(60000)']);
    const h2 = new ServerHarness();
    h2.feed(clientCommand('connect', 7, { app: 'live', objectEncoding: 0 }));
    h2.session.acceptConnect({ description: 'Welcome.' });
    const result = decodeCommand(h2.sent[4]!);
    expect(result.name).toBe('_result');
    expect(result.transactionId).toBe(7);
    expect(result.commandObject).toEqual({ fmsVer: 'FMS/3,0,1,123', capabilities: 31, mode: 1 });
    expect(result.args[0]).toEqual({
      level: 'status',
      code: 'NetConnection.Connect.Success',
      description: 'Welcome.',
      objectEncoding: 0,
    });
  });

  it('[conf 37] an AMF3 client (objectEncoding 3) gets a type-17 _result echoing objectEncoding 3', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live', objectEncoding: 3 }));
    expect(h.eventsNamed('connect')[0]!.objectEncoding).toBe(3);
    h.session.acceptConnect();
    const reply = h.sent[4]!;
    expect(reply.type).toBe(MessageType.CommandAmf3);
    const result = decodeCommand(reply);
    expect(result.name).toBe('_result');
    expect((result.args[0] as AmfObject)['objectEncoding']).toBe(3);
    expect(h.session.objectEncoding).toBe(3);
    // an AMF0 client gets type 20
    const h0 = new ServerHarness();
    h0.feed(clientCommand('connect', 1, { app: 'live' }));
    h0.session.acceptConnect();
    expect(h0.sent[4]!.type).toBe(MessageType.CommandAmf0);
    expect((decodeCommand(h0.sent[4]!).args[0] as AmfObject)['objectEncoding']).toBe(0);
  });

  it('[conf 37] connect tolerated as type 17 (reported in the request)', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live', objectEncoding: 3 }, [], { encoding: 3 }));
    const req = h.eventsNamed('connect')[0]!;
    expect(req.messageType).toBe(17);
    expect(req.app).toBe('live');
  });

  it('[conf 39] requires no field: a librtmp-style connect without flashVer/tcUrl, and an empty command object', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live', swfUrl: 'x.swf' }));
    const req = h.eventsNamed('connect')[0]! as ConnectRequest;
    expect(req).toMatchObject({ app: 'live', tcUrl: undefined, flashVer: undefined, swfUrl: 'x.swf', objectEncoding: 0, capsEx: 0 });
    expect(req.fourCcList).toBeUndefined();
    const h2 = new ServerHarness();
    h2.feed(clientCommand('connect', 1, null));
    expect(h2.eventsNamed('connect')[0]!.app).toBe('');
    expect(h2.session.acceptConnect()).toBe(true);
  });

  it('[conf 47] a query in the server URL lands in app and tcUrl: both are parsed into appQuery', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live?token=abc&x=1', tcUrl: 'rtmp://h/live?token=abc&x=1' }));
    expect(h.eventsNamed('connect')[0]).toMatchObject({ app: 'live', rawApp: 'live?token=abc&x=1', appQuery: { token: 'abc', x: '1' } });
    const h2 = new ServerHarness();
    h2.feed(clientCommand('connect', 1, { app: 'live/', tcUrl: 'rtmp://h:1935/live?auth=zz' }));
    expect(h2.eventsNamed('connect')[0]).toMatchObject({ app: 'live', appQuery: { auth: 'zz' } });
  });

  it('[conf 59] reads fourCcList, info maps and capsEx, and advertises the server support in _result', () => {
    const h = new ServerHarness();
    h.feed(
      clientCommand('connect', 1, {
        app: 'live',
        fourCcList: ['av01', 'hvc1', 'avc1'],
        videoFourCcInfoMap: { hvc1: 3, av01: 1 },
        capsEx: 1 | 2,
      }),
    );
    const req = h.eventsNamed('connect')[0]!;
    expect(req.fourCcList).toEqual(['av01', 'hvc1', 'avc1']);
    expect(req.videoFourCcInfoMap).toEqual({ hvc1: 3, av01: 1 });
    expect(req.capsEx).toBe(3);
    h.session.acceptConnect();
    const props = decodeCommand(h.sent[4]!).commandObject as AmfObject;
    expect(props['fmsVer']).toBe('FMS/3,0,1,123');
    expect(props['capsEx']).toBe(15);
    expect(props['fourCcList']).toEqual(expect.arrayContaining(['avc1', 'hvc1', 'av01', 'vp09', 'Opus']));
    expect((props['videoFourCcInfoMap'] as AmfObject)['hvc1']).toBe(4);
    // fourCcList '*' (a string, not an array) is read too
    const hs = new ServerHarness();
    hs.feed(clientCommand('connect', 1, { app: 'live', fourCcList: '*' }));
    expect(hs.eventsNamed('connect')[0]!.fourCcList).toEqual(['*']);
    // a legacy client gets no Enhanced RTMP fields
    const legacy = new ServerHarness();
    legacy.feed(clientCommand('connect', 1, { app: 'live' }));
    legacy.session.acceptConnect();
    expect(Object.keys(decodeCommand(legacy.sent[4]!).commandObject as AmfObject)).toEqual(['fmsVer', 'capabilities', 'mode']);
  });

  it('[conf 41] reject sends _error NetConnection.Connect.Rejected (level error) with the description; then input is ignored', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'nope' }));
    expect(h.session.rejectConnect('Unknown application nope')).toBe(true);
    expect(h.take()).toEqual(['_error(1)@0']);
    h.feed(clientCommand('connect', 1, { app: 'nope' }));
    h.feed(clientCommand('createStream', 2, null));
    expect(h.sent).toHaveLength(0);
    expect(h.session.state).toBe('rejected');
    expect(h.session.acceptConnect()).toBe(false);
  });

  it('[conf 41] reject info and legacy redirect info.ex {code 302, redirect}', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 3, { app: 'live' }));
    h.session.rejectConnect('Bad token');
    const err = decodeCommand(h.sent[0]!);
    expect(err).toMatchObject({ name: '_error', transactionId: 3, commandObject: null });
    expect(err.args[0]).toEqual({ level: 'error', code: 'NetConnection.Connect.Rejected', description: 'Bad token' });
    const r = new ServerHarness();
    r.feed(clientCommand('connect', 1, { app: 'live' }));
    expect(r.session.redirectConnect('rtmp://other:1935/live', 'Go elsewhere')).toBe(true);
    expect(decodeCommand(r.sent[0]!).args[0]).toEqual({
      level: 'error',
      code: 'NetConnection.Connect.Rejected',
      description: 'Go elsewhere',
      ex: { code: 302, redirect: 'rtmp://other:1935/live' },
    });
  });

  it('commands pipelined before connect was accepted run after the connect _result', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live' }));
    h.feed(clientCommand('releaseStream', 2, null, ['key']));
    h.feed(clientCommand('createStream', 3, null));
    expect(h.sent).toHaveLength(0);
    h.session.acceptConnect();
    expect(h.take().slice(4)).toEqual(['_result(1)@0', '_result(2)@0', '_result(3)@0']);
  });

  it('an illegal pipelined command is reported through protocolError, never thrown at the application', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live' }));
    h.feed(clientCommand('publish', 0, null, ['k'], { streamId: 5 }));
    expect(h.session.acceptConnect()).toBe(true);
    const errs = h.eventsNamed('protocolError');
    expect(errs).toHaveLength(1);
    expect(errs[0]!.code).toBe('SESSION_PROTOCOL_VIOLATION');
    expect(errs[0]!.message).toMatch(/message stream 5/);
    expect(h.eventsNamed('publish')).toHaveLength(0);
  });

  it('more than 16 commands pipelined before the connect answer is a violation (bounded queue)', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live' }));
    for (let i = 0; i < 16; i++) h.feed(clientCommand('_checkbw', 0, null));
    expectViolation(() => h.feed(clientCommand('_checkbw', 0, null)), /more than 16 commands/);
  });
});

describe('ServerSession NetConnection commands', () => {
  function connected(): ServerHarness {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live' }));
    h.session.acceptConnect();
    h.takeMessages();
    return h;
  }

  it('[conf 42] releaseStream, FCPublish, _checkbw, getStreamLength, FCSubscribe get _result with their transaction id', () => {
    const h = connected();
    h.feed(clientCommand('releaseStream', 2, null, ['key']));
    h.feed(clientCommand('FCPublish', 3, null, ['key']));
    h.feed(clientCommand('_checkbw', 4, null));
    h.feed(clientCommand('getStreamLength', 5, null, ['key']));
    h.feed(clientCommand('FCSubscribe', 6, null, ['key']));
    expect(h.take()).toEqual([
      '_result(2)@0',
      '_result(3)@0',
      'onFCPublish(0)@0',
      '_result(4)@0',
      '_result(5)@0',
      '_result(6)@0',
      'onFCSubscribe(0)@0',
    ]);
    expect(h.eventsNamed('streamCommand').map((e) => `${e.command}:${e.name}`)).toEqual([
      'releaseStream:key',
      'FCPublish:key',
      'FCSubscribe:key',
    ]);
  });

  it('[conf 43] FCPublish -> onFCPublish {code NetStream.Publish.Start, description}', () => {
    const h = connected();
    h.feed(clientCommand('FCPublish', 3, null, ['key?token=1']));
    const on = decodeCommand(h.sent[1]!);
    expect(on).toMatchObject({ name: 'onFCPublish', transactionId: 0, commandObject: null });
    expect(on.args[0]).toEqual({ code: 'NetStream.Publish.Start', description: 'key?token=1' });
    expect(h.eventsNamed('streamCommand')[0]!.name).toBe('key');
  });

  it('[conf 45] transaction id 0 (GStreamer rtmp2) is accepted without _result', () => {
    const h = connected();
    h.feed(clientCommand('releaseStream', 0, null, ['key']));
    h.feed(clientCommand('FCPublish', 0, null, ['key']));
    expect(h.take()).toEqual(['onFCPublish(0)@0']);
    h.feed(clientCommand('createStream', 0, null));
    expect(h.take()).toEqual(['_result(0)@0']); // createStream is always answered: the client needs the id
    h.feed(clientCommand('publish', 0, null, ['key', 'live'], { streamId: 1 }));
    expect(h.eventsNamed('publish')[0]).toMatchObject({ streamId: 1, name: 'key', transactionId: 0 });
    expect(h.session.acceptPublish(1)).toBe(true);
    expect(h.take()).toEqual(['StreamBegin(1)', 'onStatus(NetStream.Publish.Start)@1']);
  });

  it('[conf 42] unknown commands are reported and answered with _error only when they carry a transaction id; never a disconnect', () => {
    const h = connected();
    h.feed(clientCommand('someVendorCall', 9, null, [1, 'x']));
    h.feed(clientCommand('receiveVideo', 0, null, [true], { streamId: 0 }));
    expect(h.take()).toEqual(['_error(9)@0']);
    expect(h.eventsNamed('unknownCommand').map((e) => e.command.name)).toEqual(['someVendorCall', 'receiveVideo']);
    expect(h.session.stats.unknownCommands).toBe(2);
    h.feed(clientCommand('createStream', 10, null));
    expect(h.take()).toEqual(['_result(10)@0']);
    expect(h.session.state).toBe('connected');
  });

  it('[conf 44] createStream -> _result(txn, null, msid) with msid 1, 2, 3 ...', () => {
    const h = connected();
    for (const txn of [2, 3, 4]) h.feed(clientCommand('createStream', txn, null));
    const replies = h.takeMessages().map((m) => decodeCommand(m));
    expect(replies.map((r) => [r.name, r.transactionId, r.commandObject, r.args[0]])).toEqual([
      ['_result', 2, null, 1],
      ['_result', 3, null, 2],
      ['_result', 4, null, 3],
    ]);
    expect(h.session.streams().map((s) => s.streamId)).toEqual([1, 2, 3]);
  });

  it('a client _result/_error that answers nothing is a warning, not an error', () => {
    const h = connected();
    h.feed(clientCommand('_result', 5, null));
    expect(h.eventsNamed('warning')[0]!.code).toBe('UNEXPECTED_RESULT');
    expect(h.sent).toHaveLength(0);
  });
});

describe('ServerSession publish', () => {
  it('[conf 46] publish emits a request and sends NOTHING until acceptPublish; then StreamBegin(msid), Publish.Start', () => {
    const h = new ServerHarness();
    const id = h.connectAndCreateStream({ app: 'live?app=1', tcUrl: 'rtmp://h/live?app=1' });
    h.feed(clientCommand('publish', 5, null, ['key?token=abc&x=y', 'live'], { streamId: id }));
    const req = h.eventsNamed('publish')[0]! as SessionPublishRequest;
    expect(req).toEqual({
      streamId: id,
      transactionId: 5,
      name: 'key',
      rawName: 'key?token=abc&x=y',
      query: { token: 'abc', x: 'y' },
      publishType: 'live',
      app: 'live',
      tcUrl: 'rtmp://h/live?app=1',
      appQuery: { app: '1' },
    });
    expect(h.sent).toHaveLength(0);
    expect(h.session.stream(id)!.state).toBe('publishPending');
    expect(h.session.acceptPublish(id)).toBe(true);
    const sent = h.takeMessages();
    expect(sent.map((m) => [m.csid, m.streamId])).toEqual([
      [2, 0],
      [8, id],
    ]);
    expect(statusInfo(sent[1]!)).toMatchObject({ level: 'status', code: 'NetStream.Publish.Start' });
    expect(h.session.stream(id)!.state).toBe('publishing');
    expect(h.session.acceptPublish(id)).toBe(false); // answering twice sends nothing
    expect(h.sent).toHaveLength(0);
  });

  it('[conf 46] publish types record and append are reported; anything else reads as live', () => {
    const h = new ServerHarness();
    const a = h.connectAndCreateStream();
    h.feed(clientCommand('createStream', 3, null));
    h.feed(clientCommand('createStream', 4, null));
    h.feed(clientCommand('publish', 0, null, ['a', 'record'], { streamId: a }));
    h.feed(clientCommand('publish', 0, null, ['b', 'append'], { streamId: a + 1 }));
    h.feed(clientCommand('publish', 0, null, ['c'], { streamId: a + 2 }));
    expect(h.eventsNamed('publish').map((p) => p.publishType)).toEqual(['record', 'append', 'live']);
  });

  it('[conf 48] rejectPublish sends the error status (BadName "Already publishing") and frees the stream', () => {
    const h = new ServerHarness();
    const id = h.connectAndCreateStream();
    h.feed(clientCommand('publish', 0, null, ['key', 'live'], { streamId: id }));
    expect(h.session.rejectPublish(id, 'NetStream.Publish.BadName', 'Already publishing')).toBe(true);
    const sent = h.takeMessages();
    expect(sent).toHaveLength(1);
    expect(statusInfo(sent[0]!)).toEqual({ level: 'error', code: 'NetStream.Publish.BadName', description: 'Already publishing' });
    expect(h.session.stream(id)!.state).toBe('idle');
    // the client may retry on the same stream
    h.feed(clientCommand('publish', 0, null, ['key2', 'live'], { streamId: id }));
    expect(h.eventsNamed('publish')).toHaveLength(2);
    expect(h.eventsNamed('unpublish')).toHaveLength(0);
  });

  it('[conf 46] a publish the client abandons before the answer: acceptPublish returns false and sends nothing', () => {
    const h = new ServerHarness();
    const id = h.connectAndCreateStream();
    h.feed(clientCommand('publish', 0, null, ['key', 'live'], { streamId: id }));
    h.feed(clientCommand('deleteStream', 0, null, [id]));
    expect(h.session.acceptPublish(id)).toBe(false);
    expect(h.sent).toHaveLength(0);
    expect(h.eventsNamed('unpublish')).toHaveLength(0);
    const h2 = new ServerHarness();
    const id2 = h2.connectAndCreateStream();
    h2.feed(clientCommand('publish', 0, null, ['key', 'live'], { streamId: id2 }));
    h2.session.close();
    expect(h2.session.acceptPublish(id2)).toBe(false);
    expect(h2.sent).toHaveLength(0);
  });

  it('[conf 53] deleteStream ends the publish once with NetStream.Unpublish.Success; repeats are harmless', () => {
    const h = new ServerHarness();
    const id = h.publishing('key');
    h.feed(clientCommand('FCUnpublish', 7, null, ['key']));
    expect(h.take()).toEqual(['onStatus(NetStream.Unpublish.Success)@1', '_result(7)@0', 'onFCUnpublish(0)@0']);
    h.feed(clientCommand('closeStream', 0, null, [], { streamId: id }));
    h.feed(clientCommand('deleteStream', 8, null, [id]));
    h.feed(clientCommand('deleteStream', 9, null, [id]));
    h.feed(clientCommand('FCUnpublish', 0, null, ['key']));
    h.session.close();
    h.session.close();
    expect(h.take()).toEqual(['onFCUnpublish(0)@0']);
    expect(h.eventsNamed('unpublish')).toEqual([{ streamId: id, name: 'key', reason: 'FCUnpublish' }]);
    expect(h.session.stream(id)).toBeUndefined();
  });

  it('[conf 53] deleteStream alone, closeStream alone and socket close each end the publish', () => {
    const reasons: StreamEndEvent['reason'][] = [];
    for (const how of ['deleteStream', 'closeStream', 'close'] as const) {
      const h = new ServerHarness();
      const id = h.publishing('key');
      if (how === 'deleteStream') h.feed(clientCommand('deleteStream', 0, null, [id]));
      if (how === 'closeStream') h.feed(clientCommand('closeStream', 0, null, [], { streamId: id }));
      if (how === 'close') h.session.close();
      const ends = h.eventsNamed('unpublish');
      expect(ends).toHaveLength(1);
      reasons.push(ends[0]!.reason);
      const sent = h.take();
      expect(sent).toEqual(how === 'close' ? [] : ['onStatus(NetStream.Unpublish.Success)@1']);
    }
    expect(reasons).toEqual(['deleteStream', 'closeStream', 'close']);
  });

  it('endPublish (kick/evict) sends the status and emits unpublish', () => {
    const h = new ServerHarness();
    const id = h.publishing('key');
    expect(h.session.endPublish(id, 'NetStream.Publish.BadName', 'Replaced by a newer publisher')).toBe(true);
    expect(statusInfo(h.sent[0]!)).toMatchObject({ level: 'error', code: 'NetStream.Publish.BadName' });
    expect(h.eventsNamed('unpublish')).toEqual([{ streamId: id, name: 'key', reason: 'close' }]);
    expect(h.session.endPublish(id)).toBe(false);
  });
});

describe('ServerSession media', () => {
  const video = Buffer.from([0x17, 0x01, 0, 0, 0, 0xaa, 0xbb]);
  const audio = Buffer.from([0xaf, 0x01, 0x21]);

  it('audio and video on the publishing msid are emitted as media with the stream id', () => {
    const h = new ServerHarness();
    const id = h.publishing();
    h.feed(media(MessageType.Video, id, 40, video));
    h.feed(media(MessageType.Audio, id, 41, audio, 4));
    const m = h.eventsNamed('media');
    expect(m.map((e) => [e.streamId, e.kind, e.message.timestamp, e.message.payload.toString('hex')])).toEqual([
      [id, 'video', 40, video.toString('hex')],
      [id, 'audio', 41, audio.toString('hex')],
    ]);
    // a zero-length audio message (silence) is legal [conf 20]
    h.feed(media(MessageType.Audio, id, 42, Buffer.alloc(0), 4));
    expect(h.eventsNamed('media')).toHaveLength(3);
  });

  it('[conf 49] @setDataFrame onMetaData is stripped and emitted as metadata with a plain onMetaData message', () => {
    const h = new ServerHarness();
    const id = h.publishing();
    const meta = new AmfEcmaArray({ width: 1280, height: 720, videocodecid: 7 });
    h.feed({ csid: 5, type: 18, streamId: id, timestamp: 0, payload: encodeData(['@setDataFrame', 'onMetaData', meta]) });
    h.feed({ csid: 5, type: 18, streamId: id, timestamp: 0, payload: encodeData(['onMetaData', { width: 640 }]) });
    const md = h.eventsNamed('metadata');
    expect(md).toHaveLength(2);
    expect((md[0]!.metadata as AmfObject)['width']).toBe(1280);
    expect(md[0]!.message.type).toBe(18);
    expect(md[0]!.message.streamId).toBe(id);
    const values = decodeData(md[0]!.message);
    expect(values[0]).toBe('onMetaData');
    expect((values[1] as AmfObject)['height']).toBe(720);
    expect(values).toHaveLength(2);
    expect((md[1]!.metadata as AmfObject)['width']).toBe(640);
    expect(h.eventsNamed('media')).toHaveLength(0);
  });

  it('[conf 49] other data messages pass as media kind data, @setDataFrame stripped; undecodable ones are dropped with a warning', () => {
    const h = new ServerHarness();
    const id = h.publishing();
    h.feed({ csid: 5, type: 18, streamId: id, timestamp: 5, payload: encodeData(['@setDataFrame', 'onTextData', { text: 'hi' }]) });
    h.feed({ csid: 5, type: 18, streamId: id, timestamp: 6, payload: encodeData(['onCuePoint', { name: 'c' }]) });
    h.feed({ csid: 5, type: 18, streamId: id, timestamp: 7, payload: Buffer.from([0x02, 0x00, 0x10, 0x41]) });
    const data = h.eventsNamed('media');
    expect(data.map((d) => decodeData(d.message)[0])).toEqual(['onTextData', 'onCuePoint']);
    expect(h.eventsNamed('warning').map((w) => w.code)).toEqual(['MESSAGE_IGNORED']);
  });

  it('hands on every data message as plain AMF0 with a handler name, so that nothing downstream decodes it again', () => {
    const h = new ServerHarness();
    const id = h.publishing();
    const plain = encodeData(['onCuePoint', { name: 'c' }]);
    h.feed({ csid: 5, type: 18, streamId: id, timestamp: 1, payload: plain });
    h.feed({ csid: 5, type: 15, streamId: id, timestamp: 2, payload: encodeData(['onTextData', { text: 'amf3' }], 3) });
    h.feed({ csid: 5, type: 15, streamId: id, timestamp: 3, payload: encodeData(['@setDataFrame', 'onMetaData', { width: 8 }], 3) });
    h.feed({ csid: 5, type: 18, streamId: id, timestamp: 4, payload: encodeData([42, 'no handler']) });
    const data = h.eventsNamed('media');
    expect(data.map((d) => [d.kind, d.message.type])).toEqual([
      ['data', 18],
      ['data', 18],
    ]);
    // already plain: passed on without a copy
    expect(data[0]!.message.payload).toBe(plain);
    expect(data[1]!.message.payload.equals(encodeData(['onTextData', { text: 'amf3' }]))).toBe(true);
    const [md] = h.eventsNamed('metadata');
    expect(md).toMatchObject({ kind: 'metadata', streamId: id, metadata: { width: 8 } });
    expect(md!.message.type).toBe(18);
    expect(decodeData(md!.message)).toEqual(['onMetaData', { width: 8 }]);
    const warnings = h.eventsNamed('warning');
    expect(warnings.map((w) => [w.code, w.message])).toEqual([['MESSAGE_IGNORED', 'undecodable data message dropped: data message without a handler name']]);
  });

  it('[conf 27] aggregate messages are split into sub-messages with rebased timestamps', () => {
    const h = new ServerHarness();
    const id = h.publishing();
    const tag = (type: number, ts: number, data: Buffer): Buffer => {
      const head = Buffer.alloc(11);
      head[0] = type;
      head.writeUIntBE(data.length, 1, 3);
      head.writeUIntBE(ts & 0xffffff, 4, 3);
      head[7] = (ts >>> 24) & 0xff;
      const back = Buffer.alloc(4);
      back.writeUInt32BE(data.length + 11);
      return Buffer.concat([head, data, back]);
    };
    const payload = Buffer.concat([tag(9, 1000, video), tag(8, 1020, audio), tag(9, 1033, video)]);
    h.feed({ csid: 6, type: 22, streamId: id, timestamp: 5000, payload });
    expect(h.eventsNamed('media').map((e) => [e.kind, e.message.timestamp, e.message.streamId])).toEqual([
      ['video', 5000, id],
      ['audio', 5020, id],
      ['video', 5033, id],
    ]);
  });

  it('media on a msid that is not publishing is ignored and counted, never a crash', () => {
    const h = new ServerHarness();
    const id = h.connectAndCreateStream();
    h.feed(media(MessageType.Video, id, 0, video));
    h.feed(media(MessageType.Video, 0, 0, video));
    h.feed(media(MessageType.Video, 77, 0, video));
    expect(h.eventsNamed('media')).toHaveLength(0);
    expect(h.session.stats.mediaIgnored).toBe(3);
    expect(h.eventsNamed('warning').every((w) => w.code === 'MEDIA_ON_IDLE_STREAM')).toBe(true);
    expect(h.eventsNamed('warning').length).toBeGreaterThan(0);
  });

  it('[conf 46] media sent while the publish waits for the application is delivered after acceptPublish, dropped on reject', () => {
    const h = new ServerHarness();
    const id = h.connectAndCreateStream();
    h.feed(clientCommand('publish', 0, null, ['key', 'live'], { streamId: id }));
    const seqHeader = Buffer.from([0x17, 0x00, 0, 0, 0, 1, 2, 3]);
    h.feed(media(MessageType.Video, id, 0, seqHeader));
    expect(h.eventsNamed('media')).toHaveLength(0);
    h.session.acceptPublish(id);
    expect(h.eventsNamed('media').map((e) => e.message.payload.toString('hex'))).toEqual([seqHeader.toString('hex')]);

    const r = new ServerHarness({ maxPendingMediaBytes: 10 });
    const rid = r.connectAndCreateStream();
    r.feed(clientCommand('publish', 0, null, ['key', 'live'], { streamId: rid }));
    r.feed(media(MessageType.Video, rid, 0, seqHeader));
    r.feed(media(MessageType.Video, rid, 0, seqHeader)); // over the 10-byte bound
    expect(r.session.stats.mediaPendingDropped).toBe(1);
    r.session.rejectPublish(rid, 'NetStream.Publish.Unauthorized', 'Bad key');
    r.feed(clientCommand('publish', 0, null, ['key', 'live'], { streamId: rid }));
    r.session.acceptPublish(rid);
    expect(r.eventsNamed('media')).toHaveLength(0);
  });
});

describe('ServerSession play', () => {
  it('[conf 50] play start -2, -1, -1000, -2000 and 0 mean live; a positive start does not; defaults apply', () => {
    const h = new ServerHarness();
    h.connectAndCreateStream();
    const starts = [-2, -1, -1000, -2000, 0, 5000];
    for (const [i, start] of starts.entries()) {
      h.feed(clientCommand('createStream', 10 + i, null));
    }
    starts.forEach((start, i) => h.feed(clientCommand('play', 0, null, ['cam', start], { streamId: i + 2 })));
    h.feed(clientCommand('createStream', 30, null));
    h.feed(clientCommand('play', 0, null, ['cam'], { streamId: 8 }));
    const reqs = h.eventsNamed('play') as SessionPlayRequest[];
    expect(reqs.map((r) => [r.start, r.live])).toEqual([
      [-2, true],
      [-1, true],
      [-1000, true],
      [-2000, true],
      [0, true],
      [5000, false],
      [-2, true],
    ]);
    expect(reqs[6]).toMatchObject({ duration: -1, reset: true, name: 'cam' });
  });

  it('[conf 51] acceptPlay sends StreamBegin, Play.Reset, Play.Start, |RtmpSampleAccess(true,true), never on media csids', () => {
    const h = new ServerHarness();
    const id = h.connectAndCreateStream();
    h.feed(clientCommand('play', 4, null, ['cam?t=1', -2000, -1, false], { streamId: id }));
    expect(h.eventsNamed('play')[0]).toMatchObject({ name: 'cam', query: { t: '1' }, start: -2000, reset: false, app: 'live' });
    expect(h.sent).toHaveLength(0);
    expect(h.session.acceptPlay(id)).toBe(true);
    const sent = h.takeMessages();
    expect(sent.map((m) => m.csid).some((c) => c === 4 || c === 5 || c === 6)).toBe(false);
    const described = sent.map((m) => {
      if (m.type === 18) return decodeData(m);
      if (m.type === 20) return statusInfo(m)['code'];
      return m.type;
    });
    expect(described).toEqual([4, 'NetStream.Play.Reset', 'NetStream.Play.Start', ['|RtmpSampleAccess', true, true]]);
    expect(sent.slice(1).every((m) => m.streamId === id)).toBe(true);
    expect(h.session.stream(id)!.state).toBe('playing');
  });

  it('[conf 52] [conf 54] playNotFound sends NetStream.Play.StreamNotFound at level error with a readable description', () => {
    const h = new ServerHarness();
    const id = h.connectAndCreateStream();
    h.feed(clientCommand('play', 0, null, ['ghost', -2000], { streamId: id }));
    expect(h.session.playNotFound(id)).toBe(true);
    const info = statusInfo(h.sent[0]!);
    expect(info).toMatchObject({ level: 'error', code: 'NetStream.Play.StreamNotFound' });
    expect(info['description']).toMatch(/ghost/);
    expect(h.session.stream(id)!.state).toBe('idle');
    expect(h.session.acceptPlay(id)).toBe(false);
  });

  it('[conf 29] notifyUnpublished sends StreamEOF + UnpublishNotify; [conf 52] notifyPublished sends StreamBegin + PublishNotify', () => {
    const h = new ServerHarness();
    const id = h.playing('cam');
    expect(h.session.notifyUnpublished(id)).toBe(true);
    expect(h.take()).toEqual([`StreamEOF(${id})`, `onStatus(NetStream.Play.UnpublishNotify)@${id}`]);
    expect(h.session.notifyPublished(id)).toBe(true);
    expect(h.take()).toEqual([`StreamBegin(${id})`, `onStatus(NetStream.Play.PublishNotify)@${id}`]);
    expect(h.session.notifyPublished(99)).toBe(false);
    expect(h.eventsNamed('stopPlay')).toHaveLength(0);
  });

  it('[conf 53] closeStream / deleteStream / close end the play once (stopPlay); play again switches names', () => {
    const h = new ServerHarness();
    const id = h.playing('cam');
    h.feed(clientCommand('play', 0, null, ['cam2', -2000], { streamId: id }));
    expect(h.eventsNamed('stopPlay')).toEqual([{ streamId: id, name: 'cam', reason: 'replay' }]);
    h.session.acceptPlay(id);
    h.feed(clientCommand('closeStream', 0, null, [], { streamId: id }));
    h.feed(clientCommand('deleteStream', 0, null, [id]));
    h.session.close();
    expect(h.eventsNamed('stopPlay')).toEqual([
      { streamId: id, name: 'cam', reason: 'replay' },
      { streamId: id, name: 'cam2', reason: 'closeStream' },
    ]);
  });

  it('[conf 30] SetBufferLength is recorded per stream', () => {
    const h = new ServerHarness();
    const id = h.playing();
    h.feed(userControlMessage({ kind: 'setBufferLength', streamId: id, bufferMs: 36_000_000 }));
    expect(h.session.stream(id)!.bufferMs).toBe(36_000_000);
    expect(h.eventsNamed('bufferLength')).toEqual([{ streamId: id, bufferMs: 36_000_000 }]);
  });
});

describe('ServerSession protocol control', () => {
  function connected(opts = {}): ServerHarness {
    const h = new ServerHarness(opts);
    h.feed(clientCommand('connect', 1, { app: 'live' }));
    h.session.acceptConnect();
    h.takeMessages();
    return h;
  }

  it('[conf 24] acknowledges each window of our advertised size while the peer announced none', () => {
    const h = connected({ windowAckSize: 2_500_000 });
    h.session.onBytesReceived(2_499_999);
    expect(h.sent).toHaveLength(0);
    h.session.onBytesReceived(2_500_000);
    h.session.onBytesReceived(4_000_000);
    h.session.onBytesReceived(5_100_000);
    expect(h.take()).toEqual(['Ack(2500000)', 'Ack(5100000)']);
    expect(h.session.stats.acknowledgementsSent).toBe(2);
  });

  it('[conf 26] the window the peer announces with Window Ack Size drives our acks (RTMP 5.4.4)', () => {
    const h = connected();
    h.feed(windowAckSizeMessage(1000));
    expect(h.session.peerWindowAckSize).toBe(1000);
    h.session.onBytesReceived(999);
    h.session.onBytesReceived(1000);
    h.session.onBytesReceived(2500);
    expect(h.take()).toEqual(['Ack(1000)', 'Ack(2500)']);
  });

  it('[conf 24] the ack counter survives the 2^32 wrap, with an unwrapped or a wrapped byte counter', () => {
    for (const wrapped of [false, true]) {
      const h = connected();
      h.feed(windowAckSizeMessage(2_500_000));
      const acks: number[] = [];
      const step = 333_333;
      let total = 0;
      let steps = 0;
      while (total < 2 ** 32 + 20_000_000) {
        total += step;
        steps++;
        h.session.onBytesReceived(wrapped ? total % 2 ** 32 : total);
        for (const m of h.takeMessages()) acks.push(m.payload.readUInt32BE(0));
      }
      // one ack each time a full window has arrived (every ceil(2.5e6 / step) = 8 steps), also across the wrap
      expect(acks.length).toBe(Math.floor(steps / Math.ceil(2_500_000 / step)));
      const wrapIndex = acks.findIndex((a, i) => i > 0 && a < acks[i - 1]!);
      expect(wrapIndex).toBeGreaterThan(0);
      expect(acks[wrapIndex]).toBeLessThan(20_000_000);
      for (let i = 1; i < acks.length; i++) {
        const gap = (acks[i]! - acks[i - 1]! + 2 ** 32) % 2 ** 32;
        expect(gap).toBeGreaterThanOrEqual(2_500_000);
        expect(gap).toBeLessThan(2_500_000 + 333_333);
      }
    }
  });

  it('[conf 25] [conf 26] peer Set Chunk Size, Acknowledgement and Set Peer Bandwidth (limits 0, 1, 2) are recorded, nothing blocks', () => {
    const h = connected();
    h.feed(setChunkSizeMessage(4096));
    h.feed(acknowledgementMessage(123456));
    for (const limit of [0, 1, 2] as const) h.feed(setPeerBandwidthMessage(1_000_000 + limit, limit));
    expect(h.session.peerChunkSize).toBe(4096);
    expect(h.session.stats.lastAcknowledgementReceived).toBe(123456);
    expect(h.session.peerBandwidth).toEqual({ size: 1_000_002, limitType: 2 });
    expect(h.sent).toHaveLength(0);
    // a truncated control message is a warning only
    h.feed({ csid: 2, type: MessageType.WindowAckSize, streamId: 0, timestamp: 0, payload: Buffer.from([1, 2]) });
    expect(h.eventsNamed('warning').map((w) => w.code)).toEqual(['CONTROL_MALFORMED']);
  });

  it('[conf 32] ping(now) sends PingRequest; the PingResponse gives the RTT', () => {
    const h = connected();
    h.session.ping(1_700_000_000_000);
    const ts = 1_700_000_000_000 >>> 0;
    expect(h.take()).toEqual([`PingRequest(${ts})`]);
    expect(h.session.pendingPingSince).toBe(1_700_000_000_000);
    h.feed(userControlMessage({ kind: 'pingResponse', timestamp: ts }), 1_700_000_000_042);
    expect(h.session.rttMs).toBe(42);
    expect(h.eventsNamed('rtt')).toEqual([42]);
    expect(h.session.pendingPingSince).toBeUndefined();
  });

  it('[conf 32] a PingRequest from the peer is answered; [conf 33] unknown event types are ignored', () => {
    const h = connected();
    h.feed(userControlMessage({ kind: 'pingRequest', timestamp: 987654 }));
    expect(h.take()).toEqual(['PingResponse(987654)']);
    for (const eventType of [26, 27, 31, 32]) {
      h.feed(userControlMessage({ kind: 'unknown', eventType, data: Buffer.from([0, 0, 0, 1]) }));
    }
    expect(h.sent).toHaveLength(0);
    expect(h.session.state).toBe('connected');
  });
});

describe('ServerSession Enhanced RTMP reconnect', () => {
  it('[conf 61] requestReconnect is refused (false, nothing sent) unless the client declared capsEx & 1', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live', capsEx: 2 }));
    h.session.acceptConnect();
    h.takeMessages();
    expect(h.session.requestReconnect('rtmp://edge-2/live')).toBe(false);
    expect(h.sent).toHaveLength(0);
  });

  it('[conf 61] with capsEx & 1: onStatus on msid 0, transaction 0, null object, ReconnectRequest info with tcUrl and description', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live', capsEx: 1 }));
    h.session.acceptConnect();
    h.takeMessages();
    expect(h.session.requestReconnect('rtmp://edge-2:1935/live', 'draining')).toBe(true);
    const msg = h.sent[0]! as RtmpMessage;
    expect(msg.streamId).toBe(0);
    const cmd = decodeCommand(msg);
    expect(cmd).toMatchObject({ name: 'onStatus', transactionId: 0, commandObject: null });
    expect(cmd.args[0]).toEqual({
      level: 'status',
      code: 'NetConnection.Connect.ReconnectRequest',
      description: 'draining',
      tcUrl: 'rtmp://edge-2:1935/live',
    });
    // without arguments: only level and code
    h.session.requestReconnect();
    expect(decodeCommand(h.sent[1]!).args[0]).toEqual({ level: 'status', code: 'NetConnection.Connect.ReconnectRequest' });
    expect(h.session.state).toBe('connected'); // keep serving until the client leaves
  });
});

describe('ServerSession illegal sequences', () => {
  it('publish, play and createStream before connect raise SESSION_PROTOCOL_VIOLATION', () => {
    expectViolation(() => new ServerHarness().feed(clientCommand('publish', 0, null, ['k'], { streamId: 1 })), /'publish' before connect/);
    expectViolation(() => new ServerHarness().feed(clientCommand('play', 0, null, ['k'], { streamId: 1 })), /before connect/);
    expectViolation(() => new ServerHarness().feed(clientCommand('createStream', 2, null)), /before connect/);
  });

  it('a second connect raises SESSION_PROTOCOL_VIOLATION, while pending and once connected', () => {
    const h = new ServerHarness();
    h.feed(clientCommand('connect', 1, { app: 'live' }));
    expectViolation(() => h.feed(clientCommand('connect', 2, { app: 'live' })), /second connect/);
    const h2 = new ServerHarness();
    h2.connectAndCreateStream();
    expectViolation(() => h2.feed(clientCommand('connect', 3, { app: 'live' })), /already connected/);
  });

  it('publish/play on msid 0, on a msid never created, or on a busy stream raise SESSION_PROTOCOL_VIOLATION', () => {
    const h = new ServerHarness();
    const id = h.connectAndCreateStream();
    expectViolation(() => h.feed(clientCommand('publish', 0, null, ['k'], { streamId: 0 })), /message stream 0/);
    expectViolation(() => h.feed(clientCommand('play', 0, null, ['k'], { streamId: 42 })), /createStream never returned/);
    h.feed(clientCommand('publish', 0, null, ['k'], { streamId: id }));
    expectViolation(() => h.feed(clientCommand('publish', 0, null, ['k'], { streamId: id })), /publishPending/);
    h.session.acceptPublish(id);
    expectViolation(() => h.feed(clientCommand('play', 0, null, ['k'], { streamId: id })), /publishing/);
  });

  it('more createStream than maxStreams raises SESSION_PROTOCOL_VIOLATION (bounded allocation)', () => {
    const h = new ServerHarness({ maxStreams: 3 });
    h.connectAndCreateStream();
    h.feed(clientCommand('createStream', 3, null));
    h.feed(clientCommand('createStream', 4, null));
    expectViolation(() => h.feed(clientCommand('createStream', 5, null)), /more than 3 streams/);
    // deleted streams free their slot
    h.feed(clientCommand('deleteStream', 0, null, [1]));
    h.feed(clientCommand('createStream', 6, null));
    expect(decodeCommand(h.sent[h.sent.length - 1]!).args[0]).toBe(4);
  });

  it('an undecodable command propagates its typed decoding error', () => {
    const h = new ServerHarness();
    let caught: unknown;
    try {
      h.feed({ csid: 3, type: 20, streamId: 0, timestamp: 0, payload: Buffer.from([0x00, 0x3f, 0xf0]) });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RtmpError);
    expect(['COMMAND_MALFORMED', 'AMF_TRUNCATED']).toContain((caught as RtmpError).code);
  });
});
