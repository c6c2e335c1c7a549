import { readFile } from 'node:fs/promises';
import { MessageType, type RtmpMessage } from '@rtmp-cluster/rtmp';

/** The tags of an FLV file as the RTMP messages a publisher would send (test input). */
export async function readFlvMessages(file: string): Promise<RtmpMessage[]> {
  const buf = await readFile(file);
  if (buf.toString('latin1', 0, 3) !== 'FLV') throw new Error(`${file} is not an FLV file`);
  let pos = buf.readUInt32BE(5) + 4;
  const out: RtmpMessage[] = [];
  while (pos + 11 <= buf.length) {
    const type = buf[pos]! & 0x1f;
    const size = buf.readUIntBE(pos + 1, 3);
    const timestamp = (buf.readUIntBE(pos + 4, 3) | (buf[pos + 7]! << 24)) >>> 0;
    const payload = buf.subarray(pos + 11, pos + 11 + size);
    pos += 11 + size + 4;
    if (type === MessageType.Audio || type === MessageType.Video || type === MessageType.DataAmf0) {
      out.push({ csid: type === MessageType.Video ? 6 : 4, type, timestamp, streamId: 1, payload });
    }
  }
  return out;
}
