/**
 * One budget for the memory peers make a node hold: messages still being reassembled (exact, reported after
 * every read) and output queued for peers that do not read fast enough (sampled by the server's sweep: the
 * per-write path stays free of bookkeeping, and each queue is bounded on its own by maxPendingOutputBytes
 * and the hub's subscriber budget meanwhile). Each connection can be within its own limits while hundreds
 * together fill the node; this is the bound on them together.
 *
 * Over the budget the node refuses new connections (already near it) and closes the largest holders first:
 * the attack is where the bytes are, and an ordinary publisher holds at most a frame at a time.
 */

/** New connections are refused while the node holds at least this share of its budget. */
export const REFUSE_NEW_AT = 0.9;
/**
 * Over the budget, the largest holders are closed until the rest hold at most this share of it: an attack
 * spreads over many connections, and closing just enough to dip under the line would let the others push it
 * over again at once (one close per read, while they keep sending).
 */
export const CLOSE_DOWN_TO = 0.5;

export class MemoryBudget {
  private partial = 0;
  private output = 0;

  constructor(readonly limitBytes: number) {
    if (!(limitBytes > 0)) throw new RangeError(`memory budget must be positive, got ${limitBytes}`);
  }

  /** bytes held now: partial messages + sampled output queues */
  get heldBytes(): number {
    return this.partial + this.output;
  }

  get partialMessageBytes(): number {
    return this.partial;
  }

  get outputQueueBytes(): number {
    return this.output;
  }

  get isOver(): boolean {
    return this.heldBytes > this.limitBytes;
  }

  /** a new connection may be admitted */
  get admitsNew(): boolean {
    return this.heldBytes < this.limitBytes * REFUSE_NEW_AT;
  }

  /** Partial-message bytes changed by `delta`; true when the node is now over its budget. */
  adjustPartial(delta: number): boolean {
    this.partial += delta;
    return this.isOver;
  }

  /** The sweep's sum of every connection's output queue. */
  setOutput(bytes: number): void {
    this.output = bytes;
  }

  /**
   * The holders to close when over the budget, largest first (ties: the order given), until the rest hold at
   * most CLOSE_DOWN_TO of it; none when within it. `held` is each holder's share of heldBytes.
   */
  selectToClose<T>(holders: Iterable<T>, held: (h: T) => number): T[] {
    if (!this.isOver) return [];
    let excess = this.heldBytes - this.limitBytes * CLOSE_DOWN_TO;
    const ranked = [...holders].map((h) => ({ h, bytes: held(h) })).filter((x) => x.bytes > 0);
    ranked.sort((a, b) => b.bytes - a.bytes);
    const chosen: T[] = [];
    for (const x of ranked) {
      if (excess <= 0) break;
      chosen.push(x.h);
      excess -= x.bytes;
    }
    return chosen;
  }
}
