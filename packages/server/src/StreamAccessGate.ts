/**
 * One connection's door to the stream access policy: builds the request the policy sees, keeps count of the
 * decisions still pending (a connection waiting for one is busy, not idle), answers refusals with their
 * status code, and tells the policy when an allowed publish or play is over so it releases what it took
 * (the registry claim of an origin, the relay pull of an edge).
 */
import type { SessionPlayRequest, SessionPublishRequest } from '@rtmp-cluster/rtmp';
import { redactText, rtmpStreamKey, type StreamKey, type Logger } from '@rtmp-cluster/core';
import type { ConnectionContext } from './ConnectionTypes.js';
import type { AccessDecision, PlayRequest, PublishRequest, StreamRequest } from './StreamAccessPolicy.js';

/** A publish or play the connection asks the policy about. */
export type AccessQuestion = { kind: 'publish'; request: PublishRequest } | { kind: 'play'; request: PlayRequest };

/**
 * Decisions one connection may wait for at once. A client that repeats publish or play (new message streams,
 * replays) while a slow policy (a webhook that does not answer) thinks would otherwise start one request per
 * command; past this it is answered at once without asking.
 */
export const MAX_PENDING_DECISIONS_PER_CONNECTION = 4;

/** How a refused publish or play is answered when the policy gives no status code, or throws. */
const REFUSAL = {
  publish: { defaultCode: 'NetStream.Publish.BadName', policyFailedCode: 'NetStream.Publish.Failed', checkName: 'Publish' },
  play: { defaultCode: 'NetStream.Play.Failed', policyFailedCode: 'NetStream.Play.Failed', checkName: 'Play' },
} as const;

export class StreamAccessGate {
  private pending = 0;
  /** the connect command object as the client sent it (the policy reads e.g. the relay credential) */
  private connectObject: Readonly<Record<string, unknown>> = {};

  constructor(private readonly conn: ConnectionContext) {}

  /** decisions the policy has not answered yet */
  get pendingDecisions(): number {
    return this.pending;
  }

  connected(connectObject: Readonly<Record<string, unknown>>): void {
    this.connectObject = connectObject;
  }

  /**
   * The fields of a publish or play request to the policy that the connection and the session know. The
   * stream key is decided here by the core rule, before the policy is asked (app = first path segment, so
   * connect app 'premium/a' + name 'b' is 'premium/a/b' of app 'premium'). A name that makes no key is
   * refused here (Publish.BadName, Play.StreamNotFound) and undefined returned.
   */
  streamRequest(req: SessionPublishRequest | SessionPlayRequest, kind: AccessQuestion['kind']): StreamRequest | undefined {
    const conn = this.conn;
    let stream: StreamKey;
    try {
      stream = rtmpStreamKey(req.app, req.name);
    } catch {
      const description = `Invalid stream name '${redactText(req.rawName)}'`;
      conn.guard(() => {
        if (kind === 'publish') conn.session.rejectPublish(req.streamId, 'NetStream.Publish.BadName', description);
        else conn.session.playNotFound(req.streamId, description);
      });
      conn.log.warn({ name: req.rawName }, `${kind} refused: invalid stream name`);
      return undefined;
    }
    const { app, name, key } = stream;
    return {
      connId: conn.connId,
      remoteAddress: conn.remoteAddress,
      app,
      name,
      key,
      query: { ...req.appQuery, ...req.query },
      nameQuery: { ...req.query },
      appQuery: { ...req.appQuery },
      clientIp: conn.clientIp,
      secure: conn.secure,
      tcUrl: req.tcUrl,
      connectObject: this.connectObject,
    };
  }

  /**
   * Asks the policy and runs `allowed` in the same turn as the answer, so that nothing can close the
   * connection in between. A policy that throws refuses; a refusal is answered with its status code and,
   * when the policy says so, closes the connection.
   */
  async ask(question: AccessQuestion, streamId: number, log: Logger, allowed: () => void): Promise<void> {
    const conn = this.conn;
    const policy = conn.host.options.policy;
    const refusal = REFUSAL[question.kind];
    let decision: AccessDecision;
    const host = conn.host;
    if (this.pending >= MAX_PENDING_DECISIONS_PER_CONNECTION || !(host.decisionStarted?.() ?? true)) {
      // Shed without asking: answered like a failed check, logged at debug (a flood must not flood the log).
      host.decisionShed?.();
      const scope = this.pending >= MAX_PENDING_DECISIONS_PER_CONNECTION ? 'this connection' : 'the server';
      const description = `${refusal.checkName} check not started: too many pending requests on ${scope}`;
      log.debug({ pendingDecisions: this.pending }, `${question.kind} shed: ${description}`);
      conn.guard(() => {
        if (question.kind === 'publish') conn.session.rejectPublish(streamId, refusal.policyFailedCode, description);
        else conn.session.rejectPlay(streamId, refusal.policyFailedCode, description);
      });
      return;
    }
    this.pending++;
    try {
      decision = await (question.kind === 'publish' ? policy.onPublishRequest(question.request) : policy.onPlayRequest(question.request));
    } catch (err) {
      decision = { allow: false, statusCode: refusal.policyFailedCode, description: `${refusal.checkName} check failed: ${(err as Error).message}` };
    } finally {
      this.pending--;
      host.decisionEnded?.();
    }
    if (conn.isClosed) {
      // The claim (if the policy made one) must be released: the publish or play will never start.
      if (decision.allow) this.ended(question);
      return;
    }
    conn.guard(() => {
      if (decision.allow) {
        allowed();
        return;
      }
      const code = decision.statusCode ?? refusal.defaultCode;
      if (question.kind === 'publish') conn.session.rejectPublish(streamId, code, decision.description);
      else conn.session.rejectPlay(streamId, code, decision.description);
      log.warn({ status: code }, `${question.kind} refused: ${decision.description}`);
      if (decision.closeConnection) {
        conn.close('ACCESS_DENIED', `${question.kind} of ${question.request.key} refused: ${decision.description}`, code, true);
      }
    });
  }

  /** Tells the policy an allowed publish or play is over. */
  ended(question: AccessQuestion): void {
    const policy = this.conn.host.options.policy;
    try {
      if (question.kind === 'publish') policy.onPublishEnded?.(question.request);
      else policy.onPlayEnded?.(question.request);
    } catch (err) {
      this.conn.log.error({ err }, 'stream access policy callback threw');
    }
  }

  publishEnded(request: PublishRequest): void {
    this.ended({ kind: 'publish', request });
  }

  playEnded(request: PlayRequest): void {
    this.ended({ kind: 'play', request });
  }
}
