/**
 * What one connection publishes: a publish request goes through the publisher limit and the access gate
 * into the hub; media and metadata of a publishing message stream go to its hub publication; the hub may
 * end a publication by itself (takeover, kick, shutdown), which closes the connection.
 */
import type { MediaEvent, MetadataEvent, SessionPublishRequest, StreamEndEvent } from '@rtmp-cluster/rtmp';
import { isHubError, type Publication, type PublisherCloseReason, type PublisherSource } from '@rtmp-cluster/media';
import type { ConnectionCloseReason } from './ConnectionClose.js';
import type { ConnectionContext } from './ConnectionTypes.js';
import type { StreamAccessGate } from './StreamAccessGate.js';
import type { PublishRequest } from './StreamAccessPolicy.js';

interface ActivePublish {
  streamId: number;
  key: string;
  request: PublishRequest;
  publication: Publication;
}

/** How each hub reason for ending a publication is told to the publisher, and why the connection closes. */
const HUB_ENDED: Record<PublisherCloseReason, { status: string; description: (key: string) => string; closeReason: ConnectionCloseReason; closeMessage: (key: string) => string }> = {
  takeover: {
    status: 'NetStream.Publish.BadName',
    description: (key) => `Stream ${key} was taken over by another publisher`,
    closeReason: 'PUBLISH_TAKEN_OVER',
    closeMessage: (key) => `another publisher took over ${key}`,
  },
  kicked: {
    status: 'NetStream.Unpublish.Success',
    description: (key) => `Stream ${key} was stopped by the server`,
    closeReason: 'KICKED',
    closeMessage: (key) => `publisher of ${key} kicked`,
  },
  hubClosed: {
    status: 'NetStream.Unpublish.Success',
    description: () => 'Server shutting down',
    closeReason: 'SERVER_SHUTDOWN',
    closeMessage: () => 'hub closed',
  },
};

export class ConnectionPublishes {
  /** created by the first publish: most connections are players and never need one (a Map's table is ~0.2 KB) */
  private active: Map<number, ActivePublish> | undefined;
  private mediaCount = 0;

  constructor(
    private readonly conn: ConnectionContext,
    private readonly gate: StreamAccessGate,
  ) {}

  /** streams published now (the server's maxPublishers counts these) */
  get count(): number {
    return this.active?.size ?? 0;
  }

  /** media messages received for publishing streams so far (the idle timeout watches it move) */
  get mediaMessages(): number {
    return this.mediaCount;
  }

  keys(): string[] {
    return this.active === undefined ? [] : [...this.active.values()].map((p) => p.key);
  }

  async request(req: SessionPublishRequest): Promise<void> {
    const conn = this.conn;
    const base = this.gate.streamRequest(req, 'publish');
    if (base === undefined) return;
    const request: PublishRequest = { ...base, publishType: req.publishType };
    const key = request.key;
    const log = conn.streamLog({ stream: key });
    // Checked before asking the policy (no registry claim or webhook call for a publish that cannot start)
    // and again right before the hub takes it (other publishes may have started meanwhile).
    if (!this.withinPublisherLimit(req.streamId, key)) return;
    await this.gate.ask({ kind: 'publish', request }, req.streamId, log, () => {
      if (!this.withinPublisherLimit(req.streamId, key)) {
        this.gate.publishEnded(request);
        return;
      }
      let publication: Publication;
      try {
        publication = conn.host.hub.publish(key, this.publisherSource(req.streamId, key), {
          duplicatePolicy: conn.host.options.duplicatePublish,
        });
      } catch (err) {
        this.gate.publishEnded(request);
        if (!isHubError(err)) throw err;
        if (err.code === 'STREAM_ALREADY_PUBLISHED') {
          conn.session.rejectPublish(req.streamId, 'NetStream.Publish.BadName', `Already publishing: ${key}`);
          log.warn({ status: 'NetStream.Publish.BadName', errorCode: err.code }, 'publish refused: already publishing');
        } else {
          conn.session.rejectPublish(req.streamId, 'NetStream.Publish.Failed', err.message);
          log.warn({ errorCode: err.code }, `publish refused: ${err.message}`);
        }
        return;
      }
      // Registered before acceptPublish: it flushes media queued while we waited, synchronously.
      const active = (this.active ??= new Map());
      active.set(req.streamId, { streamId: req.streamId, key, request, publication });
      conn.streamStarted('publisher', key);
      if (!conn.session.acceptPublish(req.streamId)) {
        active.delete(req.streamId);
        publication.unpublish();
        this.gate.publishEnded(request);
        return;
      }
      log.info({ publishType: req.publishType }, 'publish started');
    });
  }

