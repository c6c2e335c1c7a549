import type { AmfObject } from '../amf/index.js';
import { commandMessage } from '../command.js';
import type { RtmpMessage } from '../message.js';
import type { ObjectEncoding } from './SessionTypes.js';

export type StatusLevel = 'status' | 'warning' | 'error';

/** NetStatus codes the sessions send or understand. */
export const StatusCode = {
  ConnectSuccess: 'NetConnection.Connect.Success',
  ConnectRejected: 'NetConnection.Connect.Rejected',
  ConnectReconnectRequest: 'NetConnection.Connect.ReconnectRequest',
  CallFailed: 'NetConnection.Call.Failed',
  PublishStart: 'NetStream.Publish.Start',
  PublishBadName: 'NetStream.Publish.BadName',
  PublishUnauthorized: 'NetStream.Publish.Unauthorized',
  UnpublishSuccess: 'NetStream.Unpublish.Success',
  PlayReset: 'NetStream.Play.Reset',
  PlayStart: 'NetStream.Play.Start',
  PlayStop: 'NetStream.Play.Stop',
  PlayFailed: 'NetStream.Play.Failed',
  PlayStreamNotFound: 'NetStream.Play.StreamNotFound',
  PlayUnpublishNotify: 'NetStream.Play.UnpublishNotify',
  PlayPublishNotify: 'NetStream.Play.PublishNotify',
} as const;

export function statusInfo(level: StatusLevel, code: string, description: string, extra?: AmfObject): AmfObject {
  return { level, code, description, ...extra };
}

/** onStatus(0, null, info) on the given chunk stream / message stream. */
export function onStatusMessage(
  info: AmfObject,
  opts: { csid: number; streamId: number; encoding: ObjectEncoding },
): RtmpMessage {
  return commandMessage({ name: 'onStatus', transactionId: 0, commandObject: null, args: [info] }, opts);
}
