import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientHandshake, RtmpError, ServerHandshake } from '@rtmp-cluster/rtmp';
import {
  PLAYER_KEY,
  PLAYER_PARTIAL_KEY,
  SERVER_KEY,
  SERVER_PARTIAL_KEY,
  digestAt,
  digestOffset,
  hmac,
} from './support/handshakeDigest.js';
import { everyByte, feedInPieces } from './support/handshakeFeed.js';
import { expectRtmpError } from './support/rtmpError.js';

/** Deterministic "random" bytes: a counter pattern, different per call. */
function patternRandom(seed = 1): (n: number) => Buffer {
  let call = seed;
  return (n) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (i * 31 + call * 17 + (i >> 8)) & 0xff;
    call++;
    return b;
  };
}

function filler(seed: number): Buffer {
  const b = Buffer.alloc(1536);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7 + seed * 13 + (i >> 5)) & 0xff;
  return b;
}

/** C1 as ffmpeg builds it: time 0, version 9.0.124.2, digest at the chosen scheme. */
function digestC1(scheme: 0 | 1, seed = 5): { c1: Buffer; digest: Buffer } {
  const c1 = filler(seed);
  c1.writeUInt32BE(0, 0);
  c1.writeUInt32BE(0x09007c02, 4);
  const off = digestOffset(c1, scheme);
  const digest = digestAt(c1, off, PLAYER_PARTIAL_KEY);
  digest.copy(c1, off);
  return { c1, digest };
}

function simpleC1(seed = 3): Buffer {
  const c1 = filler(seed);
  c1.writeUInt32BE(1234, 0);
  c1.writeUInt32BE(0, 4);
  return c1;
}

const C0 = Buffer.from([3]);
const CHUNK_START = Buffer.from([0x03, 0, 0, 0, 0, 0, 0x20, 0x14, 0, 0, 0, 0, 0x02, 0x00, 0x07]);

function splitS0S1S2(out: Buffer): { s0: number; s1: Buffer; s2: Buffer } {
  expect(out.length).toBe(1 + 1536 * 2);
  return { s0: out[0]!, s1: out.subarray(1, 1537), s2: out.subarray(1537) };
}

describe('ServerHandshake: simple handshake', () => {
  it('answers C0+C1 (version 0) with S0=3, S1 version 0 and S2 echoing C1', () => {
    const hs = new ServerHandshake({ randomBytes: patternRandom() });
    const c1 = simpleC1();
    const step = hs.push(Buffer.concat([C0, c1]));
    expect(step.done).toBe(false);
    const { s0, s1, s2 } = splitS0S1S2(step.send!);
    expect(s0).toBe(3);
    expect(s1.readUInt32BE(4)).toBe(0);
    expect(s2.equals(c1)).toBe(true);
    expect(hs.mode).toBe('simple');
    expect(hs.clientVersion).toBe(0);

    const done = hs.push(Buffer.concat([Buffer.from(s1), CHUNK_START]));
    expect(done.done).toBe(true);
    expect(done.send).toBeNull();
    expect(done.remainder.equals(CHUNK_START)).toBe(true);
    expect(hs.c2Matched).toBe(true);
  });

  it('falls back to the simple handshake when C1 has a version but no valid digest', () => {
    const hs = new ServerHandshake({ randomBytes: patternRandom() });
    const c1 = filler(9);
    c1.writeUInt32BE(0x0a002d02, 4); // librtmp with SWF verification: 10.0.45.2
    const { s1, s2 } = splitS0S1S2(hs.push(Buffer.concat([C0, c1])).send!);
    expect(hs.mode).toBe('simple');
    expect(hs.clientVersion).toBe(0x0a002d02);
    // Never a non-zero S1 version without a digest: ffmpeg would reject it.
    expect(s1.readUInt32BE(4)).toBe(0);
    expect(s2.equals(c1)).toBe(true);
  });

  it('finishes with c2Matched=false when C2 is not an echo of S1, without throwing', () => {
    const hs = new ServerHandshake({ randomBytes: patternRandom() });
    hs.push(Buffer.concat([C0, simpleC1()]));
    const step = hs.push(filler(42));
    expect(step.done).toBe(true);
    expect(hs.c2Matched).toBe(false);
    expect(step.remainder.length).toBe(0);
  });

  it('accepts a C2 echo whose time2 field (bytes 4..7) differs', () => {
    const hs = new ServerHandshake({ randomBytes: patternRandom() });
    const { s1 } = splitS0S1S2(hs.push(Buffer.concat([C0, simpleC1()])).send!);
    const c2 = Buffer.from(s1);
    c2.writeUInt32BE(987654, 4);
    expect(hs.push(c2).done).toBe(true);
    expect(hs.c2Matched).toBe(true);
  });
});

