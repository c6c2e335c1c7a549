/**
 * Real clients' byte streams (fixtures/captures, recorded against nginx-rtmp) replayed into
 * ServerHandshake -> ChunkDecoder -> ServerSession, with an application that accepts everything.
 * connect / createStream / publish / play must be understood exactly as these clients send them.
 * The captures are cut at 16 KiB, so the last message is usually incomplete (never delivered).
 */
import { describe, expect, it } from 'vitest';
import { ChunkDecoder, ServerHandshake, parseVideoTag, type AmfObject } from '@rtmp-cluster/rtmp';
import { ServerHarness } from './session-harness.js';
import { readCapture } from './support/captures.js';

function replay(name: string): ServerHarness {
  const c2s = readCapture(name, 'c2s');
  const h = new ServerHarness({ outChunkSize: 4096 });
  h.session.on('connect', () => h.session.acceptConnect());
  h.session.on('publish', (req) => h.session.acceptPublish(req.streamId));
  h.session.on('play', (req) => h.session.acceptPlay(req.streamId));
  const step = new ServerHandshake().push(c2s);
  expect(step.done).toBe(true);
  const decoder = new ChunkDecoder((msg) => h.feed(msg, 0));
  // feed in uneven slices, as a socket would deliver them
  const rest = step.remainder;
  for (let pos = 0; pos < rest.length; pos += 1000) {
    decoder.push(rest.subarray(pos, pos + 1000));
    h.session.onBytesReceived(decoder.bytesReceived);
  }
  return h;
}

function connectOf(h: ServerHarness) {
  const connects = h.eventsNamed('connect');
  expect(connects).toHaveLength(1);
  return connects[0]!;
}

describe('real client captures through ServerSession', () => {
  it('ffmpeg 5.1 publish: connect, releaseStream/FCPublish/createStream, publish, metadata and H.264/AAC media', () => {
    const h = replay('ffmpeg-publish');
    const c = connectOf(h);
    expect(c.app).toBe('live');
    expect(c.tcUrl).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live$/);
    expect(c.flashVer).toMatch(/^FMLE\/3\.0/);
    expect(c.objectEncoding).toBe(0);
    expect(h.eventsNamed('streamCommand').map((e) => `${e.command}:${e.name}`)).toEqual(['releaseStream:cap', 'FCPublish:cap']);
    expect(h.eventsNamed('publish')).toMatchObject([{ streamId: 1, name: 'cap', publishType: 'live', app: 'live' }]);
    // replies in order, each transaction answered
    const replies = h.log.filter((l) => l.startsWith('send:') && !l.startsWith('send:Ack'));
    expect(replies).toEqual([
      'send:WinAck(2500000)',
      'send:SetPeerBW(2500000,2)',
      'send:StreamBegin(0)',
      'send:SetChunkSize(4096)',
      'send:_result(1)@0',
      'send:_result(2)@0',
      'send:_result(3)@0',
      'send:onFCPublish(0)@0',
      'send:_result(4)@0',
      'send:StreamBegin(1)',
      'send:onStatus(NetStream.Publish.Start)@1',
    ]);
    const meta = h.eventsNamed('metadata');
    expect(meta).toHaveLength(1);
    expect((meta[0]!.metadata as AmfObject)['width']).toBe(320);
    expect((meta[0]!.metadata as AmfObject)['videocodecid']).toBe(7);
    const media = h.eventsNamed('media');
    const video = media.filter((m) => m.kind === 'video');
    expect(video.length).toBeGreaterThan(0);
    expect(media.some((m) => m.kind === 'audio')).toBe(true);
    const first = parseVideoTag(video[0]!.message.payload);
    expect(first.codec).toBe('avc');
    expect(first.isSequenceHeader).toBe(true);
    expect(h.session.stats.mediaIgnored).toBe(0);
    expect(h.session.peerChunkSize).toBe(4096); // ffmpeg mirrors the server's chunk size [conf 18]
  });

  it('[conf 45] GStreamer rtmp2sink publish: transaction id 0 commands accepted, no _result for them', () => {
    const h = replay('gst-rtmp2sink-publish');
    const c = connectOf(h);
    expect(c.app).toBe('live');
    const pub = h.eventsNamed('publish');
    expect(pub).toMatchObject([{ name: 'cap', publishType: 'live' }]);
    const commands = h.eventsNamed('streamCommand');
    expect(commands.map((e) => e.command)).toEqual(expect.arrayContaining(['releaseStream', 'FCPublish']));
    expect(commands.every((e) => e.transactionId === 0)).toBe(true);
    // no _result answers a transaction-0 command: only connect and createStream get one
    const results = h.log.filter((l) => l.startsWith('send:_result'));
    expect(results).toHaveLength(2);
    expect(h.log).toContain('send:onStatus(NetStream.Publish.Start)@1');
    expect(h.eventsNamed('metadata').length).toBeGreaterThanOrEqual(1);
    expect(h.eventsNamed('media').filter((m) => m.kind === 'video').length).toBeGreaterThan(0);
    expect(h.session.stats.mediaIgnored).toBe(0);
  });

  it.each([
    ['ffprobe-play', -2000, 4],
    ['rtmpdump-play', -1000, 4],
    ['gst-rtmp2src-play', -2, 0],
  ])('[conf 50] [conf 51] %s: play(start %d, txn %d) understood as live, answered with Reset, Start, |RtmpSampleAccess', (name, start, txn) => {
    const h = replay(name);
    const c = connectOf(h);
    expect(c.app).toBe('live');
    const plays = h.eventsNamed('play');
    expect(plays).toHaveLength(1);
    expect(plays[0]).toMatchObject({ name: 'cap', live: true, app: 'live', start, transactionId: txn });
    // [conf 30] every one of these players sends SetBufferLength for its stream
    expect(h.eventsNamed('bufferLength').some((b) => b.streamId === plays[0]!.streamId && b.bufferMs > 0)).toBe(true);
    const fromPlay = h.log.slice(h.log.indexOf('event:play'));
    expect(fromPlay.slice(1, 5)).toEqual([
      `send:StreamBegin(${plays[0]!.streamId})`,
      `send:onStatus(NetStream.Play.Reset)@${plays[0]!.streamId}`,
      `send:onStatus(NetStream.Play.Start)@${plays[0]!.streamId}`,
      `send:data(|RtmpSampleAccess)@${plays[0]!.streamId}`,
    ]);
  });
});
