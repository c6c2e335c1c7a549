import { EventEmitter } from 'node:events';
import type { RtmpMessage } from '../message.js';
import type {
  AcceptConnectOptions,
  ConnectRequest,
  ServerSessionEventMap,
  ServerSessionOptions,
  ServerSessionState,
  ServerSessionStats,
  SessionStreamInfo,
} from './SessionTypes.js';

/** Server side of one RTMP connection (after the handshake). Pure: no sockets, no timers. */
export class ServerSession extends EventEmitter<ServerSessionEventMap> {
  constructor(_options: ServerSessionOptions) {
    super();
  }
  get state(): ServerSessionState { throw new Error('stub'); }
  get connectRequest(): ConnectRequest | undefined { throw new Error('stub'); }
  get objectEncoding(): 0 | 3 { throw new Error('stub'); }
  get outChunkSize(): number { throw new Error('stub'); }
  get peerChunkSize(): number { throw new Error('stub'); }
  get peerWindowAckSize(): number | undefined { throw new Error('stub'); }
  get peerBandwidth(): { size: number; limitType: number } | undefined { throw new Error('stub'); }
  get rttMs(): number | undefined { throw new Error('stub'); }
  get pendingPingSince(): number | undefined { throw new Error('stub'); }
  get stats(): Readonly<ServerSessionStats> { throw new Error('stub'); }
  stream(_streamId: number): SessionStreamInfo | undefined { throw new Error('stub'); }
  streams(): SessionStreamInfo[] { throw new Error('stub'); }
  handleMessage(_msg: RtmpMessage, _now?: number): void { throw new Error('stub'); }
  onBytesReceived(_totalBytes: number): void { throw new Error('stub'); }
  acceptConnect(_opts?: AcceptConnectOptions): boolean { throw new Error('stub'); }
  rejectConnect(_description: string): boolean { throw new Error('stub'); }
  redirectConnect(_tcUrl: string, _description?: string): boolean { throw new Error('stub'); }
  acceptPublish(_streamId: number, _description?: string): boolean { throw new Error('stub'); }
  rejectPublish(_streamId: number, _code: string, _description: string): boolean { throw new Error('stub'); }
  acceptPlay(_streamId: number): boolean { throw new Error('stub'); }
  playNotFound(_streamId: number, _description?: string): boolean { throw new Error('stub'); }
  rejectPlay(_streamId: number, _code: string, _description: string): boolean { throw new Error('stub'); }
  notifyUnpublished(_streamId: number): boolean { throw new Error('stub'); }
  notifyPublished(_streamId: number): boolean { throw new Error('stub'); }
  endPublish(_streamId: number, _code?: string, _description?: string): boolean { throw new Error('stub'); }
  sendStatus(_streamId: number, _level: 'status' | 'error' | 'warning', _code: string, _description: string, _extra?: Record<string, unknown>): void { throw new Error('stub'); }
  requestReconnect(_tcUrl?: string, _description?: string): boolean { throw new Error('stub'); }
  ping(_now: number): void { throw new Error('stub'); }
  close(): void { throw new Error('stub'); }
}
