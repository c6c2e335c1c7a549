// A minimal RTMP client connection for the fan-out benchmark, built from the
// @rtmp-cluster/rtmp protocol pieces: handshake, chunk decoder/encoder, commands.
// It does only what a live player or publisher needs: connect, createStream,
// play or publish, acknowledgements and ping replies. Media payloads are never parsed.
import net from 'node:net';
import {
  ChunkDecoder,
  ChunkEncoder,
  ClientHandshake,
  MessageType,
  acknowledgementMessage,
  commandMessage,
  decodeCommand,
  parseProtocolControl,
  parseUserControl,
  setChunkSizeMessage,
  userControlMessage,
  windowAckSizeMessage,
} from '@rtmp-cluster/rtmp';

const COMMAND_CSID = 3;
const STREAM_COMMAND_CSID = 8;
const DEFAULT_ACK_WINDOW = 2_500_000;
/**
 * One read buffer for every socket of this thread: reads are delivered one at a
 * time and the decoder copies what it keeps, so a reused buffer saves the load
 * generator a 64 KB allocation per read (it must stay cheaper than the server).
 */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Monotonic milliseconds shared by every thread of this process (hrtime is CLOCK_MONOTONIC). */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

export class BenchRtmpClient {
  /**
   * @param {object} o
   * @param {number} o.port
   * @param {string} o.app
   * @param {number} [o.outChunkSize] chunk size we announce and send with (publisher)
   * @param {(msg: object) => void} [o.onMedia] every message that is not protocol control or a command
   * @param {(info: object) => void} [o.onStatus] onStatus info objects
   * @param {(err: Error | null) => void} [o.onClose]
   */
  constructor(o) {
    this.port = o.port;
    this.app = o.app;
    this.onMedia = o.onMedia ?? (() => {});
    this.onStatus = o.onStatus ?? (() => {});
    this.onClose = o.onClose ?? (() => {});
    this.outChunkSize = o.outChunkSize ?? 128;
    this.encoder = new ChunkEncoder(128);
    this.decoder = new ChunkDecoder((msg) => this.handleMessage(msg));
    this.handshake = new ClientHandshake({ digest: false });
    this.handshakeDone = false;
    this.ackWindow = DEFAULT_ACK_WINDOW;
    this.lastAck = 0;
    this.pending = new Map(); // transaction id -> { resolve, reject }
    this.nextTransaction = 1;
    this.closed = false;
    this.socket = null;
    this.onConnected = null;
    /** bytes received on the socket, handshake included */
    this.bytesIn = 0;
  }

