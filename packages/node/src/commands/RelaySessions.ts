/**
 * What only the cluster role knows about a node's sessions: which incoming connections are relay pulls of
 * other nodes (an origin serving edges), and which outgoing relay pulls the node runs itself (an edge).
 * The command handler lists and kicks them as kind 'relay'; the metrics count them as relay connections.
 */
import type { EdgeRole, OriginRole } from '@rtmp-cluster/cluster';

export interface OutgoingRelay {
  /** 'app/name' */
  key: string;
  /** 'host:port' of the upstream (origin) or '' while resolving */
  upstreamAddress: string;
  /** epoch ms when this node first saw the relay */
  startedAt: number;
  bytesIn: number;
  /** true while the upstream delivers the stream */
  live: boolean;
}

export interface RelaySessions {
  /** connection ids of incoming relay pulls (origin side) */
  incomingRelayConnIds(): ReadonlySet<string>;
  /** this node's own upstream pulls (edge side) */
  outgoingRelays(): OutgoingRelay[];
  /** stops the outgoing relay of key (operator kick); false if there is none */
  stopOutgoingRelay(key: string, reason: string): boolean;
}

export const NO_RELAYS: RelaySessions = {
  incomingRelayConnIds: () => new Set<string>(),
  outgoingRelays: () => [],
  stopOutgoingRelay: () => false,
};

/** Origin: the role tells relay pulls apart from players by the relay credential. */
export function originRelaySessions(role: Pick<OriginRole, 'activePlays'>): RelaySessions {
  return {
    incomingRelayConnIds: () => new Set(role.activePlays().filter((p) => p.relay).map((p) => p.connId)),
    outgoingRelays: () => [],
    stopOutgoingRelay: () => false,
  };
}

/** Edge: one RelayPuller per stream; plays through it are players (another edge's pull is a player here too). */
export function edgeRelaySessions(role: Pick<EdgeRole, 'relayStats' | 'relay'>, now: () => number = Date.now): RelaySessions {
  // RelayPuller has no start time; remember when we first saw each one (by key and pull count identity).
  const firstSeen = new Map<string, number>();
  return {
    incomingRelayConnIds: () => new Set<string>(),
    outgoingRelays: () => {
      const stats = role.relayStats();
      const keys = new Set(stats.map((s) => s.key));
      for (const k of [...firstSeen.keys()]) if (!keys.has(k)) firstSeen.delete(k);
      return stats.map((s) => {
        let since = firstSeen.get(s.key);
        if (since === undefined) {
          since = now();
          firstSeen.set(s.key, since);
        }
        return {
          key: s.key,
          upstreamAddress: s.upstream?.address ?? '',
          startedAt: since,
          bytesIn: s.bytesReceived,
          live: s.state === 'live',
        };
      });
    },
    stopOutgoingRelay: (key, reason) => {
      const puller = role.relay(key);
      if (!puller) return false;
      puller.stop('RELAY_STOPPED', reason);
      return true;
    },
  };
}
