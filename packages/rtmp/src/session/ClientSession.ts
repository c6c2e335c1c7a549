import { EventEmitter } from 'node:events';
import type { AmfObject } from '../amf/index.js';
import type { RtmpMessage } from '../message.js';
import type {
  ClientConnectOptions,
  ClientSessionEventMap,
  ClientSessionOptions,
  ClientSessionState,
  ConnectResult,
  PublishType,
} from './SessionTypes.js';

/** Client side of one RTMP connection (edge relay, test and load clients). Pure: no sockets, no timers. */
export class ClientSession extends EventEmitter<ClientSessionEventMap> {
  constructor(_options: ClientSessionOptions) {
    super();
  }
  get state(): ClientSessionState { throw new Error('stub'); }
  get connectResult(): ConnectResult | undefined { throw new Error('stub'); }
  get outChunkSize(): number { throw new Error('stub'); }
  get peerChunkSize(): number { throw new Error('stub'); }
  get peerWindowAckSize(): number | undefined { throw new Error('stub'); }
  get rttMs(): number | undefined { throw new Error('stub'); }
  handleMessage(_msg: RtmpMessage, _now?: number): void { throw new Error('stub'); }
  onBytesReceived(_totalBytes: number): void { throw new Error('stub'); }
  connect(_opts: ClientConnectOptions): number { throw new Error('stub'); }
  createStream(): number { throw new Error('stub'); }
  releaseStream(_name: string): number { throw new Error('stub'); }
  fcPublish(_name: string): number { throw new Error('stub'); }
  fcUnpublish(_name: string): number { throw new Error('stub'); }
  play(_streamId: number, _name: string, _opts?: { start?: number; duration?: number; reset?: boolean }): void { throw new Error('stub'); }
  publish(_streamId: number, _name: string, _type?: PublishType): void { throw new Error('stub'); }
  sendMedia(_streamId: number, _type: number, _timestamp: number, _payload: Buffer): void { throw new Error('stub'); }
  sendMetadata(_streamId: number, _metadata: AmfObject, _timestamp?: number): void { throw new Error('stub'); }
  setBufferLength(_streamId: number, _bufferMs: number): void { throw new Error('stub'); }
  closeStream(_streamId: number): void { throw new Error('stub'); }
  deleteStream(_streamId: number): void { throw new Error('stub'); }
  call(_name: string, _commandObject?: unknown, _args?: unknown[]): number { throw new Error('stub'); }
  ping(_now: number): void { throw new Error('stub'); }
  close(): void { throw new Error('stub'); }
}
