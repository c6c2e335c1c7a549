/**
 * Decides when a receiver owes its peer an Acknowledgement (RTMP 5.4.3). Byte counts are handled
 * modulo 2^32 with serial arithmetic, so a counter passing 4 GiB (or a caller that already wraps
 * it) keeps producing acks instead of stalling the encoder.
 */
export class AckCounter {
  private lastTotal = 0;
  private sinceAck = 0;

  constructor(private windowSize: number) {}

  get window(): number {
    return this.windowSize;
  }

  setWindow(size: number): void {
    this.windowSize = size;
  }

  /**
   * `totalBytes`: bytes received so far (plain count, or a uint32 counter). Returns the sequence
   * number to acknowledge (total mod 2^32) when a window has been completed, else undefined.
   */
  update(totalBytes: number): number | undefined {
    const seq = totalBytes >>> 0;
    const delta = (seq - this.lastTotal) >>> 0;
    this.lastTotal = seq;
    if (this.windowSize <= 0) return undefined;
    this.sinceAck += delta;
    if (this.sinceAck < this.windowSize) return undefined;
    this.sinceAck = 0;
    return seq;
  }
}