describe('ServerHandshake: FP9 digest handshake', () => {
  for (const scheme of [0, 1] as const) {
    it(`validates a scheme-${scheme} client digest and signs S1/S2 accordingly`, () => {
      const hs = new ServerHandshake({ randomBytes: patternRandom() });
      const { c1, digest } = digestC1(scheme);
      const { s0, s1, s2 } = splitS0S1S2(hs.push(Buffer.concat([C0, c1])).send!);
      expect(hs.mode).toBe('digest');
      expect(hs.digestScheme).toBe(scheme);
      expect(hs.clientVersion).toBe(0x09007c02);
      expect(s0).toBe(3);

      // S1: non-zero version whose first byte is >= 3 (ffmpeg only verifies then), digest at the same scheme.
      expect(s1[4]!).toBeGreaterThanOrEqual(3);
      const s1Off = digestOffset(s1, scheme);
      const s1Digest = digestAt(s1, s1Off, SERVER_PARTIAL_KEY);
      expect(s1.subarray(s1Off, s1Off + 32).equals(s1Digest)).toBe(true);

      // S2: 1504 bytes + HMAC(HMAC(FMS full key, C1 digest), first 1504 bytes).
      const key = hmac(SERVER_KEY, digest);
      expect(s2.subarray(1504).equals(hmac(key, s2.subarray(0, 1504)))).toBe(true);
      expect(s2.equals(c1)).toBe(false);

      // C2 as a digest client answers: random + HMAC(HMAC(FP full key, S1 digest), body).
      const c2body = filler(77).subarray(0, 1504);
      const c2 = Buffer.concat([c2body, hmac(hmac(PLAYER_KEY, s1Digest), c2body)]);
      const done = hs.push(c2);
      expect(done.done).toBe(true);
      expect(hs.c2Matched).toBe(true);
    });
  }

  it('accepts an S1 echo as C2 in digest mode (ffmpeg publishers echo S1)', () => {
    const hs = new ServerHandshake({ randomBytes: patternRandom() });
    const { s1 } = splitS0S1S2(hs.push(Buffer.concat([C0, digestC1(0).c1])).send!);
    expect(hs.push(Buffer.from(s1)).done).toBe(true);
    expect(hs.c2Matched).toBe(true);
  });

  it('uses the injected randomness only (deterministic output)', () => {
    const run = () => new ServerHandshake({ randomBytes: patternRandom(4) }).push(Buffer.concat([C0, digestC1(1).c1])).send!;
    expect(run().equals(run())).toBe(true);
  });
});

