/**
 * Conformance checklist items 1-7 (handshake), each as a named test. The digest vectors are
 * computed here from the public description of the FP9 handshake (HMAC-SHA256, the two Adobe keys,
 * the two offset schemes), not from the implementation's tables, and the real clients' C0/C1 come
 * from fixtures/captures (recorded against nginx-rtmp).
 */
import { describe, expect, it } from 'vitest';
import { ClientHandshake, RtmpError, ServerHandshake } from '@rtmp-cluster/rtmp';
import { readCapture } from './support/captures.js';
import {
  PLAYER_KEY,
  PLAYER_PARTIAL_KEY,
  SERVER_KEY,
  SERVER_PARTIAL_KEY,
  digestAt,
  digestOffset,
  hmac,
  signC1,
} from './support/handshakeDigest.js';
import { errorCode } from './support/rtmpError.js';

const capture = (name: string): Buffer => readCapture(name, 'c2s');

function c1Pattern(seed: number): Buffer {
  const c1 = Buffer.alloc(1536);
  for (let i = 0; i < c1.length; i++) c1[i] = (i * 29 + seed * 7 + (i >> 6)) & 0xff;
  return c1;
}

/** A C1 carrying a client digest at `scheme`, signed with the first 30 bytes of the player key. */
function signedC1(scheme: 0 | 1, version = 0x09007c02, seed = 1): { c1: Buffer; digest: Buffer } {
  const c1 = c1Pattern(seed);
  const digest = signC1(c1, scheme, version);
  return { c1, digest };
}

const C0 = Buffer.from([0x03]);