  /** Connects and runs the handshake and the connect command. Resolves when connect returned _result. */
  connect() {
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: '127.0.0.1',
        port: this.port,
        onread: {
          buffer: SHARED_READ_BUFFER,
          callback: (n, buf) => {
            this.bytesIn += n;
            this.handleData(buf.subarray(0, n));
          },
        },
      });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('connect', () => socket.write(this.handshake.start()));
      // A server that closes before answering connect (a refusal at accept, a failed handshake) fails the
      // connect instead of leaving it pending forever.
      const refused = (err) => reject(err ?? new Error('connection closed before connect was answered'));
      socket.on('error', (err) => {
        refused(err);
        this.close(err);
      });
      socket.on('close', () => {
        refused(null);
        this.close(null);
      });
      this.onConnected = () => {
        if (this.outChunkSize !== 128) {
          this.send(setChunkSizeMessage(this.outChunkSize));
          this.encoder.setChunkSize(this.outChunkSize);
        }
        this.send(windowAckSizeMessage(DEFAULT_ACK_WINDOW));
        const tcUrl = `rtmp://127.0.0.1:${this.port}/${this.app}`;
        this.call('connect', { app: this.app, type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; bench)', tcUrl })
          .then(resolve, reject);
      };
    });
  }

  handleData(chunk) {
    if (this.closed) return;
    try {
      if (!this.handshakeDone) {
        const step = this.handshake.push(chunk);
        if (step.send) this.socket.write(step.send);
        if (!step.done) return;
        this.handshakeDone = true;
        this.onConnected();
        if (step.remainder.length === 0) return;
        chunk = step.remainder;
      }
      this.decoder.push(chunk);
      const received = this.decoder.bytesReceived;
      if (received - this.lastAck >= this.ackWindow) {
        this.lastAck = received;
        this.send(acknowledgementMessage(received % 0x100000000));
      }
    } catch (err) {
      this.close(err);
    }
  }

  handleMessage(msg) {
    switch (msg.type) {
      case MessageType.Video:
      case MessageType.Audio:
      case MessageType.DataAmf0:
      case MessageType.Aggregate:
        this.onMedia(msg);
        return;
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3:
        this.handleCommand(decodeCommand(msg));
        return;
      case MessageType.WindowAckSize: {
        const pc = parseProtocolControl(msg);
        if (pc.kind === 'windowAckSize' && pc.size > 0) this.ackWindow = pc.size;
        return;
      }
      case MessageType.UserControl: {
        const ev = parseUserControl(msg);
        if (ev.kind === 'pingRequest') this.send(userControlMessage({ kind: 'pingResponse', timestamp: ev.timestamp }));
        return;
      }
      default:
        return; // set chunk size / abort are applied by the decoder; bandwidth and acks need nothing
    }
  }

  handleCommand(cmd) {
    if (cmd.name === '_result' || cmd.name === '_error') {
      const waiter = this.pending.get(cmd.transactionId);
      if (!waiter) return;
      this.pending.delete(cmd.transactionId);
      if (cmd.name === '_result') waiter.resolve(cmd);
      else waiter.reject(new Error(`${waiter.name} failed: ${JSON.stringify(cmd.args[0] ?? cmd.commandObject)}`));
    } else if (cmd.name === 'onStatus') {
      this.onStatus(cmd.args[0] ?? {});
    }
  }

  send(msg) {
    if (!this.closed) this.socket.write(this.encoder.encode(msg));
  }

  /** Sends a command with a fresh transaction id and resolves with its _result. */
  call(name, commandObject, args = [], streamId = 0) {
    const transactionId = this.nextTransaction++;
    const csid = streamId === 0 ? COMMAND_CSID : STREAM_COMMAND_CSID;
    return new Promise((resolve, reject) => {
      this.pending.set(transactionId, { name, resolve, reject });
      this.send(commandMessage({ name, transactionId, commandObject, args }, { csid, streamId }));
    });
  }

  /** A command nobody answers (play, publish, FCPublish): transaction id 0. */
  notify(name, args, streamId) {
    const csid = streamId === 0 ? COMMAND_CSID : STREAM_COMMAND_CSID;
    this.send(commandMessage({ name, transactionId: 0, commandObject: null, args }, { csid, streamId }));
  }

  async createStream() {
    const result = await this.call('createStream', null);
    const id = result.args[0];
    if (typeof id !== 'number') throw new Error('createStream returned no stream id');
    return id;
  }

  async play(streamName) {
    const streamId = await this.createStream();
    this.send(userControlMessage({ kind: 'setBufferLength', streamId, bufferMs: 1000 }));
    this.notify('play', [streamName, -1000], streamId);
    return streamId;
  }

  /** Resolves on NetStream.Publish.Start. */
  async publish(streamName) {
    this.notify('releaseStream', [streamName], 0);
    this.notify('FCPublish', [streamName], 0);
    const streamId = await this.createStream();
    const started = new Promise((resolve, reject) => {
      const previous = this.onStatus;
      this.onStatus = (info) => {
        previous(info);
        const code = String(info?.code ?? '');
        if (code === 'NetStream.Publish.Start') resolve(streamId);
        else if (info?.level === 'error') reject(new Error(`publish refused: ${code}`));
      };
    });
    this.notify('publish', [streamName, 'live'], streamId);
    return started;
  }

  close(err) {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.pending.values()) w.reject(err ?? new Error('connection closed'));
    this.pending.clear();
    this.socket?.destroy();
    this.onClose(err);
  }
}
