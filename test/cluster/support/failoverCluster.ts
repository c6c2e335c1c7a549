/**
 * The cluster of the origin failover scenarios: origins A and B as separate processes of the built executable
 * (so they can be killed or frozen), two in-process edges, and a NATS watcher that records the
 * stream.published / stream.unpublished events of the one stream the scenario moves, with their arrival time.
 */
import { NatsEventBus, type ClusterEvent } from '@rtmp-cluster/events';
import type { EdgeRole } from '@rtmp-cluster/cluster';
import type { ClientProcesses } from '../../support/rtmp-clients.js';
import type { ClusterInfra } from './clusterInfra.js';
import { startEdge, type InProcessNode } from './inProcessNodes.js';
import { startNodeProcess, type NodeProcess } from './nodeProcess.js';

export interface SeenStreamEvent {
  /** Date.now() when the watcher received it */
  at: number;
  event: ClusterEvent;
}

export interface FailoverCluster {
  originA: NodeProcess;
  originB: NodeProcess;
  edges: InProcessNode<EdgeRole>[];
  /** the stream's published/unpublished events in arrival order */
  events: SeenStreamEvent[];
  /** the first stream.published event from `originId`, if one arrived */
  published(originId: string): SeenStreamEvent | undefined;
  /** stops the edges and the watcher (the origin processes belong to the ClientProcesses group) */
  stop(): Promise<void>;
}

export async function startFailoverCluster(
  procs: ClientProcesses,
  infra: ClusterInfra,
  key: string,
  originEnv: Record<string, string> = {},
): Promise<FailoverCluster> {
  const { urls } = infra;
  const [originA, originB] = await Promise.all([
    startNodeProcess(procs, 'origin', 'origin-a', urls, originEnv),
    startNodeProcess(procs, 'origin', 'origin-b', urls, originEnv),
  ]);
  const edges = await Promise.all([startEdge('edge-1', urls), startEdge('edge-2', urls)]);
  const events: SeenStreamEvent[] = [];
  const watcher = await NatsEventBus.connect({ servers: infra.nats.url, nodeId: 'test-watcher' });
  watcher.subscribe({ types: ['stream.published', 'stream.unpublished'], key }, (event) => {
    events.push({ at: Date.now(), event });
  });
  await watcher.flush();
  return {
    originA,
    originB,
    edges,
    events,
    published: (originId) => events.find((e) => e.event.type === 'stream.published' && e.event.originId === originId),
    async stop() {
      for (const e of edges) await e.stop();
      await watcher.close();
    },
  };
}
