import type { ProtocolLimits } from '@rtmp-cluster/rtmp';
import type { DuplicatePublishPolicy, StreamHub } from '@rtmp-cluster/media';
import type { Logger } from '@rtmp-cluster/core';
import type { ProxyProtocolOptions } from './proxy/ProxyPreface.js';
import type { StreamAccessPolicy } from './StreamAccessPolicy.js';

export interface RtmpServerOptions {
  hub: StreamHub;
  logger: Logger;
  /** authorization and routing of publish/play; default AllowAllAccessPolicy */
  policy?: StreamAccessPolicy;
  /** outbound chunk size announced after connect (RTMPC_CHUNK_SIZE), default 4096 */
  chunkSize?: number;
  /** how long a player waits for a publisher before StreamNotFound (RTMPC_PLAY_WAIT_MS), default 10 000 */
  playWaitMs?: number;
  /** the handshake must finish within this, default 10 000 */
  handshakeTimeoutMs?: number;
  /**
   * a connection that neither publishes nor plays for this long is closed, and so is a publisher that sends no
   * media that long (acknowledgements and ping answers do not count), default 30 000
   */
  idleTimeoutMs?: number;
  /** PingRequest interval (0 = no pings), default 10 000 */
  pingIntervalMs?: number;
  /** a ping unanswered for this long drops the peer, default 30 000 */
  pingTimeoutMs?: number;
  /** connections beyond this are refused at accept, default 10 000 */
  maxConnections?: number;
  /**
   * open connections from one IP address beyond this are refused at accept, default 1000 (generous on
   * purpose: a load balancer without the PROXY protocol, or an edge relaying many streams, is one address)
   */
  maxConnectionsPerIp?: number;
  /** new connections per second one IP address may open (token bucket refill rate), default 50 */
  connectionRatePerIp?: number;
  /** the bucket's size: connections one IP may open in a burst, default 100 */
  connectionBurstPerIp?: number;
  /** streams published on this server at once; a publish beyond it is refused, default 10 000 */
  maxPublishers?: number;
  /**
   * bytes queued on one socket that the kernel has not taken yet (a peer that does not read); beyond this
   * the connection is closed, default 64 MiB. Media to players is bounded well below this by the hub's
   * subscriber budget; this catches the control path (command answers to a peer that floods and never reads).
   */
  maxPendingOutputBytes?: number;
  /** bounds for what a peer can make us allocate */
  limits?: Partial<ProtocolLimits>;
  /**
   * access decisions (publish/play auth, an edge's relay lookup) the node waits for at once; a publish or play
   * beyond it is refused at once (NetStream.*.Failed) instead of asking the policy, default 1000. Each
   * connection may wait for at most MAX_PENDING_DECISIONS_PER_CONNECTION of them
   */
  maxPendingDecisions?: number;
  /**
   * the largest message a connection may send before one of its publishes is allowed (commands only: connect,
   * createStream, publish, play are far smaller), default 64 KiB; limits.maxMessageSize applies from then on
   */
  maxMessageSizeBeforePublish?: number;
  /**
   * what the node's connections may hold together (messages being reassembled plus output queues); over it new
   * connections are refused and the largest holders closed (MEMORY_BUDGET). Default 0: no node-wide budget
   */
  memoryBudgetBytes?: number;
  /** second publisher of a live name: refuse it (default) or evict the first */
  duplicatePublish?: DuplicatePublishPolicy;
  /**
   * PROXY protocol (v1 and v2) on the RTMP and RTMPS listeners (the header comes before TLS): 'optional' honours a header from a trusted peer
   * and accepts trusted peers that send none, 'required' refuses connections without one; a header from an
   * untrusted peer is always refused. Default off
   */
  proxyProtocol?: ProxyProtocolOptions;
  /** Window Acknowledgement Size advertised after connect, default 2 500 000 */
  windowAckSize?: number;
}

export interface ResolvedServerOptions extends Required<Omit<RtmpServerOptions, 'limits'>> {
  limits: Partial<ProtocolLimits>;
}
