import { expect } from 'vitest';
import { ChunkDecoder, RtmpError, type ProtocolLimits, type RtmpMessage } from '@rtmp-cluster/rtmp';
import { prng, randomPieces } from './random.js';

/** A message with its payload given as a Buffer or as spaced hex. */
export function msg(csid: number, type: number, timestamp: number, streamId: number, payload: Buffer | string): RtmpMessage {
  return { csid, type, timestamp, streamId, payload: typeof payload === 'string' ? Buffer.from(payload.replace(/\s+/g, ''), 'hex') : payload };
}

export interface DecodeOutcome {
  /** every message emitted, payloads copied */
  messages: RtmpMessage[];
  /** RtmpError code, or null */
  error: string | null;
  decoder: ChunkDecoder;
}

/** Pushes `pieces` one by one into a fresh ChunkDecoder. */
export function decodeInPieces(pieces: Buffer[], limits?: Partial<ProtocolLimits>): DecodeOutcome {
  const messages: RtmpMessage[] = [];
  const decoder = new ChunkDecoder((m) => messages.push({ ...m, payload: Buffer.from(m.payload) }), { limits });
  try {
    for (const piece of pieces) decoder.push(piece);
    return { messages, error: null, decoder };
  } catch (err) {
    if (!(err instanceof RtmpError)) throw err;
    return { messages, error: err.code, decoder };
  }
}

/**
 * Decodes `bytes` whole, byte by byte and in several random splits, checks
 * that every way gives the same messages (and the same error, if any), and
 * returns the outcome of the whole-buffer run.
 */
export function decodeEveryWay(bytes: Buffer, limits?: Partial<ProtocolLimits>): DecodeOutcome {
  const whole = decodeInPieces([bytes], limits);
  const rnd = prng(bytes.length * 7919 + 17);
  const ways: Buffer[][] = [randomPieces(bytes, () => 1)];
  for (let i = 0; i < 8; i++) ways.push(randomPieces(bytes, () => 1 + Math.floor(rnd() * Math.min(40, bytes.length))));
  for (const pieces of ways) {
    const other = decodeInPieces(pieces, limits);
    expect(other.error).toBe(whole.error);
    expect(other.messages).toEqual(whole.messages);
  }
  return whole;
}

/** decodeEveryWay for a stream that must decode cleanly and completely (nothing left half-read). */
export function decodeOk(bytes: Buffer, limits?: Partial<ProtocolLimits>): RtmpMessage[] {
  const out = decodeEveryWay(bytes, limits);
  expect(out.error).toBeNull();
  expect(out.decoder.pendingBytes).toBe(0);
  return out.messages;
}

export function decodeError(bytes: Buffer, limits?: Partial<ProtocolLimits>): string | null {
  return decodeEveryWay(bytes, limits).error;
}
