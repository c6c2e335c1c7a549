import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FLV_ENCODING, flvHeader, flvTag, FlvViewer } from '@rtmp-cluster/web';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A socket that keeps what it is given (the kernel never takes it, so writableLength grows), and how it ended. */
function heldSocket(highWaterMark = 1 << 30) {
  const socket = new PassThrough({ highWaterMark });
  socket.cork(); // nothing leaves: the backlog stays in writableLength
  return socket;
}

function viewer(socket: PassThrough, maxPendingBytes: number) {
  const ended: string[] = [];
  const v = new FlvViewer('c1', FLV_ENCODING, { socket, frame: (d) => d, tagOffset: () => 0 }, 10_000, maxPendingBytes, (why) => ended.push(why));
  return { v, ended };
}

const videoConfig = flvTag(9, 0, hex('17 00 000000 01640028'));
const audioConfig = flvTag(8, 0, hex('af 00 1210'));
const keyframe = flvTag(9, 40, hex('17 01 000000 aabbcc'));

describe('FlvViewer', () => {
  it('holds the configuration until the first frame, then writes a header that names only the tracks seen', () => {
    const socket = heldSocket();
    const { v } = viewer(socket, 1 << 20);
    v.writev([videoConfig]);
    expect(socket.writableLength).toBe(0);
    expect(v.pendingBytes).toBe(videoConfig.length);
    v.writev([keyframe]);
    const header = flvHeader({ audio: false, video: true });
    expect(socket.writableLength).toBe(header.length + videoConfig.length + keyframe.length);
    expect(v.bytesOut).toBe(socket.writableLength);
    expect(v.pendingBytes).toBe(socket.writableLength);
  });

  it('a header with both flags when audio came first too', () => {
    const socket = heldSocket();
    const { v } = viewer(socket, 1 << 20);
    v.writev([audioConfig, videoConfig, keyframe]);
    socket.uncork();
    const out = socket.read() as Buffer;
    expect(out.subarray(0, 13)).toEqual(flvHeader({ audio: true, video: true }));
    expect(out.subarray(13)).toEqual(Buffer.concat([audioConfig, videoConfig, keyframe]));
  });

  it('a peer whose backlog passed the bound is cut and given nothing more', () => {
    const socket = heldSocket();
    const { v } = viewer(socket, 100);
    v.writev([videoConfig, keyframe]);
    const before = v.bytesOut;
    expect(socket.writableLength).toBeGreaterThan(0);
    v.writev([flvTag(9, 80, Buffer.alloc(200))]);
    const within = v.bytesOut;
    expect(within).toBeGreaterThan(before); // still under the bound when written
    v.writev([flvTag(9, 120, Buffer.alloc(10))]);
    expect(socket.destroyed).toBe(true);
    expect(v.bytesOut).toBe(within);
  });
});
