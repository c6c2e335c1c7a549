/**
 * The node's Prometheus metrics (prom-client). Most values are read from their owners at scrape time
 * (server stats, hub stats, relay stats) so nothing on the media path counts twice; event-driven counters
 * (handshake failures, drop episodes, relay pulls, registry/NATS errors) are incremented as things happen.
 *
 * Cluster roles report through the ClusterMetrics methods (relayPullStarted, relayRepull, registryError,
 * natsError); the cluster package declares the same shape structurally, so it does not depend on this one.
 */
import { Counter, Gauge, Histogram, Registry } from './PromClient.js';
import type { StreamHub, SubscriberLaggingEvent, SubscriberRecoveredEvent } from '@rtmp-cluster/media';
import type { ConnectionClosedEvent, ConnectionInfo, RtmpServerStats } from '@rtmp-cluster/server';
import { NO_RELAYS, type RelaySessions } from '../commands/RelaySessions.js';
import type { MetricSample } from '../MetricsText.js';

export type ConnectionKind = 'publisher' | 'player' | 'relay' | 'unknown';
export const CONNECTION_KINDS: readonly ConnectionKind[] = ['publisher', 'player', 'relay', 'unknown'];

/** What cluster roles call. Keep `operation` / `reason` values to a small fixed set (they become labels). */
export interface ClusterMetrics {
  /** an edge opened an upstream relay connection for a stream (first pull or any later one) */
  relayPullStarted(key: string): void;
  /** an edge pulls a stream again while its players stay: reason e.g. 'upstream-lost', 'origin-moved' */
  relayRepull(key: string, reason: string): void;
  /** a registry call failed: operation e.g. 'heartbeat', 'claim', 'renew', 'lookup', 'ping' */
  registryError(operation: string): void;
  /** a NATS operation failed or the connection dropped: operation e.g. 'publish', 'request', 'disconnected' */
  natsError(operation: string): void;
}

/** The parts of RtmpServer the metrics read (RtmpServer satisfies it). */
export interface MetricsServer {
  stats(): RtmpServerStats;
  listConnections(): ConnectionInfo[];
  on(event: 'connectionClosed', listener: (e: ConnectionClosedEvent) => void): unknown;
}

export interface NodeMetricsSources {
  server: MetricsServer;
  hub: StreamHub;
  /** the node's own samples (rtmpc_up, rtmpc_rtmp_*, TLS, auth, ...): exposed under their names as they are */
  samples?: () => MetricSample[];
}

/** Refusals at accept are limits, not failed handshakes (they have their own counters). */
const REFUSAL_REASONS = new Set(['MAX_CONNECTIONS', 'MAX_CONNECTIONS_PER_IP', 'CONNECTION_RATE_LIMITED', 'SERVER_SHUTDOWN', 'MEMORY_BUDGET']);

/** hub arrival -> socket write; fan-out normally stays in the low milliseconds */
// 15-40 ms in 5-10 ms steps: the merge window (20 ms by default) plus a fan-out cycle lands there, and the 30 ms
// latency objective needs a bucket edge of its own.
export const SEND_LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function labelValue(v: string): string {
  // Bounded label values: a role passing something odd must not create unbounded series.
  return v.length > 64 ? v.slice(0, 64) : v;
}

export class NodeMetrics implements ClusterMetrics {
  readonly registry = new Registry();
  readonly sendLatency: Histogram<never>;
  private sources: NodeMetricsSources | undefined;
  private status: { ready: () => boolean; draining: () => boolean } | undefined;
  private relays: RelaySessions = NO_RELAYS;
  private readonly handshakeFailures: Counter<'reason' | 'code'>;
  private readonly dropEpisodes: Counter<never>;
  private readonly droppedMessages: Counter<never>;
  private readonly relayPulls: Counter<never>;
  private readonly relayRepulls: Counter<'reason'>;
  private readonly registryErrors: Counter<'operation'>;
  private readonly natsErrors: Counter<'operation'>;
  private readonly commands: Counter<'command' | 'result'>;
  /** legacy samples bridged into the registry, by name */
  private readonly bridged = new Map<string, { kind: 'gauge' | 'counter'; metric: Gauge<string> | Counter<string> }>();
  private readonly unsubscribers: Array<() => void> = [];

