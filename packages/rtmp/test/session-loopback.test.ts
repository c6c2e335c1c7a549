/**
 * ServerSession and ClientSession connected back to back through ChunkEncoder/ChunkDecoder in
 * memory: everything crosses the chunk layer as bytes, in both directions.
 */
import { describe, expect, it } from 'vitest';
import {
  ChunkDecoder,
  ChunkEncoder,
  ClientSession,
  MessageType,
  ServerSession,
  encodeData,
  encodeMessageShared,
  type AmfObject,
  type RtmpMessage,
  type ServerSessionOptions,
  type StatusEvent,
} from '@rtmp-cluster/rtmp';

class Wire {
  readonly toClient: Buffer[] = [];
  readonly toServer: Buffer[] = [];
  readonly serverEncoder = new ChunkEncoder();
  readonly clientEncoder = new ChunkEncoder();
  readonly server: ServerSession;
  readonly client: ClientSession;
  readonly serverDecoder: ChunkDecoder;
  readonly clientDecoder: ChunkDecoder;
  now = 1000;

  constructor(serverOpts: Partial<ServerSessionOptions> = {}, clientOutChunkSize = 4096) {
    this.server = new ServerSession({ ...serverOpts, send: (m) => this.toClient.push(this.serverEncoder.encode(m)) });
    this.client = new ClientSession({ send: (m) => this.toServer.push(this.clientEncoder.encode(m)), outChunkSize: clientOutChunkSize });
    this.server.on('outChunkSize', (n) => this.serverEncoder.setChunkSize(n));
    this.client.on('outChunkSize', (n) => this.clientEncoder.setChunkSize(n));
    this.serverDecoder = new ChunkDecoder((m) => this.server.handleMessage(m, this.now));
    this.clientDecoder = new ChunkDecoder((m) => this.client.handleMessage(m, this.now));
  }

  /** Delivers queued bytes both ways until both directions are quiet (bounded). */
  pump(): void {
    for (let rounds = 0; rounds < 1000; rounds++) {
      const toServer = this.toServer.splice(0);
      const toClient = this.toClient.splice(0);
      if (toServer.length === 0 && toClient.length === 0) return;
      for (const b of toServer) {
        this.serverDecoder.push(b);
        this.server.onBytesReceived(this.serverDecoder.bytesReceived);
      }
      for (const b of toClient) {
        this.clientDecoder.push(b);
        this.client.onBytesReceived(this.clientDecoder.bytesReceived);
      }
    }
    throw new Error('wire did not settle');
  }

  /** What the media hub does: a shared, stateless encoding on a media csid. */
  hubSend(msg: RtmpMessage): void {
    this.toClient.push(encodeMessageShared(msg, this.server.outChunkSize));
  }