  /** Media as the session decoded it goes to the hub as it is (the hub does not decode it again). */
  media(ev: MediaEvent): void {
    const pub = this.active?.get(ev.streamId);
    if (pub === undefined) return;
    this.mediaCount++;
    pub.publication.push(ev);
  }

  metadata(ev: MetadataEvent): void {
    const pub = this.active?.get(ev.streamId);
    if (!pub) return;
    pub.publication.push(ev);
    this.conn.log.debug({ stream: pub.key }, 'metadata received');
  }

  /** The client ended a publish (deleteStream, closeStream, FCUnpublish). */
  ended(ev: StreamEndEvent): void {
    const pub = this.end(ev.streamId);
    if (pub) this.conn.log.info({ stream: pub.key, reason: ev.reason }, 'publish ended');
  }

  /** Server draining: every publisher is told Unpublish.Success (its players get UnpublishNotify from the hub). */
  shutdown(): void {
    for (const streamId of this.streamIds()) {
      this.end(streamId);
      this.conn.session.endPublish(streamId, 'NetStream.Unpublish.Success', 'Server shutting down');
    }
  }

  /** The connection is closing: ends every publication. */
  endAll(): void {
    for (const streamId of this.streamIds()) this.end(streamId);
  }

  /** a copy: ending a publish removes it */
  private streamIds(): number[] {
    return this.active === undefined ? [] : [...this.active.keys()];
  }

  /** Forgets the publish on `streamId` and returns it (undefined if there is none). */
  private take(streamId: number): ActivePublish | undefined {
    const pub = this.active?.get(streamId);
    this.active?.delete(streamId);
    return pub;
  }

  private end(streamId: number): ActivePublish | undefined {
    const pub = this.take(streamId);
    if (!pub) return undefined;
    pub.publication.unpublish();
    this.gate.publishEnded(pub.request);
    return pub;
  }

  /** false (publish refused, connection closing) when the server has its maximum of publishers */
  private withinPublisherLimit(streamId: number, key: string): boolean {
    const conn = this.conn;
    if (conn.host.publishAllowed?.() ?? true) return true;
    const max = conn.host.options.maxPublishers;
    const description = `Server publisher limit reached (${max} streams)`;
    conn.guard(() => conn.session.rejectPublish(streamId, 'NetStream.Publish.Failed', description));
    conn.log.warn({ stream: key, limit: max }, `publish refused: ${description}`);
    conn.close('MAX_PUBLISHERS', `publish of ${key} refused: ${max} streams already published`, undefined, true);
    return false;
  }

  /** The hub's handle on this publish: the hub detaches it by itself on takeover, kick or shutdown. */
  private publisherSource(streamId: number, key: string): PublisherSource {
    return {
      id: `${this.conn.connId}/${streamId}`,
      close: (reason: PublisherCloseReason) => {
        this.conn.guard(() => {
          // The hub already detached us; forget the publication so no unpublish() is needed.
          const pub = this.take(streamId);
          if (!pub) return;
          this.gate.publishEnded(pub.request);
          const ended = HUB_ENDED[reason];
          this.conn.session.endPublish(streamId, ended.status, ended.description(key));
          this.conn.close(ended.closeReason, ended.closeMessage(key));
        });
      },
    };
  }
}
