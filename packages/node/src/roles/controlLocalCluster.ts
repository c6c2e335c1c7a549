/**
 * The cluster view of an all-in-one node, for its embedded control server (enabled by RTMPC_CONTROL_TOKEN):
 * an in-memory registry and event bus, the node's own record (heartbeat with load and state), and a claim
 * per live stream with its codecs, renewed by a StreamLease, plus stream.published / stream.unpublished
 * events. So ListNodes, ListStreams, GetStream, WatchEvents and the node commands answer about the one node
 * exactly as they would in a cluster.
 */
import { NodePresence, LoadMeter, PublishInfoReporter, publishedCodecsOf } from '@rtmp-cluster/cluster';
import { InMemoryEventBus, InMemoryEventHub } from '@rtmp-cluster/events';
import type { StreamHub, StreamPublishedEvent, StreamUnpublishedEvent } from '@rtmp-cluster/media';
import { parseStreamKey } from '@rtmp-cluster/core';
import { InMemoryRegistry, StreamLease, type StreamLocation } from '@rtmp-cluster/registry';
import type { ConnectionInfo, RtmpServerStats } from '@rtmp-cluster/server';
import type { Logger } from '@rtmp-cluster/core';

export interface LocalClusterOptions {
  nodeId: string;
  address: string;
  hub: StreamHub;
  server: { stats(): RtmpServerStats; listConnections(): ConnectionInfo[] };
  logger: Logger;
  /** how often codecs/resolution of live streams are copied into their claims, default 1000 ms */
  infoRefreshMs?: number;
}

interface LocalClaim {
  lease: StreamLease;
}

export class LocalCluster {
  readonly registry = new InMemoryRegistry();
  readonly eventHub = new InMemoryEventHub();
  /** the node's bus (serves node commands, publishes events) */
  readonly bus: InMemoryEventBus;
  /** the control server's bus (a second client of the same in-memory hub, like a separate process) */
  readonly controlBus: InMemoryEventBus;
  private readonly presence: NodePresence;
  private readonly claims = new Map<string, LocalClaim>();
  private readonly log: Logger;
  private readonly info: PublishInfoReporter;
  private readonly onPublished = (e: StreamPublishedEvent): void => this.claimOrLog(e.key);
  private readonly onUnpublished = (e: StreamUnpublishedEvent): void => {
    this.release(e.key, e.reason === 'unpublished' ? 'publisher-left' : e.reason).catch((err: unknown) => {
      this.log.warn({ stream: e.key, err: (err as Error).message }, 'stream release in the control plane failed');
    });
  };

  constructor(private readonly o: LocalClusterOptions) {
    this.log = o.logger.child({ component: 'local-cluster' });
    this.info = new PublishInfoReporter({ stats: (key) => o.hub.streamStats(key), everyMs: o.infoRefreshMs, logger: this.log });
    this.bus = new InMemoryEventBus({ nodeId: o.nodeId, hub: this.eventHub });
    this.controlBus = new InMemoryEventBus({ nodeId: `${o.nodeId}-control`, hub: this.eventHub });
    const meter = new LoadMeter(() => {
      const s = o.server.stats();
      return { connections: s.connections, streams: o.hub.allStreamStats().filter((x) => x.live).length, bytesIn: s.bytesIn, bytesOut: s.bytesOut };
    });
    this.presence = new NodePresence({
      registry: this.registry,
      bus: this.bus,
      nodeId: o.nodeId,
      role: 'all-in-one',
      address: o.address,
      load: () => meter.sample(),
      logger: this.log,
    });
  }

  async start(): Promise<void> {
    this.o.hub.on('streamPublished', this.onPublished);
    this.o.hub.on('streamUnpublished', this.onUnpublished);
    for (const s of this.o.hub.allStreamStats()) if (s.live) this.claimOrLog(s.key);
    await this.presence.start();
    this.info.start();
  }

  /** registry record 'draining' + node.draining */
  async drain(): Promise<void> {
    await this.presence.setDraining();
  }

  /** back in service after a drain that stayed: record 'up' + node.up */
  async undrain(): Promise<void> {
    await this.presence.setUp();
  }

  /** releases the claims, removes the node record (node.down); the buses stay for the control server */
  async leave(): Promise<void> {
    this.o.hub.off('streamPublished', this.onPublished);
    this.o.hub.off('streamUnpublished', this.onUnpublished);
    this.info.stop();
    for (const key of [...this.claims.keys()]) await this.release(key, 'node-stopping');
    await this.presence.stop();
  }

  async close(): Promise<void> {
    await this.bus.close();
    await this.controlBus.close();
    await this.registry.close();
  }

  /**
   * The stream is on the air already (the hub accepted it); a claim the registry refuses (e.g. a name longer
   * than the registry allows) only leaves it out of the control plane's view, so it is logged, not thrown.
   */
  private claimOrLog(key: string): void {
    this.claim(key).catch((err: unknown) => {
      this.log.warn({ stream: key, err: (err as Error).message }, 'stream not listed in the control plane: registry refused its claim');
    });
  }

  private async claim(key: string): Promise<void> {
    const { app, name } = parseStreamKey(key);
    const publisher = this.o.server.listConnections().find((c) => c.publishing.includes(key));
    const r = await this.registry.claimStream({
      app,
      name,
      nodeId: this.o.nodeId,
      address: this.o.address,
      policy: 'takeover',
      info: publisher ? { publisherAddress: publisher.remoteAddress } : {},
    });
    if (r.status !== 'claimed') return;
    this.claims.get(key)?.lease.stop();
    const lease = new StreamLease(this.registry, r.location, {
      onLost: () => this.claims.delete(key),
      logger: this.log,
    });
    lease.start();
    this.claims.set(key, { lease });
    this.info.track(key, lease, r.location.info);
    this.announce(r.location);
    await this.info.refreshOne(key);
  }

  private announce(l: StreamLocation): void {
    const codecs = publishedCodecsOf(this.o.hub.streamStats(l.key));
    this.bus.publish({
      type: 'stream.published',
      key: l.key,
      app: l.app,
      name: l.name,
      originId: this.o.nodeId,
      originAddress: this.o.address,
      epoch: l.epoch,
      ...(codecs ? { codecs } : {}),
    });
  }

  private async release(key: string, reason: string): Promise<void> {
    const claim = this.claims.get(key);
    if (!claim) return;
    this.claims.delete(key);
    this.info.untrack(key, claim.lease);
    const { app, name, epoch } = claim.lease.location;
    await claim.lease.release().catch(() => undefined);
    this.bus.publish({ type: 'stream.unpublished', key, app, name, originId: this.o.nodeId, epoch, reason });
  }
}
