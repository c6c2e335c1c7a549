import { ChunkStreamId, encodeData, MessageType, type AmfValue, type RtmpMessage } from '@rtmp-cluster/rtmp';
import type { PublishedMessage } from '../../src/index.js';

// Sequence headers taken from ffmpeg/libx264/aac output (testsrc 320x240 and 640x360, sine 44.1 kHz / 48 kHz).
export const AVC_SEQ_320 = Buffer.from(
  '17000000000142c00dffe100186742c00dd90141fb011000000300100000030320f142a48001000568cb83cb20',
  'hex',
);
export const AVC_SEQ_640 = Buffer.from(
  '17000000000142c01effe100196742c01ed900a02ff970110000030001000003003c0f162e4801000568cb83cb20',
  'hex',
);
export const AAC_SEQ_44K = Buffer.from('af00120856e500', 'hex');
export const AAC_SEQ_48K = Buffer.from('af001188', 'hex');

/** An AVC NALU tag: frame type 1 (key) or 2 (inter), one length-prefixed NAL of `size` bytes. */
export function avcFrame(keyframe: boolean, size = 200, fill = 0): Buffer {
  const nal = Buffer.alloc(size, fill);
  nal[0] = keyframe ? 0x65 : 0x41;
  const head = Buffer.from([keyframe ? 0x17 : 0x27, 0x01, 0, 0, 0, 0, 0, 0, 0]);
  head.writeUInt32BE(size, 5);
  return Buffer.concat([head, nal]);
}

export function aacFrame(size = 100, fill = 0): Buffer {
  return Buffer.concat([Buffer.from([0xaf, 0x01]), Buffer.alloc(size, fill)]);
}

export function video(payload: Buffer, timestamp: number): PublishedMessage {
  return { kind: 'video', message: { csid: ChunkStreamId.Video, type: MessageType.Video, timestamp, streamId: 1, payload } };
}

export function audio(payload: Buffer, timestamp: number): PublishedMessage {
  return { kind: 'audio', message: { csid: ChunkStreamId.Audio, type: MessageType.Audio, timestamp, streamId: 1, payload } };
}

/** onMetaData as the session hands it to the hub: the decoded object and the plain AMF0 message. */
export function onMetaData(meta: Record<string, AmfValue>, timestamp = 0): PublishedMessage {
  return { kind: 'metadata', metadata: meta, message: dataMessage(['onMetaData', meta], timestamp).message };
}

/** A data message as the session hands it to the hub (plain AMF0, its handler name first). */
export function dataMessage(values: AmfValue[], timestamp = 0): PublishedMessage {
  return { kind: 'data', message: { csid: ChunkStreamId.Data, type: MessageType.DataAmf0, timestamp, streamId: 1, payload: encodeData(values) } };
}

/** First byte classes of what a sink received, for order assertions. */
export function describe(msg: RtmpMessage): string {
  if (msg.type === MessageType.Video) {
    if (msg.payload[1] === 0) return 'vseq';
    return (msg.payload[0]! >> 4) === 1 ? 'key' : 'inter';
  }
  if (msg.type === MessageType.Audio) return msg.payload[1] === 0 ? 'aseq' : 'audio';
  if (msg.type === MessageType.DataAmf0) return 'data';
  return `type${msg.type}`;
}
