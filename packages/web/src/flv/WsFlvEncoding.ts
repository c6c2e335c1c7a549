import type { MediaPacket, PacketEncoding } from '@rtmp-cluster/media';
import { WsOpcode, wsFrame } from '../websocket/WebSocketFrames.js';
import { FLV_ENCODING } from './FlvEncoding.js';

/**
 * WebSocket-FLV: each FLV tag in one binary WebSocket message, frame header included, built once per packet
 * and shared by every WS-FLV viewer; the FLV tag itself is the HTTP-FLV viewers' Buffer.
 */
export class WsFlvEncoding implements PacketEncoding {
  readonly id = 'ws-flv';

  encode(packet: MediaPacket): Buffer | null {
    const tag = packet.encodedWith(FLV_ENCODING);
    return tag === null ? null : wsFrame(WsOpcode.Binary, tag);
  }
}

export const WS_FLV_ENCODING = new WsFlvEncoding();
