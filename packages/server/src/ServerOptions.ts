import type { ProtocolLimits } from '@rtmp-cluster/rtmp';
import type { DuplicatePublishPolicy, StreamHub } from '@rtmp-cluster/media';
import type { Logger } from 'pino';
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
  /** a connection that is not playing is closed after this long without input, default 30 000 */
  idleTimeoutMs?: number;
  /** PingRequest interval (0 = no pings), default 10 000 */
  pingIntervalMs?: number;
  /** a ping unanswered for this long drops the peer, default 30 000 */
  pingTimeoutMs?: number;
  /** connections beyond this are refused at accept, default 10 000 */
  maxConnections?: number;
  /** bounds for what a peer can make us allocate */
  limits?: Partial<ProtocolLimits>;
  /** second publisher of a live name: refuse it (default) or evict the first */
  duplicatePublish?: DuplicatePublishPolicy;
  /** Window Acknowledgement Size advertised after connect, default 2 500 000 */
  windowAckSize?: number;
}

export interface ResolvedServerOptions extends Required<Omit<RtmpServerOptions, 'limits'>> {
  limits: Partial<ProtocolLimits>;
}
