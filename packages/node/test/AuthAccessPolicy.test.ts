/**
 * The adapter between the auth package and the server's StreamAccessPolicy: what it passes to auth (name
 * query apart from the app query, client IP, relay credential from the connect object), how denials come
 * back (status code, description, close), and composition with a next policy (cluster roles).
 */
import { AccessPolicy, signStreamToken } from '@rtmp-cluster/auth';
import type { AccessDecision, PlayRequest, PublishRequest, StreamAccessPolicy } from '@rtmp-cluster/server';
import { describe, expect, it } from 'vitest';
import { ipOfRemoteAddress } from '@rtmp-cluster/core';
import { AuthAccessPolicy, toAccessRequest } from '../src/index.js';

const SECRET = 'adapter-secret-0123456789abcdef';
const auth = new AccessPolicy({
  publish: { mode: 'token' },
  play: { mode: 'token' },
  keys: [{ id: 'k1', secret: SECRET }],
  relayToken: 'relay-credential-xyz',
});

function publishReq(over: Partial<PublishRequest> = {}): PublishRequest {
  return {
    connId: 'c1',
    remoteAddress: '::ffff:10.1.2.3:50000',
    app: 'live',
    name: 'cam',
    key: 'live/cam',
    query: {},
    tcUrl: 'rtmp://h/live',
    publishType: 'live',
    ...over,
  };
}

function playReq(over: Partial<PlayRequest> = {}): PlayRequest {
  return { ...publishReq(), start: -2, ...over } as PlayRequest;
}

class RecordingNext implements StreamAccessPolicy {
  calls: string[] = [];
  constructor(private readonly answer: AccessDecision = { allow: true }) {}
  async onPublishRequest(req: PublishRequest): Promise<AccessDecision> {
    this.calls.push(`publish ${req.key}`);
    return this.answer;
  }
  async onPlayRequest(req: PlayRequest): Promise<AccessDecision> {
    this.calls.push(`play ${req.key}`);
    return this.answer;
  }
  onPublishEnded(req: PublishRequest): void {
    this.calls.push(`publishEnded ${req.key}`);
  }
  onPlayEnded(req: PlayRequest): void {
    this.calls.push(`playEnded ${req.key}`);
  }
}

describe('AuthAccessPolicy', () => {
  it('extracts the client IP from the remote address forms', () => {
    expect(ipOfRemoteAddress('127.0.0.1:1935')).toBe('127.0.0.1');
    expect(ipOfRemoteAddress('::ffff:10.1.2.3:50000')).toBe('10.1.2.3');
    expect(ipOfRemoteAddress('[::1]:50000')).toBe('::1');
  });

  it('passes the name query and the app query apart, and the relay credential of the connect object', () => {
    const r = toAccessRequest(
      publishReq({
        query: { token: 'n', a: '1' },
        nameQuery: { token: 'n' },
        appQuery: { a: '1' },
        clientIp: '10.9.9.9',
        connectObject: { app: 'live', rtmpcRelayToken: 'presented' },
      }),
    );
    expect(r).toEqual({ app: 'live', name: 'cam', query: { token: 'n' }, appQuery: { a: '1' }, tcUrl: 'rtmp://h/live', clientIp: '10.9.9.9', relayCredential: 'presented' });
  });

  it('denies with the auth status code and description and asks the server to close; next is not asked', async () => {
    const next = new RecordingNext();
    const p = new AuthAccessPolicy(auth, { next });
    const d = await p.onPublishRequest(publishReq({ nameQuery: { token: 'k1.1.AAAA' }, query: { token: 'k1.1.AAAA' } }));
    expect(d).toEqual({ allow: false, statusCode: 'NetStream.Publish.Unauthorized', description: 'Publishing refused: invalid token', closeConnection: true });
    expect(next.calls).toEqual([]);
    expect(p.decisionCounts()).toEqual({ 'publish deny malformed_token': 1 });
  });

  it('a token in the app query works; the name query wins over it', async () => {
    const good = signStreamToken({ action: 'publish', app: 'live', name: 'cam', keyId: 'k1', secret: SECRET, ttlSeconds: 60 });
    const p = new AuthAccessPolicy(auth);
    expect(await p.onPublishRequest(publishReq({ appQuery: { token: good }, nameQuery: {}, query: { token: good } }))).toEqual({ allow: true });
    const d = await p.onPublishRequest(publishReq({ appQuery: { token: good }, nameQuery: { token: 'bad' }, query: { token: 'bad' } }));
    expect(d.allow).toBe(false);
  });

  it('after an allow, next decides and receives the ended callbacks', async () => {
    const good = signStreamToken({ action: 'play', app: 'live', name: 'cam', keyId: 'k1', secret: SECRET, ttlSeconds: 60 });
    const next = new RecordingNext({ allow: false, statusCode: 'NetStream.Play.Failed', description: 'no origin' });
    const p = new AuthAccessPolicy(auth, { next });
    const req = playReq({ nameQuery: { token: good }, query: { token: good } });
    expect(await p.onPlayRequest(req)).toEqual({ allow: false, statusCode: 'NetStream.Play.Failed', description: 'no origin' });
    p.onPlayEnded(req);
    expect(next.calls).toEqual(['play live/cam', 'playEnded live/cam']);
  });

  it('a relay presenting the right credential in the connect object plays without a token; a wrong one is refused', async () => {
    const p = new AuthAccessPolicy(auth);
    expect(await p.onPlayRequest(playReq({ connectObject: { rtmpcRelayToken: 'relay-credential-xyz' } }))).toEqual({ allow: true });
    const d = await p.onPlayRequest(playReq({ connectObject: { rtmpcRelayToken: 'guess' } }));
    expect(d).toMatchObject({ allow: false, statusCode: 'NetStream.Play.Unauthorized', description: 'Playing refused: invalid relay credential' });
    // Relay status never helps a publish.
    expect((await p.onPublishRequest(publishReq({ connectObject: { rtmpcRelayToken: 'relay-credential-xyz' } }))).allow).toBe(false);
  });
});
