import { describe, expect, it } from 'vitest';
import {
  ClientSession,
  MessageType,
  RtmpError,
  commandMessage,
  decodeCommand,
  decodeData,
  encodeData,
  userControlMessage,
  windowAckSizeMessage,
  setChunkSizeMessage,
  type AmfObject,
  type AmfValue,
  type ClientSessionEventMap,
  type RtmpMessage,
} from '@rtmp-cluster/rtmp';
import { describeMessage } from './session-harness.js';

class ClientHarness {
  readonly sent: RtmpMessage[] = [];
  readonly events: Array<{ name: keyof ClientSessionEventMap; payload: unknown }> = [];
  readonly client: ClientSession;
  constructor(opts: { outChunkSize?: number; windowAckSize?: number } = {}) {
    this.client = new ClientSession({ ...opts, send: (m) => this.sent.push(m) });
    const names: Array<keyof ClientSessionEventMap> = [
      'connected',
      'connectRejected',
      'streamCreated',
      'status',
      'reconnectRequest',
      'commandReply',
      'media',
      'metadata',
      'serverCommand',
      'outChunkSize',
      'warning',
      'rtt',
    ];
    for (const name of names) this.client.on(name, ((p: unknown) => this.events.push({ name, payload: p })) as never);
  }
  take(): string[] {
    return this.sent.splice(0).map(describeMessage);
  }
  named<K extends keyof ClientSessionEventMap>(name: K): Array<ClientSessionEventMap[K][0]> {
    return this.events.filter((e) => e.name === name).map((e) => e.payload as ClientSessionEventMap[K][0]);
  }
  server(name: string, txn: number, obj: AmfValue, args: AmfValue[] = [], streamId = 0): void {
    this.client.handleMessage(commandMessage({ name, transactionId: txn, commandObject: obj, args }, { streamId, csid: streamId ? 8 : 3 }));
  }
  connected(): void {
    this.client.connect({ app: 'live', tcUrl: 'rtmp://o/live' });
    this.server('_result', 1, { fmsVer: 'FMS/3,0,1,123', capabilities: 31 }, [{ level: 'status', code: 'NetConnection.Connect.Success', objectEncoding: 0 }]);
    this.sent.length = 0;
  }
}