  constructor() {
    const r = [this.registry];
    // Scrape-time metrics: `read` sets the value from its owner when Prometheus scrapes.
    const gauge = <L extends string = never>(name: string, help: string, read: (g: Gauge<L>) => void, labelNames: readonly L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers: r, collect() { read(this); } });
    const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], read?: (c: Counter<L>) => void) =>
      new Counter<L>({ name, help, labelNames, registers: r, ...(read ? { collect() { read(this); } } : {}) });

    gauge('rtmpc_connections', 'Open RTMP connections of this node (incoming plus outgoing relay pulls); the HPA per-pod metric.', (g) => {
      if (!this.sources) return;
      g.set(this.sources.server.stats().connections + this.relays.outgoingRelays().length);
    });
    gauge('rtmpc_connections_by_kind', 'Open connections by kind: publisher, player, relay (incoming relay pulls and outgoing pulls), unknown (no publish/play yet).', (g) => {
      const counts = this.connectionsByKind();
      for (const k of CONNECTION_KINDS) g.set({ kind: k }, counts[k]);
    }, ['kind']);
    gauge('rtmpc_streams', 'Streams this node serves (published here or relayed from an origin).', (g) => {
      if (!this.sources) return;
      g.set(this.sources.hub.allStreamStats().filter((s) => s.live).length);
    });
    gauge('rtmpc_stream_viewers', 'Player subscriptions over all streams of this node.', (g) => {
      if (!this.sources) return;
      let n = 0;
      for (const s of this.sources.hub.allStreamStats()) n += s.subscriberCount;
      g.set(n);
    });
    gauge('rtmpc_ingress_bitrate_bps', 'Sum of the measured media ingress rate of the live streams, bit/s.', (g) => {
      if (!this.sources) return;
      let n = 0;
      for (const s of this.sources.hub.allStreamStats()) if (s.live) n += s.ingressBitrate;
      g.set(n);
    });
    counter('rtmpc_rtmp_connections_closed_total', 'RTMP connections closed, by reason.', ['reason'], (c) => {
      if (!this.sources) return;
      c.reset();
      for (const [reason, n] of Object.entries(this.sources.server.stats().closedByReason)) c.inc({ reason }, n);
    });
    counter('rtmpc_relay_bytes_received_total', "Bytes received by the outgoing relay pulls running now (an edge's upstream traffic).", [], (c) => {
      let n = 0;
      for (const x of this.relays.outgoingRelays()) n += x.bytesIn;
      c.reset();
      c.inc(n);
    });
    gauge('rtmpc_relays', 'Outgoing relay pulls by state (live: media flows; pending: resolving, connecting or waiting).', (g) => {
      let live = 0;
      let pending = 0;
      for (const x of this.relays.outgoingRelays()) {
        if (x.live) live++;
        else pending++;
      }
      g.set({ state: 'live' }, live);
      g.set({ state: 'pending' }, pending);
    }, ['state']);
    gauge('rtmpc_players_dropping', 'Players currently skipping to the next keyframe because they fell behind.', (g) => {
      if (!this.sources) return;
      const hub = this.sources.hub;
      let n = 0;
      for (const s of hub.allStreamStats()) for (const sub of hub.subscriberStats(s.key)) if (sub.dropping) n++;
      g.set(n);
    });
    gauge('rtmpc_hub_boundary_flushes', '1 while players are written at the end of each video frame (RTMPC_FLUSH_ON_VIDEO_FRAME, and flush cycles leave the node time to spare); 0 while the merge window decides.', (g) => {
      g.set(this.sources?.hub.scheduler.flushesAtBoundaries === true ? 1 : 0);
    });
    gauge('rtmpc_ready', 'Readiness (1 ready; 0 starting, draining or a dependency unavailable).', (g) => g.set(this.status?.ready() ? 1 : 0));
    gauge('rtmpc_draining', '1 while the node drains.', (g) => g.set(this.status?.draining() ? 1 : 0));

    // Event-driven counters: incremented as things happen.
    this.handshakeFailures = counter('rtmpc_handshake_failures_total', 'Connections that ended before the RTMP handshake completed, by close reason (code: RTMP or system error code). TCP probes that send nothing are not counted.', ['reason', 'code']);
    this.dropEpisodes = counter('rtmpc_player_drop_episodes_total', 'Times a slow player started skipping to the next keyframe (delay compensation).');
    this.droppedMessages = counter('rtmpc_player_dropped_frames_total', 'Audio/video messages skipped for slow players (counted when the player resumes at a keyframe).');
    this.relayPulls = counter('rtmpc_relay_pulls_total', 'Upstream relay connections an edge opened.');
    this.relayRepulls = counter('rtmpc_relay_repulls_total', 'Streams an edge pulled again while its players stayed connected, by reason.', ['reason']);
    this.registryErrors = counter('rtmpc_registry_errors_total', 'Failed registry (Redis) operations, by operation.', ['operation']);
    this.natsErrors = counter('rtmpc_nats_errors_total', 'NATS failures (disconnects, failed publishes/requests), by operation.', ['operation']);
    this.commands = counter('rtmpc_node_commands_total', 'Control-plane node commands served, by command and result (ok or the error code).', ['command', 'result']);
    this.sendLatency = new Histogram({
      name: 'rtmpc_hub_send_latency_seconds',
      help: 'Sampled time from a media message entering the hub to its write to a player socket (one hop).',
      buckets: SEND_LATENCY_BUCKETS,
      registers: r,
    });
  }

  /** Connects the scrape-time sources and subscribes to server and hub events. Call once. */
  bind(sources: NodeMetricsSources): void {
    if (this.sources) throw new Error('NodeMetrics already bound');
    this.sources = sources;
    const onClosed = (e: ConnectionClosedEvent): void => this.connectionClosed(e);
    const onLagging = (_e: SubscriberLaggingEvent): void => this.dropEpisodes.inc();
    const onRecovered = (e: SubscriberRecoveredEvent): void => {
      if (e.droppedMessages > 0) this.droppedMessages.inc(e.droppedMessages);
    };
    sources.server.on('connectionClosed', onClosed);
    sources.hub.on('subscriberLagging', onLagging);
    sources.hub.on('subscriberRecovered', onRecovered);
    this.unsubscribers.push(
      () => sources.hub.off('subscriberLagging', onLagging),
      () => sources.hub.off('subscriberRecovered', onRecovered),
    );
  }

  /** Readiness and draining as the health endpoints see them. */
  bindStatus(ready: () => boolean, draining: () => boolean): void {
    this.status = { ready, draining };
  }

  /** The role's relay view (origin/edge); all-in-one has none. */
  setRelaySessions(relays: RelaySessions): void {
    this.relays = relays;
  }

  // ---- ClusterMetrics ------------------------------------------------------------------------

  relayPullStarted(_key: string): void {
    this.relayPulls.inc();
  }

  relayRepull(_key: string, reason: string): void {
    this.relayRepulls.inc({ reason: labelValue(reason) });
  }

  registryError(operation: string): void {
    this.registryErrors.inc({ operation: labelValue(operation) });
  }

  natsError(operation: string): void {
    this.natsErrors.inc({ operation: labelValue(operation) });
  }

  /** Node command outcome (the command handler reports every command). */
  commandServed(command: string, result: string): void {
    this.commands.inc({ command: labelValue(command), result: labelValue(result) });
  }

  // ---- exposition ----------------------------------------------------------------------------

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Prometheus text format 0.0.4. */
  async render(): Promise<string> {
    this.bridgeSamples();
    return this.registry.metrics();
  }

  connectionsByKind(): Record<ConnectionKind, number> {
    const counts: Record<ConnectionKind, number> = { publisher: 0, player: 0, relay: 0, unknown: 0 };
    if (!this.sources) return counts;
    const relayIds = this.relays.incomingRelayConnIds();
    for (const c of this.sources.server.listConnections()) {
      if (relayIds.has(c.connId)) counts.relay++;
      else if (c.role === 'publisher') counts.publisher++;
      else if (c.role === 'player') counts.player++;
      else counts.unknown++;
    }
    counts.relay += this.relays.outgoingRelays().length;
    return counts;
  }

  close(): void {
    for (const u of this.unsubscribers.splice(0)) u();
  }

  private connectionClosed(e: ConnectionClosedEvent): void {
    if (e.phase !== 'handshake' || REFUSAL_REASONS.has(e.reason)) return;
    // A load balancer's TCP check connects and closes without a byte: not a failure.
    if (e.reason === 'HANDSHAKE_INCOMPLETE' && e.bytesIn === 0) return;
    this.handshakeFailures.inc({ reason: e.reason, code: labelValue(e.errorCode ?? '') });
  }

  /**
   * The node's own samples keep their names and types: each name becomes a prom-client metric the first
   * time it is seen and is set to the sample's value at every scrape.
   */
  private bridgeSamples(): void {
    const samples = this.sources?.samples?.() ?? [];
    const seen = new Set<string>();
    for (const s of samples) {
      let entry = this.bridged.get(s.name);
      if (!entry) {
        if (this.registry.getSingleMetric(s.name)) continue; // a native metric wins
        const labelNames = Object.keys(s.labels ?? {}).filter((l) => LABEL_RE.test(l));
        const metric =
          s.kind === 'counter'
            ? new Counter({ name: s.name, help: s.help, labelNames, registers: [this.registry] })
            : new Gauge({ name: s.name, help: s.help, labelNames, registers: [this.registry] });
        entry = { kind: s.kind, metric };
        this.bridged.set(s.name, entry);
      }
      if (!seen.has(s.name)) {
        seen.add(s.name);
        entry.metric.reset();
      }
      const labels = s.labels ?? {};
      if (entry.kind === 'counter') (entry.metric as Counter<string>).inc(labels, Math.max(0, s.value));
      else (entry.metric as Gauge<string>).set(labels, s.value);
    }
    // A sample that disappeared (e.g. no TLS reloader any more) must not linger with its last value.
    for (const [name, entry] of this.bridged) if (!seen.has(name)) entry.metric.reset();
  }
}
