/** Result of feeding bytes to a handshake state machine. */
export interface HandshakeStep {
  /** Bytes to write to the peer now, or null. */
  send: Buffer | null;
  /** True once the handshake has finished; later bytes belong to the chunk stream. */
  done: boolean;
  /**
   * Bytes of this push that follow the handshake (the first chunks often share
   * a TCP segment with C2). A view into the pushed Buffer, empty unless done.
   */
  remainder: Buffer;
}

/** Source of random filler; injectable so tests get deterministic bytes. */
export type RandomBytesSource = (n: number) => Buffer;
