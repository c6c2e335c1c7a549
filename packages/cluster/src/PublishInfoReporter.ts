/**
 * Copies what the hub learned about a publish (codecs, picture size, frame rate, audio format) into the
 * stream's registry claim, so the control plane (ListStreams / GetStream) shows it for any origin. These facts
 * arrive only with the sequence headers and metadata, and may change mid-stream (a new sequence header), so
 * the reporter looks every `everyMs` and writes only what changed, fenced by the lease's epoch
 * (StreamLease.updateInfo): a stale owner can never overwrite the new owner's claim.
 */
import type { StreamStats } from '@rtmp-cluster/media';
import type { PublishInfo, PublishInfoPatch, StreamLease } from '@rtmp-cluster/registry';
import type { Logger } from '@rtmp-cluster/core';

/** A measured frame rate is rewritten only when it moved by more than this (absolute fps, or 2 %). */
const FRAME_RATE_TOLERANCE = 0.5;

/** The publish facts in hub stats, as registry PublishInfo (absent = not known yet). */
export function publishInfoOf(s: StreamStats | undefined): PublishInfo {
  const p: PublishInfo = {};
  if (!s) return p;
  const v = s.video;
  if (v?.codec) p.videoCodec = v.codec;
  if (v?.width) p.width = v.width;
  if (v?.height) p.height = v.height;
  const fps = declaredFrameRate(s) ?? v?.frameRate ?? undefined;
  if (fps !== undefined && fps > 0) p.frameRate = Math.round(fps * 100) / 100;
  const a = s.audio;
  if (a?.codec) p.audioCodec = a.codec;
  if (a?.sampleRate) p.audioSampleRate = a.sampleRate;
  if (a?.channels) p.audioChannels = a.channels;
  return p;
}

/** The codecs for a stream.published event, or undefined while none is known. */
export function publishedCodecsOf(s: StreamStats | undefined): { video?: string; audio?: string } | undefined {
  const video = s?.video?.codec ?? undefined;
  const audio = s?.audio?.codec ?? undefined;
  if (video === undefined && audio === undefined) return undefined;
  return { ...(video ? { video } : {}), ...(audio ? { audio } : {}) };
}

/** The encoder's nominal rate from onMetaData: steadier than the hub's measurement. */
function declaredFrameRate(s: StreamStats): number | undefined {
  const m = s.metadata;
  if (!m) return undefined;
  for (const field of ['framerate', 'videoframerate', 'fps']) {
    const value = m[field];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 1000) return value;
  }
  return undefined;
}

/**
 * The fields of `next` that differ from `recorded` (null for fields that disappeared), or undefined when
 * nothing worth a registry write changed. Frame rate jitter within the tolerance is no change.
 */
export function publishInfoPatch(recorded: PublishInfo, next: PublishInfo): PublishInfoPatch | undefined {
  const patch: PublishInfoPatch = {};
  let changed = false;
  const keys = new Set([...Object.keys(recorded), ...Object.keys(next)] as Array<keyof PublishInfo>);
  for (const k of keys) {
    const before = recorded[k];
    const after = next[k];
    if (before === after) continue;
    if (k === 'frameRate' && typeof before === 'number' && typeof after === 'number') {
      if (Math.abs(after - before) <= Math.max(FRAME_RATE_TOLERANCE, before * 0.02)) continue;
    }
    (patch as Record<string, unknown>)[k] = after ?? null;
    changed = true;
  }
  return changed ? patch : undefined;
}

export interface PublishInfoReporterOptions {
  /** hub stats of a stream */
  stats: (key: string) => StreamStats | undefined;
  /** check period, default 1000 ms */
  everyMs?: number;
  logger: Logger;
}

interface Tracked {
  lease: StreamLease;
  /** what the claim holds now (as far as this reporter wrote it) */
  recorded: PublishInfo;
  /** fields the hub does not know (publisher address): kept in every comparison */
  fixed: PublishInfo;
  writing: boolean;
}

export class PublishInfoReporter {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: PublishInfoReporterOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.o.logger.warn({ err: (err as Error).message }, 'publish info refresh failed'));
    }, this.o.everyMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.tracked.clear();
  }

  /**
   * Reports for key under this lease from now on. `recorded` is what the claim was created with (e.g. the
   * publisher address, which the hub does not know and which is kept).
   */
  track(key: string, lease: StreamLease, recorded: PublishInfo = {}): void {
    this.tracked.set(key, { lease, recorded: { ...recorded }, fixed: { ...recorded }, writing: false });
  }

  /** Stops reporting for key (only if it is still under `lease`, when given). */
  untrack(key: string, lease?: StreamLease): void {
    const t = this.tracked.get(key);
    if (t && (lease === undefined || t.lease === lease)) this.tracked.delete(key);
  }

  /** Checks every tracked stream now; resolves when the writes it started are done. */
  async refresh(): Promise<void> {
    await Promise.all([...this.tracked.keys()].map((key) => this.refreshOne(key)));
  }

  async refreshOne(key: string): Promise<void> {
    const t = this.tracked.get(key);
    if (!t || t.writing || t.lease.lost) return;
    const next: PublishInfo = { ...t.fixed, ...publishInfoOf(this.o.stats(key)) };
    const patch = publishInfoPatch(t.recorded, next);
    if (!patch) return;
    t.writing = true;
    try {
      const r = await t.lease.updateInfo(patch);
      if (r.status === 'updated') {
        t.recorded = { ...r.location.info };
        this.o.logger.debug({ stream: key, epoch: r.location.epoch, info: r.location.info }, 'publish info recorded in the claim');
      } else {
        // The lease reports the loss to its owner (onLost); nothing more to write under this epoch.
        this.untrack(key, t.lease);
      }
    } catch (err) {
      // Registry unreachable: the next round tries again (recorded is unchanged).
      this.o.logger.debug({ stream: key, err: (err as Error).message }, 'publish info update failed');
    } finally {
      t.writing = false;
    }
  }
}
