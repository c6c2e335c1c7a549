/**
 * Every web viewer of the node (HTTP-FLV, WS-FLV, and HLS sessions the HLS routes register): what
 * ListSessions shows and what the per-protocol metrics count. Totals of viewers that left are kept so the
 * byte and drop counters never go backwards.
 */
import type { WebProtocol } from './PlayGate.js';

export interface WebViewerInfo {
  /** 'web-<n>' (the request's connId) or an HLS session id */
  readonly id: string;
  readonly protocol: WebProtocol;
  /** 'app/name' */
  readonly key: string;
  readonly clientIp: string;
  /** 'ip:port' of the socket peer */
  readonly remoteAddress: string;
  /** Date.now() at the start */
  readonly startedAt: number;
}

export interface WebViewerCounters {
  bytesOut: number;
  /** media frames skipped to stay within the latency budget */
  droppedFrames: number;
}

export interface WebViewerSnapshot extends WebViewerInfo, WebViewerCounters {}

export interface ProtocolTotals extends WebViewerCounters {
  viewers: number;
  /** viewers since start */
  viewersTotal: number;
}

interface Entry {
  info: WebViewerInfo;
  counters: () => WebViewerCounters;
  kick: ((reason: string) => void) | undefined;
}

export const WEB_PROTOCOLS: readonly WebProtocol[] = ['http-flv', 'ws-flv', 'hls'];

export class WebViewers {
  private readonly live = new Map<string, Entry>();
  private readonly ended = new Map<WebProtocol, ProtocolTotals>(WEB_PROTOCOLS.map((p) => [p, { viewers: 0, viewersTotal: 0, bytesOut: 0, droppedFrames: 0 }]));

  /**
   * Registers a viewer; the returned function removes it (idempotent), keeping its final counters. `kick`
   * ends the viewer (an operator's KickSession); without it the viewer cannot be kicked.
   */
  add(info: WebViewerInfo, counters: () => WebViewerCounters, kick?: (reason: string) => void): () => void {
    const entry: Entry = { info, counters, kick };
    this.live.set(info.id, entry);
    this.ended.get(info.protocol)!.viewersTotal++;
    return () => {
      if (this.live.get(info.id) !== entry) return;
      this.live.delete(info.id);
      const final = counters();
      const t = this.ended.get(info.protocol)!;
      t.bytesOut += final.bytesOut;
      t.droppedFrames += final.droppedFrames;
    };
  }

  list(key?: string): WebViewerSnapshot[] {
    const out: WebViewerSnapshot[] = [];
    for (const e of this.live.values()) {
      if (key === undefined || e.info.key === key) out.push({ ...e.info, ...e.counters() });
    }
    return out;
  }

  /** Ends viewer `id` (KickSession); false when there is none, or it cannot be kicked. */
  kick(id: string, reason: string): WebViewerInfo | undefined {
    const e = this.live.get(id);
    if (!e?.kick) return undefined;
    e.kick(reason);
    return e.info;
  }

  get size(): number {
    return this.live.size;
  }

  totals(): Map<WebProtocol, ProtocolTotals> {
    const out = new Map<WebProtocol, ProtocolTotals>();
    for (const [p, t] of this.ended) out.set(p, { ...t, viewers: 0 });
    for (const e of this.live.values()) {
      const t = out.get(e.info.protocol)!;
      const c = e.counters();
      t.viewers++;
      t.bytesOut += c.bytesOut;
      t.droppedFrames += c.droppedFrames;
    }
    return out;
  }
}
