/**
 * Who is asking to play: an edge relaying the stream (it presents RTMPC_RELAY_TOKEN in its connect command
 * object, or as the play name's query parameter), an ordinary player, or somebody presenting a relay
 * credential that does not match (posing as an edge). The roles need the distinction for routing (an origin
 * serves relays only the streams it owns, and can be closed to direct players); player auth itself runs in
 * front of the role (the node's AuthAccessPolicy), which reads the credential from the same places.
 */
import { denyDecision, readRelayCredential, verifyRelayCredential } from '@rtmp-cluster/auth';
import type { AccessDecision, StreamRequest } from '@rtmp-cluster/server';

export type RelayIdentity = 'relay' | 'player' | 'forged';

/**
 * 'relay' when the presented credential equals `relayToken` (constant-time); 'forged' when one is presented
 * and a token is configured but they differ; otherwise 'player'. Without a configured token nobody is a relay
 * and a stray credential means nothing, as in the auth package's AccessPolicy.
 */
export function relayIdentity(req: StreamRequest, relayToken: string | undefined): RelayIdentity {
  if (relayToken === undefined || relayToken === '') return 'player';
  const presented = readRelayCredential(req.connectObject);
  if (presented === undefined) return 'player';
  return verifyRelayCredential(presented, relayToken) ? 'relay' : 'forged';
}

/** The answer to a connection posing as a relay: the auth package's wording, and the connection is closed. */
export function forgedRelayDecision(): AccessDecision {
  const d = denyDecision('play', 'relay', 'bad_relay_credential', 'relay credential presented but it does not match');
  return { allow: false, statusCode: d.code, description: d.description, closeConnection: true };
}