  connectAndCreateStream(connectExtra: AmfObject = {}, capsEx?: number): number {
    this.server.on('connect', () => this.server.acceptConnect());
    this.client.connect({ app: 'live', tcUrl: 'rtmp://127.0.0.1/live', extra: connectExtra, capsEx });
    this.pump();
    expect(this.client.state).toBe('connected');
    let streamId = -1;
    this.client.once('streamCreated', (e) => (streamId = e.streamId));
    this.client.createStream();
    this.pump();
    return streamId;
  }
}

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('ServerSession <-> ClientSession through the chunk layer', () => {
  it('full publish: connect (with a relay credential), createStream, publish, Publish.Start, metadata and media, deleteStream', () => {
    const w = new Wire({ outChunkSize: 4096 });
    const connects: AmfObject[] = [];
    w.server.on('connect', (req) => connects.push(req.commandObject));
    const id = w.connectAndCreateStream({ relayToken: 's3cret' });
    expect(connects[0]!['relayToken']).toBe('s3cret');
    expect(id).toBe(1);
    // the server announced 4096 and both sides now use it
    expect(w.clientDecoder.chunkSize).toBe(4096);
    expect(w.client.peerChunkSize).toBe(4096);

    const statuses: StatusEvent[] = [];
    w.client.on('status', (s) => statuses.push(s));
    w.server.on('publish', (req) => {
      expect(req).toMatchObject({ name: 'cam', query: { k: 'v' }, publishType: 'live', app: 'live' });
      // the application answers later, not inside the event
    });
    w.client.publish(id, 'cam?k=v');
    w.pump();
    expect(w.server.peerChunkSize).toBe(4096); // the client announced its own chunk size before publishing
    expect(w.serverDecoder.chunkSize).toBe(4096);
    expect(statuses).toEqual([]); // [conf 46] nothing before the application accepted
    w.server.acceptPublish(id);
    w.pump();
    expect(statuses.map((s) => [s.streamId, s.level, s.code])).toEqual([[id, 'status', 'NetStream.Publish.Start']]);

    const got: Array<[string, number, string]> = [];
    w.server.on('media', (m) => got.push([m.kind, m.message.timestamp, m.message.payload.toString('hex')]));
    const metas: AmfObject[] = [];
    w.server.on('metadata', (m) => metas.push(m.metadata as AmfObject));
    const frames = [bytes(10_000, 1), bytes(3, 2), bytes(9000, 3)];
    w.client.sendMetadata(id, { width: 320, height: 240, videocodecid: 7 });
    w.client.sendMedia(id, MessageType.Video, 0, frames[0]!);
    w.client.sendMedia(id, MessageType.Audio, 21, frames[1]!);
    w.client.sendMedia(id, MessageType.Video, 66, frames[2]!);
    w.pump();
    expect(metas).toEqual([{ width: 320, height: 240, videocodecid: 7 }]);
    expect(got).toEqual([
      ['video', 0, frames[0]!.toString('hex')],
      ['audio', 21, frames[1]!.toString('hex')],
      ['video', 66, frames[2]!.toString('hex')],
    ]);

    const ends: string[] = [];
    w.server.on('unpublish', (e) => ends.push(`${e.name}:${e.reason}`));
    w.client.deleteStream(id);
    w.pump();
    expect(ends).toEqual(['cam:deleteStream']);
    expect(statuses.map((s) => s.code)).toEqual(['NetStream.Publish.Start', 'NetStream.Unpublish.Success']);
  });

  it('full play: play, Reset/Start, hub media on csid 6, UnpublishNotify, PublishNotify, ReconnectRequest', () => {
    const w = new Wire({ outChunkSize: 8192 });
    const id = w.connectAndCreateStream({}, 1);
    const statuses: string[] = [];
    w.client.on('status', (s) => statuses.push(s.code));
    w.server.on('play', (req) => {
      expect(req).toMatchObject({ name: 'cam', live: true, streamId: id });
      w.server.acceptPlay(req.streamId);
    });
    w.client.play(id, 'cam', { start: -1000 });
    w.pump();
    expect(statuses).toEqual(['NetStream.Play.Reset', 'NetStream.Play.Start']);

    const media: Array<[string, number]> = [];
    const metas: AmfObject[] = [];
    w.client.on('media', (m) => media.push([m.kind, m.message.payload.length]));
    w.client.on('metadata', (m) => metas.push(m.metadata as AmfObject));
    w.hubSend({ csid: 5, type: 18, streamId: id, timestamp: 0, payload: encodeData(['onMetaData', { width: 640 }]) });
    w.hubSend({ csid: 6, type: 9, streamId: id, timestamp: 0, payload: bytes(20_000, 5) });
    w.hubSend({ csid: 4, type: 8, streamId: id, timestamp: 10, payload: bytes(300, 6) });
    w.pump();
    expect(metas).toEqual([{ width: 640 }]);
    expect(media).toEqual([
      ['video', 20_000],
      ['audio', 300],
    ]); // |RtmpSampleAccess is not stream content

    w.server.notifyUnpublished(id);
    w.server.notifyPublished(id);
    w.pump();
    expect(statuses.slice(2)).toEqual(['NetStream.Play.UnpublishNotify', 'NetStream.Play.PublishNotify']);

    const reconnects: Array<string | undefined> = [];
    w.client.on('reconnectRequest', (r) => reconnects.push(r.tcUrl));
    expect(w.server.requestReconnect('rtmp://edge-2/live', 'drain')).toBe(true);
    w.pump();
    expect(reconnects).toEqual(['rtmp://edge-2/live']);
  });

  it('play of a missing stream: the client sees StreamNotFound at level error', () => {
    const w = new Wire();
    const id = w.connectAndCreateStream();
    const statuses: StatusEvent[] = [];
    w.client.on('status', (s) => statuses.push(s));
    w.server.on('play', (req) => w.server.playNotFound(req.streamId));
    w.client.play(id, 'ghost');
    w.pump();
    expect(statuses.map((s) => [s.level, s.code])).toEqual([['error', 'NetStream.Play.StreamNotFound']]);
    expect(statuses[0]!.description).toContain('ghost');
  });

  it('a rejected publish reaches the client as NetStream.Publish.BadName', () => {
    const w = new Wire();
    const id = w.connectAndCreateStream();
    const statuses: StatusEvent[] = [];
    w.client.on('status', (s) => statuses.push(s));
    w.server.on('publish', (req) => w.server.rejectPublish(req.streamId, 'NetStream.Publish.BadName', 'Already publishing'));
    w.client.publish(id, 'cam');
    w.pump();
    expect(statuses.map((s) => [s.level, s.code, s.description])).toEqual([['error', 'NetStream.Publish.BadName', 'Already publishing']]);
  });

  it('[conf 24] acknowledgements flow both ways on the announced windows; ping measures RTT', () => {
    const w = new Wire({ windowAckSize: 5000 });
    const id = w.connectAndCreateStream();
    w.server.on('publish', (req) => w.server.acceptPublish(req.streamId));
    w.client.publish(id, 'cam');
    w.pump();
    w.client.sendMedia(id, MessageType.Video, 0, bytes(12_000, 9));
    w.pump();
    // the client sends Window Ack Size 2.5M after connect; the server acks on it, the client on the server's 5000
    expect(w.server.peerWindowAckSize).toBe(2_500_000);
    expect(w.client.peerWindowAckSize).toBe(5000);
    expect(w.server.stats.acknowledgementsSent).toBe(0);
    expect(w.server.stats.lastAcknowledgementReceived).toBeUndefined(); // the server sent < 5000 bytes so far
    w.hubSend({ csid: 6, type: 9, streamId: id, timestamp: 0, payload: bytes(6000, 1) });
    w.pump();
    expect(w.server.stats.lastAcknowledgementReceived).toBe(w.clientDecoder.bytesReceived);

    w.now = 5000;
    w.server.ping(w.now);
    w.now = 5017;
    w.pump();
    expect(w.server.rttMs).toBe(17);
  });
});
