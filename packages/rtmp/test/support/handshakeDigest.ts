import { createHmac } from 'node:crypto';

// The FP9 handshake restated from its public descriptions (FFmpeg rtmpproto.c, nginx-rtmp, SRS), so
// test vectors do not depend on the implementation's own tables.
const KEY_TAIL = Buffer.from('f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae', 'hex');
export const PLAYER_KEY = Buffer.concat([Buffer.from('Genuine Adobe Flash Player 001', 'latin1'), KEY_TAIL]);
export const SERVER_KEY = Buffer.concat([Buffer.from('Genuine Adobe Flash Media Server 001', 'latin1'), KEY_TAIL]);
/** What C1 digests are signed with: the first 30 bytes of the player key. */
export const PLAYER_PARTIAL_KEY = PLAYER_KEY.subarray(0, 30);
/** What S1 digests are signed with: the first 36 bytes of the server key. */
export const SERVER_PARTIAL_KEY = SERVER_KEY.subarray(0, 36);

export function hmac(key: Buffer, ...parts: Buffer[]): Buffer {
  const m = createHmac('sha256', key);
  for (const p of parts) m.update(p);
  return m.digest();
}

/** Digest offset: scheme 0 from bytes 8..11 (ffmpeg), scheme 1 from bytes 772..775. */
export function digestOffset(packet: Buffer, scheme: 0 | 1): number {
  const base = scheme === 0 ? 8 : 772;
  return ((packet[base]! + packet[base + 1]! + packet[base + 2]! + packet[base + 3]!) % 728) + base + 4;
}

/** HMAC over the 1536-byte packet without the 32 digest bytes at `offset`. */
export function digestAt(packet: Buffer, offset: number, key: Buffer): Buffer {
  return hmac(key, packet.subarray(0, offset), packet.subarray(offset + 32, 1536));
}

/** Writes a client digest at `scheme` into `c1` (version field set to `version`); returns the digest. */
export function signC1(c1: Buffer, scheme: 0 | 1, version = 0x09007c02): Buffer {
  c1.writeUInt32BE(0, 0);
  c1.writeUInt32BE(version, 4);
  const off = digestOffset(c1, scheme);
  const digest = digestAt(c1, off, PLAYER_PARTIAL_KEY);
  digest.copy(c1, off);
  return digest;
}
