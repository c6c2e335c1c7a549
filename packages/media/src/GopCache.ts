import type { GopCacheOptions } from './HubTypes.js';
import { MediaKind, type MediaPacket } from './MediaPacket.js';

/**
 * Audio and video packets from the latest keyframe on, so a late joiner can
 * start decoding at once. When a bound is hit the cache is emptied and stays
 * empty until the next keyframe (a partial GOP is useless to a decoder).
 */
export class GopCache {
  private readonly maxBytes: number;
  private readonly maxMessages: number;
  private readonly maxDurationMs: number;
  private packets: MediaPacket[] = [];
  private bytesHeld = 0;
  /** false between an overflow/reset and the next keyframe */
  private collecting = false;

  constructor(options: GopCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.maxMessages = options.maxMessages ?? 4096;
    this.maxDurationMs = options.maxDurationMs ?? 10_000;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  get size(): number {
    return this.packets.length;
  }

  /** the cached packets, oldest (the keyframe) first; do not modify */
  get contents(): readonly MediaPacket[] {
    return this.packets;
  }

  add(packet: MediaPacket): void {
    if (packet.kind === MediaKind.Data || packet.isConfig) return;
    if (packet.isKeyframe) {
      this.packets = [packet];
      this.bytesHeld = packet.payload.length;
      this.collecting = true;
      this.checkBounds(packet);
      return;
    }
    if (!this.collecting) return;
    this.packets.push(packet);
    this.bytesHeld += packet.payload.length;
    this.checkBounds(packet);
  }

  reset(): void {
    this.packets = [];
    this.bytesHeld = 0;
    this.collecting = false;
  }

  private checkBounds(newest: MediaPacket): void {
    const first = this.packets[0]!;
    if (
      this.bytesHeld > this.maxBytes ||
      this.packets.length > this.maxMessages ||
      newest.extendedTimestamp - first.extendedTimestamp > this.maxDurationMs
    ) {
      this.reset();
    }
  }
}