describe('ServerHandshake: framing', () => {
  const { c1 } = digestC1(0, 11);
  const stream = Buffer.concat([C0, c1]);
  const reference = () => {
    const hs = new ServerHandshake({ randomBytes: patternRandom(2) });
    const s = hs.push(stream).send!;
    return { out: s, c2: Buffer.from(s.subarray(1, 1537)) };
  };

  it('accepts C0 and C1 in separate pushes and sends nothing until C1 is complete', () => {
    const hs = new ServerHandshake({ randomBytes: patternRandom(2) });
    expect(hs.push(C0).send).toBeNull();
    expect(hs.push(c1.subarray(0, 1000)).send).toBeNull();
    const step = hs.push(c1.subarray(1000));
    expect(step.send!.equals(reference().out)).toBe(true);
    expect(step.done).toBe(false);
  });

  it('produces identical output when fed byte by byte', () => {
    const { out, c2 } = reference();
    const tail = Buffer.from('chunk-stream-bytes');
    const all = Buffer.concat([stream, c2, tail]);
    const hs = new ServerHandshake({ randomBytes: patternRandom(2) });
    const { sent, sends, rest } = feedInPieces(hs, all, everyByte(all.length));
    expect(sends).toBe(1);
    expect(sent.equals(out)).toBe(true);
    expect(hs.done).toBe(true);
    expect(rest.equals(tail)).toBe(true);
  });

  it('produces identical output and remainder for any split of the input', () => {
    const { out, c2 } = reference();
    const tail = Buffer.from([0x03, 0, 0, 0, 0, 0, 0x40, 0x14, 1, 2, 3, 4]);
    const all = Buffer.concat([stream, c2, tail]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: all.length - 1 }), { maxLength: 12 }), (cuts) => {
        const hs = new ServerHandshake({ randomBytes: patternRandom(2) });
        const { sent, rest } = feedInPieces(hs, all, cuts.sort((a, b) => a - b));
        expect(sent.equals(out)).toBe(true);
        expect(hs.done).toBe(true);
        expect(hs.mode).toBe('digest');
        expect(rest.equals(tail)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves done=false without throwing on truncated input', () => {
    const hs = new ServerHandshake();
    expect(hs.push(Buffer.concat([C0, c1.subarray(0, 700)])).done).toBe(false);
    expect(hs.mode).toBeUndefined();
    const step = hs.push(c1.subarray(700));
    expect(step.send).not.toBeNull();
    const partialC2 = hs.push(Buffer.alloc(1535));
    expect(partialC2.done).toBe(false);
    expect(partialC2.remainder.length).toBe(0);
    expect(hs.done).toBe(false);
  });

  it('rejects pushes after completion with HANDSHAKE_BAD_STATE', () => {
    const hs = new ServerHandshake();
    hs.push(stream);
    expect(hs.push(Buffer.alloc(1536)).done).toBe(true);
    expectRtmpError(() => hs.push(Buffer.from([3])), 'HANDSHAKE_BAD_STATE');
  });
});

describe('ServerHandshake: versions', () => {
  it.each([0, 1, 4, 0x16, 0x47, 255])('rejects C0=%i with HANDSHAKE_BAD_VERSION on the first byte', (version) => {
    const hs = new ServerHandshake();
    expectRtmpError(() => hs.push(Buffer.from([version])), 'HANDSHAKE_BAD_VERSION', new RegExp(`version ${version}`));
  });

  it('rejects RTMPE (C0=6) with a message that names it', () => {
    const hs = new ServerHandshake();
    expectRtmpError(() => hs.push(Buffer.concat([Buffer.from([6]), filler(1)])), 'HANDSHAKE_BAD_VERSION', /RTMPE/);
  });

  it('hints at TLS when an rtmps client hits the plain port', () => {
    expectRtmpError(() => new ServerHandshake().push(Buffer.from([0x16, 3, 1])), 'HANDSHAKE_BAD_VERSION', /TLS/);
  });
});

/** Runs both sides against each other, delivering bytes in `chunk`-sized pieces. */
function pipeHandshake(client: ClientHandshake, server: ServerHandshake, chunk: number, clientTail = Buffer.alloc(0)) {
  let toServer = client.start();
  let toClient = Buffer.alloc(0);
  let serverRemainder = Buffer.alloc(0);
  let sentTail = false;
  for (let guard = 0; guard < 100_000 && !(client.done && server.done); guard++) {
    if (toServer.length > 0 && !server.done) {
      const piece = toServer.subarray(0, chunk);
      toServer = toServer.subarray(piece.length);
      const step = server.push(piece);
      if (step.send) toClient = Buffer.concat([toClient, step.send]);
      if (step.done) serverRemainder = Buffer.concat([step.remainder, toServer]);
    }
    if (toClient.length > 0 && !client.done) {
      const piece = toClient.subarray(0, chunk);
      toClient = toClient.subarray(piece.length);
      const step = client.push(piece);
      if (step.send) toServer = Buffer.concat([toServer, step.send]);
    }
    if (client.done && !sentTail) {
      sentTail = true;
      toServer = Buffer.concat([toServer, clientTail]);
    }
  }
  return { serverRemainder: server.done ? serverRemainder : undefined };
}