describe('handshake conformance [conf 1-7]', () => {
  it('[conf 1] C0=3 is answered with S0=3; RTMPE (6) and other versions are refused with HANDSHAKE_BAD_VERSION', () => {
    const out = new ServerHandshake().push(Buffer.concat([C0, c1Pattern(3)])).send!;
    expect(out.length).toBe(1 + 1536 + 1536);
    expect(out[0]).toBe(0x03);
    for (const version of [0x06, 0x08, 0x09, 0x00, 0x0a, 0x16, 0x47]) {
      expect([version, errorCode(() => new ServerHandshake().push(Buffer.from([version])))]).toEqual([version, 'HANDSHAKE_BAD_VERSION']);
    }
    // the client side (edge relay) refuses an S0 other than 3 the same way
    const client = new ClientHandshake();
    client.start();
    expect(errorCode(() => client.push(Buffer.from([0x06])))).toBe('HANDSHAKE_BAD_VERSION');
  });

  it('[conf 2] C0 and C1 may arrive together or split anywhere; S0 S1 S2 go out only once all of C1 arrived', () => {
    const c0c1 = Buffer.concat([C0, c1Pattern(4)]);
    const random = (n: number): Buffer => Buffer.alloc(n, 0x42);
    const together = new ServerHandshake({ randomBytes: random }).push(c0c1).send!;
    for (const cuts of [[1], [1, 700, 1536], [5], [1536]]) {
      const hs = new ServerHandshake({ randomBytes: random });
      let pos = 0;
      for (const cut of cuts) {
        expect(hs.push(c0c1.subarray(pos, cut)).send).toBeNull();
        pos = cut;
      }
      // the last byte of C1 completes it
      expect(hs.push(c0c1.subarray(pos, c0c1.length - 1)).send).toBeNull();
      const step = hs.push(c0c1.subarray(c0c1.length - 1));
      expect(step.send!.equals(together)).toBe(true);
      expect(step.done).toBe(false);
    }
  });

  it('[conf 3] a non-zero C1[4..7] is never rejected: 9.0.124.2 (ffmpeg), 10.0.45.2 (librtmp+SWF) and anything else', () => {
    const ffmpegC1 = capture('ffmpeg-publish').subarray(1, 1537);
    expect(ffmpegC1.subarray(4, 8).toString('hex')).toBe('09007c02');
    for (const version of [0x09007c02, 0x0a002d02, 0x80000001, 0xffffffff]) {
      const c1 = c1Pattern(5);
      c1.writeUInt32BE(version, 4);
      const hs = new ServerHandshake();
      const step = hs.push(Buffer.concat([C0, c1]));
      expect(step.send!.length).toBe(3073);
      expect(hs.clientVersion).toBe(version);
      expect(hs.push(Buffer.alloc(1536)).done).toBe(true);
    }
  });

  it('[conf 4] the client digest is found at the scheme-0 offset (ffmpeg capture) and at the scheme-1 offset (bytes 772-775)', () => {
    const ffmpeg = new ServerHandshake();
    ffmpeg.push(capture('ffmpeg-publish').subarray(0, 1537));
    expect([ffmpeg.mode, ffmpeg.digestScheme]).toEqual(['digest', 0]);

    for (const scheme of [0, 1] as const) {
      const hs = new ServerHandshake();
      hs.push(Buffer.concat([C0, signedC1(scheme).c1]));
      expect([hs.mode, hs.digestScheme]).toEqual(['digest', scheme]);
    }
    // a digest keyed with the wrong key, or moved one byte off its offset, is no digest
    const { c1 } = signedC1(0);
    const off = digestOffset(c1, 0);
    const wrongKey = Buffer.from(c1);
    digestAt(wrongKey, off, SERVER_PARTIAL_KEY).copy(wrongKey, off);
    const shifted = Buffer.from(c1);
    c1.copy(shifted, off + 1, off, off + 32);
    for (const bad of [wrongKey, shifted]) {
      const hs = new ServerHandshake();
      hs.push(Buffer.concat([C0, bad]));
      expect(hs.mode).toBe('simple');
    }
  });

  it('[conf 5] digest mode: S1 has a version and an FMS-keyed digest, S2 = random + HMAC(HMAC(FMS key, C1 digest), random)', () => {
    const c2s = capture('ffprobe-play');
    const c1 = c2s.subarray(1, 1537);
    const c1Digest = c1.subarray(digestOffset(c1, 0), digestOffset(c1, 0) + 32);
    expect(c1Digest.equals(digestAt(c1, digestOffset(c1, 0), PLAYER_PARTIAL_KEY))).toBe(true);

    const out = new ServerHandshake().push(c2s.subarray(0, 1537)).send!;
    const s1 = out.subarray(1, 1537);
    const s2 = out.subarray(1537);
    expect(s1.readUInt32BE(4)).not.toBe(0);
    expect(s1[4]).toBeGreaterThanOrEqual(3); // ffmpeg checks the server digest only then
    const s1Off = digestOffset(s1, 0);
    expect(s1.subarray(s1Off, s1Off + 32).equals(digestAt(s1, s1Off, SERVER_PARTIAL_KEY))).toBe(true);
    expect(s2.subarray(1504).equals(hmac(hmac(SERVER_KEY, c1Digest), s2.subarray(0, 1504)))).toBe(true);
  });

  it('[conf 6] simple mode: S1 version 0 and S2 echoes C1, also for a C1 with a version but no valid digest', () => {
    const rtmpdump = capture('rtmpdump-play');
    const noDigest = c1Pattern(6);
    noDigest.writeUInt32BE(0x0a002d02, 4);
    for (const c0c1 of [rtmpdump.subarray(0, 1537), Buffer.concat([C0, noDigest])]) {
      const hs = new ServerHandshake();
      const out = hs.push(c0c1).send!;
      expect(hs.mode).toBe('simple');
      expect(out.subarray(5, 9).toString('hex')).toBe('00000000'); // S1[4..7]: never a version without a digest
      expect(out.subarray(1537).equals(c0c1.subarray(1))).toBe(true);
    }
  });

  it('[conf 7] C2 is not validated strictly: any 1536 bytes finish the handshake (c2Matched only for logs)', () => {
    for (const c0c1 of [Buffer.concat([C0, signedC1(1).c1]), Buffer.concat([C0, c1Pattern(7)])]) {
      const hs = new ServerHandshake();
      hs.push(c0c1);
      const tail = Buffer.from('0300000000000a14000000000200', 'hex');
      const step = hs.push(Buffer.concat([Buffer.alloc(1536, 0xee), tail]));
      expect(step.done).toBe(true);
      expect(hs.c2Matched).toBe(false);
      expect(step.remainder.equals(tail)).toBe(true);
    }
  });
});
