/**
 * Captured sessions of real clients against nginx-rtmp (fixtures/captures/, see
 * its README). The client->server bytes are replayed into ServerHandshake; the
 * recorded exchange itself is also used as vectors for the digest primitives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientHandshake, ServerHandshake } from '@rtmp-cluster/rtmp';
import {
  FLASH_MEDIA_SERVER_KEY,
  FLASH_MEDIA_SERVER_PARTIAL_KEY,
  FLASH_PLAYER_KEY,
  FLASH_PLAYER_PARTIAL_KEY,
  findPacketDigest,
  verifyResponse,
} from '../src/handshake/HandshakeDigest.js';
import { readCapture } from './support/captures.js';
import { feedInPieces } from './support/handshakeFeed.js';

const load = (name: string) => ({ c2s: readCapture(name, 'c2s'), s2c: readCapture(name, 's2c') });

const CONNECT_AMF = Buffer.from([0x02, 0x00, 0x07, ...Buffer.from('connect')]);
const HANDSHAKE_BYTES = 1 + 1536 * 2;

const cases = [
  { name: 'ffmpeg-publish', mode: 'digest', clientVersion: 0x09007c02 },
  { name: 'ffprobe-play', mode: 'digest', clientVersion: 0x09007c02 },
  { name: 'rtmpdump-play', mode: 'simple', clientVersion: 0 },
  { name: 'gst-rtmp2sink-publish', mode: 'simple', clientVersion: 0 },
  { name: 'gst-rtmp2src-play', mode: 'simple', clientVersion: 0 },
] as const;

function expectConnectChunk(bytes: Buffer): void {
  // fmt 0, csid 3; message type 20 (AMF0 command) on stream 0; payload begins with the string "connect".
  expect(bytes[0]).toBe(0x03);
  expect(bytes[7]).toBe(20);
  expect(bytes.readUInt32LE(8)).toBe(0);
  expect(bytes.subarray(12, 12 + CONNECT_AMF.length).equals(CONNECT_AMF)).toBe(true);
}

describe.each(cases)('captured $name', ({ name, mode, clientVersion }) => {
  const { c2s, s2c } = load(name);

  it('completes ServerHandshake in one push with the expected mode, the remainder being the chunk stream', () => {
    const hs = new ServerHandshake();
    const step = hs.push(c2s);
    expect(step.done).toBe(true);
    expect(step.send).not.toBeNull();
    expect(step.send!.length).toBe(HANDSHAKE_BYTES);
    expect(hs.mode).toBe(mode);
    expect(hs.clientVersion).toBe(clientVersion);
    // The C2 was for nginx's S1, not ours: only logged, never fatal.
    expect(hs.c2Matched).toBe(false);
    expect(step.remainder.length).toBe(c2s.length - HANDSHAKE_BYTES);
    expect(step.remainder.equals(c2s.subarray(HANDSHAKE_BYTES))).toBe(true);
    expectConnectChunk(step.remainder);
  });

  it('gives the same mode and remainder for random splits of the capture', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: c2s.length - 1 }), { maxLength: 8 }), (cuts) => {
        const hs = new ServerHandshake();
        const { sends, rest } = feedInPieces(hs, c2s, cuts.sort((a, b) => a - b));
        expect(hs.done).toBe(true);
        expect(sends).toBe(1);
        expect(hs.mode).toBe(mode);
        expect(rest.equals(c2s.subarray(HANDSHAKE_BYTES))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('shows nginx answering in the same mode (S1 version and digest)', () => {
    expect(s2c[0]).toBe(3);
    const s1 = s2c.subarray(1, 1537);
    const s1Digest = findPacketDigest(s1, FLASH_MEDIA_SERVER_PARTIAL_KEY);
    if (mode === 'digest') {
      expect(s1.readUInt32BE(4)).not.toBe(0);
      expect(s1Digest).toBeDefined();
    } else {
      expect(s1.readUInt32BE(4)).toBe(0);
      expect(s1Digest).toBeUndefined();
    }
  });
});

describe('captured digest exchanges as vectors', () => {
  for (const name of ['ffmpeg-publish', 'ffprobe-play']) {
    const { c2s, s2c } = load(name);
    const c1 = c2s.subarray(1, 1537);
    const c2 = c2s.subarray(1537, 3073);
    const s1 = s2c.subarray(1, 1537);
    const s2 = s2c.subarray(1537, 3073);

    it(`${name}: nginx's S2 is signed over ffmpeg's C1 digest with the FMS key`, () => {
      const c1Digest = findPacketDigest(c1, FLASH_PLAYER_PARTIAL_KEY);
      expect(c1Digest?.scheme).toBe(0);
      expect(verifyResponse(s2, c1Digest!.digest, FLASH_MEDIA_SERVER_KEY)).toBe(true);
    });

    it(`${name}: ClientHandshake(digest) verifies nginx's S1 and answers with C2`, () => {
      const client = new ClientHandshake({ digest: true });
      client.start();
      const step = client.push(s2c.subarray(0, 1537));
      expect(step.done).toBe(false);
      expect(client.mode).toBe('digest');
      const s1Digest = findPacketDigest(s1, FLASH_MEDIA_SERVER_PARTIAL_KEY)!;
      expect(verifyResponse(step.send!, s1Digest.digest, FLASH_PLAYER_KEY)).toBe(true);
    });
  }

  it('ffprobe (a player) answers S1 with a signed C2; ffmpeg publishing echoes S1', () => {
    const play = load('ffprobe-play');
    const s1Digest = findPacketDigest(play.s2c.subarray(1, 1537), FLASH_MEDIA_SERVER_PARTIAL_KEY)!;
    expect(verifyResponse(play.c2s.subarray(1537, 3073), s1Digest.digest, FLASH_PLAYER_KEY)).toBe(true);

    const publish = load('ffmpeg-publish');
    expect(publish.c2s.subarray(1537, 3073).equals(publish.s2c.subarray(1, 1537))).toBe(true);
  });
});