describe('ClientHandshake <-> ServerHandshake', () => {
  for (const chunk of [1, 7, 1000, 5000]) {
    it(`completes the digest handshake in ${chunk}-byte pieces`, () => {
      const client = new ClientHandshake({ digest: true });
      const server = new ServerHandshake();
      pipeHandshake(client, server, chunk);
      expect(client.done).toBe(true);
      expect(server.done).toBe(true);
      expect(client.mode).toBe('digest');
      expect(server.mode).toBe('digest');
      expect(client.s2Matched).toBe(true);
      expect(server.c2Matched).toBe(true);
      expect(client.serverVersion).not.toBe(0);
    });
  }

  it('completes the simple handshake by default and passes the first chunk bytes on', () => {
    const client = new ClientHandshake();
    const server = new ServerHandshake();
    // The connect chunk header is written right behind C2 in the same "segment".
    const { serverRemainder } = pipeHandshake(client, server, 4000, CHUNK_START);
    expect(client.mode).toBe('simple');
    expect(server.mode).toBe('simple');
    expect(client.s2Matched).toBe(true);
    expect(server.c2Matched).toBe(true);
    expect(serverRemainder!.equals(CHUNK_START)).toBe(true);
  });

  it('sends C2 as soon as S1 is complete, before S2 arrives', () => {
    const client = new ClientHandshake();
    const c1 = client.start().subarray(1);
    const server = new ServerHandshake();
    const out = server.push(Buffer.concat([C0, c1])).send!;
    const first = client.push(out.subarray(0, 1537));
    expect(first.done).toBe(false);
    expect(first.send!.equals(out.subarray(1, 1537))).toBe(true);
    const second = client.push(Buffer.concat([out.subarray(1537), Buffer.from([9, 9])]));
    expect(second.done).toBe(true);
    expect(second.send).toBeNull();
    expect([...second.remainder]).toEqual([9, 9]);
  });

  it('falls back to the simple handshake in digest mode when the server answers with version 0', () => {
    const client = new ClientHandshake({ digest: true });
    const c0c1 = client.start();
    expect(c0c1.readUInt32BE(5)).toBe(0x09007c02);
    const s1 = filler(8);
    s1.writeUInt32BE(0, 4);
    const step = client.push(Buffer.concat([C0, s1, c0c1.subarray(1)]));
    expect(step.done).toBe(true);
    expect(step.send!.equals(s1)).toBe(true);
    expect(client.mode).toBe('simple');
    expect(client.s2Matched).toBe(true);
  });

  it('rejects in digest mode an S1 with a version but no valid digest', () => {
    const client = new ClientHandshake({ digest: true });
    client.start();
    const s1 = filler(8);
    s1.writeUInt32BE(0x03000000, 4);
    expectRtmpError(() => client.push(Buffer.concat([C0, s1])), 'HANDSHAKE_DIGEST_INVALID');
  });

  it('rejects in digest mode an S2 whose signature is wrong', () => {
    const client = new ClientHandshake({ digest: true });
    const server = new ServerHandshake();
    const out = Buffer.from(server.push(client.start()).send!);
    out[out.length - 1]! ^= 0xff;
    expectRtmpError(() => client.push(out), 'HANDSHAKE_DIGEST_INVALID', /S2/);
  });

  it('signs C1 at scheme 0 with the Flash Player key', () => {
    const c1 = new ClientHandshake({ digest: true, randomBytes: patternRandom() }).start().subarray(1);
    const off = digestOffset(c1, 0);
    expect(c1.subarray(off, off + 32).equals(digestAt(c1, off, PLAYER_PARTIAL_KEY))).toBe(true);
  });

  it('sends a version-0 C1 in simple mode and rejects a bad S0', () => {
    const client = new ClientHandshake({ randomBytes: patternRandom() });
    const c0c1 = client.start();
    expect(c0c1.length).toBe(1537);
    expect(c0c1[0]).toBe(3);
    expect(c0c1.readUInt32BE(5)).toBe(0);
    expectRtmpError(() => client.push(Buffer.from([6])), 'HANDSHAKE_BAD_VERSION', /RTMPE/);
  });

  it('refuses push() before start() and a second start()', () => {
    const client = new ClientHandshake();
    expectRtmpError(() => client.push(Buffer.from([3])), 'HANDSHAKE_BAD_STATE');
    client.start();
    expectRtmpError(() => client.start(), 'HANDSHAKE_BAD_STATE');
  });
});
