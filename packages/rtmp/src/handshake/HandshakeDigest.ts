import { createHmac } from 'node:crypto';

/** C1/S1/C2/S2 are each this long; C0/S0 is one byte. */
export const HANDSHAKE_PACKET_SIZE = 1536;
/** The only plain-RTMP version byte (C0/S0). */
export const RTMP_VERSION = 3;

const SHA256_SIZE = 32;

// The two Adobe handshake keys share the same 32-byte tail; only the ASCII
// prefix differs. The "partial" keys (ASCII prefix only) sign C1/S1, the full
// keys derive the C2/S2 signing key.
const KEY_TAIL = Buffer.from(
  'f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae',
  'hex',
);
/** "Genuine Adobe Flash Player 001" + tail (62 bytes). */
export const FLASH_PLAYER_KEY: Buffer = Buffer.concat([
  Buffer.from('Genuine Adobe Flash Player 001', 'latin1'),
  KEY_TAIL,
]);
/** "Genuine Adobe Flash Media Server 001" + tail (68 bytes). */
export const FLASH_MEDIA_SERVER_KEY: Buffer = Buffer.concat([
  Buffer.from('Genuine Adobe Flash Media Server 001', 'latin1'),
  KEY_TAIL,
]);
/** Key a client signs C1 with (the ASCII part of the player key). */
export const FLASH_PLAYER_PARTIAL_KEY: Buffer = FLASH_PLAYER_KEY.subarray(0, 30);
/** Key a server signs S1 with (the ASCII part of the server key). */
export const FLASH_MEDIA_SERVER_PARTIAL_KEY: Buffer = FLASH_MEDIA_SERVER_KEY.subarray(0, 36);

/**
 * The keys of one end of the digest handshake: it signs its C1/S1 with its
 * partial key and derives its C2/S2 key from its full key; the peer's packets
 * are checked with the peer's pair.
 */
export interface HandshakeKeys {
  readonly ownPartial: Buffer;
  readonly own: Buffer;
  readonly peerPartial: Buffer;
  readonly peer: Buffer;
}

export const CLIENT_KEYS: HandshakeKeys = {
  ownPartial: FLASH_PLAYER_PARTIAL_KEY,
  own: FLASH_PLAYER_KEY,
  peerPartial: FLASH_MEDIA_SERVER_PARTIAL_KEY,
  peer: FLASH_MEDIA_SERVER_KEY,
};

export const SERVER_KEYS: HandshakeKeys = {
  ownPartial: CLIENT_KEYS.peerPartial,
  own: CLIENT_KEYS.peer,
  peerPartial: CLIENT_KEYS.ownPartial,
  peer: CLIENT_KEYS.own,
};

/**
 * Where the 32-byte digest sits inside a 1536-byte C1/S1.
 *  - scheme 0: the 4 bytes at 8..11 pick an offset in 12..739 (what ffmpeg writes)
 *  - scheme 1: the 4 bytes at 772..775 pick an offset in 776..1503
 */
export type DigestScheme = 0 | 1;

export function digestOffset(packet: Buffer, scheme: DigestScheme): number {
  const base = scheme === 0 ? 8 : 772;
  const sum = packet[base]! + packet[base + 1]! + packet[base + 2]! + packet[base + 3]!;
  return (sum % 728) + base + 4;
}

function hmacSha256(key: Buffer, ...parts: Buffer[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** HMAC-SHA256 over the packet with the 32 digest bytes at `offset` left out. */
export function computePacketDigest(packet: Buffer, offset: number, key: Buffer): Buffer {
  return hmacSha256(
    key,
    packet.subarray(0, offset),
    packet.subarray(offset + SHA256_SIZE, HANDSHAKE_PACKET_SIZE),
  );
}

export interface FoundDigest {
  scheme: DigestScheme;
  offset: number;
  digest: Buffer;
}

/**
 * Looks for a valid digest in a C1 (key = player partial key) or S1 (key =
 * server partial key), trying the schemes in the given order. Returns a copy
 * of the digest so callers may keep it after the packet buffer is reused.
 */
export function findPacketDigest(
  packet: Buffer,
  key: Buffer,
  order: readonly DigestScheme[] = [0, 1],
): FoundDigest | undefined {
  for (const scheme of order) {
    const offset = digestOffset(packet, scheme);
    const expected = computePacketDigest(packet, offset, key);
    if (expected.equals(packet.subarray(offset, offset + SHA256_SIZE))) {
      return { scheme, offset, digest: Buffer.from(expected) };
    }
  }
  return undefined;
}

/** Writes the digest into `packet` (1536 bytes, random filler already in place). */
export function signPacket(packet: Buffer, scheme: DigestScheme, key: Buffer): Buffer {
  const offset = digestOffset(packet, scheme);
  const digest = computePacketDigest(packet, offset, key);
  digest.copy(packet, offset);
  return digest;
}

/**
 * The C2/S2 answer of the digest handshake: 1504 filler bytes, then
 * HMAC(HMAC(fullKey, peerDigest), filler). A server answers the client's C1
 * digest with the server full key; a client answers the S1 digest with the
 * player full key.
 */
export function signResponse(filler: Buffer, peerDigest: Buffer, fullKey: Buffer): Buffer {
  const body = filler.subarray(0, HANDSHAKE_PACKET_SIZE - SHA256_SIZE);
  const responseKey = hmacSha256(fullKey, peerDigest);
  return Buffer.concat([body, hmacSha256(responseKey, body)], HANDSHAKE_PACKET_SIZE);
}

/** Checks a C2/S2 built by signResponse. */
export function verifyResponse(response: Buffer, peerDigest: Buffer, fullKey: Buffer): boolean {
  const bodyLength = HANDSHAKE_PACKET_SIZE - SHA256_SIZE;
  const responseKey = hmacSha256(fullKey, peerDigest);
  const expected = hmacSha256(responseKey, response.subarray(0, bodyLength));
  return expected.equals(response.subarray(bodyLength, HANDSHAKE_PACKET_SIZE));
}

/** "9.0.124.2" for the 4 version bytes at 4..7 of C1/S1. */
export function formatHandshakeVersion(version: number): string {
  return [version >>> 24, (version >>> 16) & 0xff, (version >>> 8) & 0xff, version & 0xff].join('.');
}