describe('ClientSession', () => {
  it('connect sends a type-20 connect with app, tcUrl, objectEncoding, Enhanced RTMP fields and extra fields (relay credential)', () => {
    const h = new ClientHarness();
    const txn = h.client.connect({
      app: 'live',
      tcUrl: 'rtmp://origin-0:1935/live',
      capsEx: 1,
      fourCcList: ['hvc1', 'avc1'],
      extra: { relayToken: 'tok' },
    });
    expect(txn).toBe(1);
    expect(h.sent).toHaveLength(1);
    const msg = h.sent[0]!;
    expect([msg.type, msg.csid, msg.streamId]).toEqual([20, 3, 0]);
    const cmd = decodeCommand(msg);
    expect(cmd.name).toBe('connect');
    expect(cmd.transactionId).toBe(1);
    expect(cmd.commandObject).toMatchObject({
      app: 'live',
      tcUrl: 'rtmp://origin-0:1935/live',
      objectEncoding: 0,
      capsEx: 1,
      fourCcList: ['hvc1', 'avc1'],
      relayToken: 'tok',
    });
    expect(() => h.client.connect({ app: 'live' })).toThrow(RtmpError);
  });

  it('_result of connect -> connected (with the server advertisement); the client announces its Window Ack Size', () => {
    const h = new ClientHarness({ windowAckSize: 3_000_000 });
    h.client.connect({ app: 'live' });
    h.sent.length = 0;
    h.server('_result', 1, { fmsVer: 'FMS/3,0,1,123', capsEx: 15, fourCcList: ['avc1', 'hvc1'] }, [
      { level: 'status', code: 'NetConnection.Connect.Success', objectEncoding: 0 },
    ]);
    expect(h.client.state).toBe('connected');
    const res = h.named('connected')[0]!;
    expect(res.capsEx).toBe(15);
    expect(res.fourCcList).toEqual(['avc1', 'hvc1']);
    expect(res.info['code']).toBe('NetConnection.Connect.Success');
    expect(h.take()).toEqual(['WinAck(3000000)']);
  });

  it('_error of connect -> connectRejected with code, description and a legacy redirect', () => {
    const h = new ClientHarness();
    h.client.connect({ app: 'live' });
    h.server('_error', 1, null, [
      { level: 'error', code: 'NetConnection.Connect.Rejected', description: 'moved', ex: { code: 302, redirect: 'rtmp://b/live' } },
    ]);
    expect(h.client.state).toBe('rejected');
    expect(h.named('connectRejected')[0]).toMatchObject({
      code: 'NetConnection.Connect.Rejected',
      description: 'moved',
      redirect: 'rtmp://b/live',
    });
    expect(() => h.client.createStream()).toThrow(/rejected/);
  });

  it('createStream -> streamCreated; other replies -> commandReply; unknown replies are warnings', () => {
    const h = new ClientHarness();
    h.connected();
    const txn = h.client.createStream();
    const rel = h.client.releaseStream('cam');
    h.server('_result', txn, null, [5]);
    h.server('_error', rel, null, [{ level: 'error', code: 'x' }]);
    h.server('_result', 99, null);
    expect(h.named('streamCreated')).toEqual([{ transactionId: txn, streamId: 5 }]);
    expect(h.named('commandReply')).toMatchObject([{ command: 'releaseStream', transactionId: rel, ok: false }]);
    expect(h.named('warning').map((w) => w.code)).toEqual(['UNEXPECTED_RESULT']);
  });

  it('publish sends Set Chunk Size once (outChunkSize event), then publish(name, type) on the stream, csid 8', () => {
    const h = new ClientHarness({ outChunkSize: 8192 });
    h.connected();
    h.client.publish(1, 'cam', 'live');
    expect(h.named('outChunkSize')).toEqual([8192]);
    const [scs, pub] = h.sent.splice(0);
    expect(describeMessage(scs!)).toBe('SetChunkSize(8192)');
    expect([pub!.csid, pub!.streamId]).toEqual([8, 1]);
    expect(decodeCommand(pub!)).toMatchObject({ name: 'publish', args: ['cam', 'live'] });
    h.client.publish(2, 'cam2');
    expect(h.take()).toEqual(['publish(0)@2']);
  });

  it('play, setBufferLength, sendMetadata, sendMedia, closeStream, deleteStream produce the expected messages', () => {
    const h = new ClientHarness();
    h.connected();
    h.client.play(1, 'cam');
    h.client.setBufferLength(1, 3000);
    h.client.sendMetadata(1, { width: 10 });
    h.client.sendMedia(1, MessageType.Audio, 5, Buffer.from([0xaf, 1]));
    h.client.sendMedia(1, MessageType.Video, 6, Buffer.from([0x17, 1]));
    h.client.closeStream(1);
    h.client.deleteStream(1);
    const sent = h.sent.splice(0);
    expect(sent.map((m) => [describeMessage(m), m.csid])).toEqual([
      ['play(0)@1', 8],
      ['SetBufferLength(1,3000)', 2],
      ['data(@setDataFrame)@1', 5],
      ['type8@1', 4],
      ['type9@1', 6],
      ['closeStream(0)@1', 8],
      ['deleteStream(0)@0', 3],
    ]);
    expect(decodeCommand(sent[0]!).args).toEqual(['cam', -2]);
    expect(decodeData(sent[2]!)).toEqual(['@setDataFrame', 'onMetaData', { width: 10 }]);
    expect(decodeCommand(sent[6]!).args).toEqual([1]);
  });

  it('surfaces onStatus codes as status events and ReconnectRequest as its own event', () => {
    const h = new ClientHarness();
    h.connected();
    const codes = [
      'NetStream.Play.Start',
      'NetStream.Play.StreamNotFound',
      'NetStream.Play.UnpublishNotify',
      'NetStream.Play.PublishNotify',
      'NetStream.Publish.Start',
      'NetStream.Publish.BadName',
    ];
    for (const code of codes) h.server('onStatus', 0, null, [{ level: 'status', code, description: 'd' }], 1);
    h.server('onStatus', 0, null, [{ level: 'status', code: 'NetConnection.Connect.ReconnectRequest', tcUrl: 'rtmp://x/live' }]);
    expect(h.named('status').map((s) => [s.streamId, s.code])).toEqual(codes.map((c) => [1, c]));
    expect(h.named('reconnectRequest')).toEqual([{ tcUrl: 'rtmp://x/live', description: undefined }]);
    h.server('onBWDone', 0, null);
    expect(h.named('serverCommand').map((c) => c.command.name)).toEqual(['onBWDone']);
  });

  it('acks on the server window, answers pings, records Set Chunk Size, measures RTT', () => {
    const h = new ClientHarness();
    h.connected();
    h.client.onBytesReceived(10_000_000); // no window announced yet: no ack
    expect(h.sent).toHaveLength(0);
    h.client.handleMessage(windowAckSizeMessage(2_500_000));
    h.client.handleMessage(setChunkSizeMessage(4096));
    h.client.onBytesReceived(12_500_000);
    h.client.handleMessage(userControlMessage({ kind: 'pingRequest', timestamp: 77 }));
    expect(h.take()).toEqual(['Ack(12500000)', 'PingResponse(77)']);
    expect(h.client.peerChunkSize).toBe(4096);
    h.client.ping(100);
    expect(h.take()).toEqual(['PingRequest(100)']);
    h.client.handleMessage(userControlMessage({ kind: 'pingResponse', timestamp: 100 }), 130);
    expect(h.client.rttMs).toBe(30);
  });

  it('media and metadata from the server are surfaced; |RtmpSampleAccess is not', () => {
    const h = new ClientHarness();
    h.connected();
    h.client.handleMessage({ csid: 8, type: 18, streamId: 1, timestamp: 0, payload: encodeData(['|RtmpSampleAccess', true, true]) });
    h.client.handleMessage({ csid: 5, type: 18, streamId: 1, timestamp: 0, payload: encodeData(['onMetaData', { width: 1 }]) });
    h.client.handleMessage({ csid: 6, type: 9, streamId: 1, timestamp: 40, payload: Buffer.from([0x17, 1, 0, 0, 0]) });
    expect((h.named('metadata')[0]!.metadata as AmfObject)['width']).toBe(1);
    expect(h.named('media').map((m) => [m.kind, m.message.timestamp])).toEqual([['video', 40]]);
  });

  it('after close() input is ignored and nothing is sent', () => {
    const h = new ClientHarness();
    h.connected();
    h.client.close();
    h.client.handleMessage(userControlMessage({ kind: 'pingRequest', timestamp: 1 }));
    h.client.onBytesReceived(1e9);
    h.client.sendMedia(1, 9, 0, Buffer.alloc(1));
    expect(h.sent).toHaveLength(0);
  });
});
