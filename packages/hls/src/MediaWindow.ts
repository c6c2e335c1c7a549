/** One part (LL-HLS partial segment): a CMAF fragment. */
export interface Part {
  readonly msn: number;
  readonly index: number;
  /** seconds, from the first frame of this part to the first frame of the next */
  readonly duration: number;
  /** starts with a frame a decoder can start at */
  readonly independent: boolean;
  readonly bytes: Buffer;
}

/** One media segment: its parts, in order; its bytes are their concatenation. */
export interface Segment {
  readonly msn: number;
  /** wall-clock ms of its first frame (EXT-X-PROGRAM-DATE-TIME) */
  readonly dateMs: number;
  /** URI name of the init segment (EXT-X-MAP) its fragments need */
  readonly initName: string;
  /** the timeline does not continue from the previous segment (new epoch, new codec configuration, numbering gap) */
  readonly discontinuity: boolean;
  /**
   * its discontinuity sequence number (EXT-X-DISCONTINUITY-SEQUENCE when it is the first listed), derived
   * from the registry epoch of its timeline so that nodes that joined at different times agree (Segmenter)
   */
  readonly discontinuitySequence: number;
  readonly parts: Part[];
  /** seconds; set when the segment is complete */
  duration: number;
  complete: boolean;
}

export interface InitSection {
  readonly name: string;
  readonly bytes: Buffer;
}

export interface MediaWindowOptions {
  /** complete segments kept (listed and served), default 24 */
  maxSegments?: number;
}

/**
 * The segments a node serves for one stream, bounded: the newest `maxSegments` complete segments
 * and the one being written. Segment bytes are the concatenation of their parts, built once on
 * first request. Listeners are told about every new part (blocking reloads wait on them).
 */
export class MediaWindow {
  readonly maxSegments: number;
  private readonly segments: Segment[] = [];
  private readonly inits = new Map<string, InitSection>();
  private readonly joined = new WeakMap<Segment, Buffer>();
  private readonly listeners = new Set<() => void>();
  private ended = false;

  constructor(options: MediaWindowOptions = {}) {
    this.maxSegments = options.maxSegments ?? 24;
    if (!Number.isInteger(this.maxSegments) || this.maxSegments < 3) throw new RangeError('maxSegments must be an integer >= 3');
  }

  /** segments in the window, oldest first (the last one may be incomplete) */
  get list(): readonly Segment[] {
    return this.segments;
  }

  get discontinuitySequence(): number {
    return this.segments[0]?.discontinuitySequence ?? 0;
  }

  /** the publisher left: no more parts will come until a new segment starts */
  get isEnded(): boolean {
    return this.ended;
  }

  get bytesHeld(): number {
    let n = 0;
    for (const s of this.segments) for (const p of s.parts) n += p.bytes.length;
    return n;
  }

  addInit(init: InitSection): void {
    this.inits.set(init.name, init);
    this.notify();
  }

  /** whether any init section is known yet (a stream that just started muxing has none) */
  get hasInit(): boolean {
    return this.inits.size > 0;
  }

  init(name: string): InitSection | undefined {
    return this.inits.get(name);
  }

  startSegment(segment: Segment): void {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && !last.complete) throw new Error(`segment ${last.msn} is still open`);
    if (last !== undefined && segment.msn <= last.msn) throw new Error(`segment ${segment.msn} does not follow ${last.msn}`);
    this.ended = false;
    // A gap in numbering cannot be listed: the playlist restarts at the new segment.
    if (last !== undefined && segment.msn !== last.msn + 1) {
      while (this.segments.length > 0) this.dropOldest();
    }
    this.segments.push(segment);
    while (this.completeCount() > this.maxSegments) this.dropOldest();
    this.pruneInits();
  }

  /**
   * Forgets every segment: a new timeline whose numbers do not follow the listed ones (its epoch started
   * before the old timeline's last segment ended) replaces the window, as a node that joined now would list it.
   */
  clear(): void {
    this.segments.length = 0;
    this.notify();
  }

  addPart(part: Part): void {
    const seg = this.segments[this.segments.length - 1];
    if (seg === undefined || seg.complete || seg.msn !== part.msn || part.index !== seg.parts.length) {
      throw new Error(`part ${part.msn}.${part.index} does not continue the open segment`);
    }
    seg.parts.push(part);
    this.notify();
  }

  completeSegment(durationSeconds: number): void {
    const seg = this.segments[this.segments.length - 1];
    if (seg === undefined || seg.complete) return;
    if (seg.parts.length === 0) {
      // nothing was written: forget it rather than list an empty segment
      this.segments.pop();
      return;
    }
    seg.duration = durationSeconds;
    seg.complete = true;
    this.notify();
  }

  /** The publisher left: nothing follows the last segment until a new one starts. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  segment(msn: number): Segment | undefined {
    const first = this.segments[0];
    if (first === undefined) return undefined;
    return this.segments[msn - first.msn];
  }

  /** bytes of a complete segment (built once, then shared) */
  segmentBytes(seg: Segment): Buffer {
    let b = this.joined.get(seg);
    if (b === undefined) {
      b = Buffer.concat(seg.parts.map((p) => p.bytes));
      if (seg.complete) this.joined.set(seg, b);
    }
    return b;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private completeCount(): number {
    let n = 0;
    for (const s of this.segments) if (s.complete) n++;
    return n;
  }

  private dropOldest(): void {
    this.segments.shift();
  }

  private pruneInits(): void {
    const used = new Set(this.segments.map((s) => s.initName));
    for (const name of this.inits.keys()) if (!used.has(name) && this.inits.size > 1) this.inits.delete(name);
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
