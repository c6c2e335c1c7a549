// A player that notes when things arrive: the moment it started the TCP connect, the first video message
// (usually the AVC sequence header), the first video frame, and for every video frame its timestamp and
// arrival time (nowMs, the monotonic clock the publisher also stamps its sends with).
import { BenchRtmpClient, nowMs } from '../fanout/BenchRtmpClient.mjs';

const VIDEO = 9;
const AVC = 7;

export class TimedPlayer {
  /** @param {{ port: number, app: string, stream: string, record?: boolean }} o */
  constructor(o) {
    this.o = o;
    this.connectStartedAt = 0;
    this.firstVideoAt = 0;
    this.firstFrameAt = 0;
    /** video frames (sequence headers excluded): timestamps and arrival times, in arrival order */
    this.frameTs = [];
    this.frameAt = [];
    this.frameKey = [];
    this.statuses = [];
    this.closed = false;
    this.closeError = null;
    this.waiters = new Set();
    this.client = null;
  }

  /** Connects and sends play; does not wait for media. */
  async start() {
    this.client = new BenchRtmpClient({
      port: this.o.port,
      app: this.o.app,
      onMedia: (msg) => this.onMedia(msg),
      onStatus: (info) => {
        this.statuses.push(String(info?.code ?? ''));
        this.notify();
      },
      onClose: (err) => {
        this.closed = true;
        this.closeError = err;
        this.notify();
      },
    });
    this.connectStartedAt = nowMs();
    await this.client.connect();
    await this.client.play(this.o.stream);
  }

  onMedia(msg) {
    if (msg.type !== VIDEO || msg.payload.length < 2) return;
    const at = nowMs();
    const p = msg.payload;
    if (this.firstVideoAt === 0) this.firstVideoAt = at;
    if ((p[0] & 0x0f) === AVC && p[1] === 0) return; // sequence header
    if (this.firstFrameAt === 0) this.firstFrameAt = at;
    if (this.o.record !== false) {
      this.frameTs.push(msg.timestamp);
      this.frameAt.push(at);
      this.frameKey.push(p[0] >> 4 === 1);
    }
    this.notify();
  }

  get frames() {
    return this.frameTs.length;
  }

  /** Resolves once cond() holds; rejects on close or timeout. */
  until(cond, timeoutMs, what) {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) finish(null);
        else if (this.closed) finish(new Error(`${what}: player closed (${this.closeError?.message ?? 'by server'}); statuses ${this.statuses.join(',')}`));
      };
      const timer = setTimeout(() => finish(new Error(`${what}: timed out after ${timeoutMs} ms; statuses ${this.statuses.join(',')}`)), timeoutMs);
      const finish = (err) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (err) reject(err);
        else resolve();
      };
      this.waiters.add(check);
    });
  }

  notify() {
    for (const w of [...this.waiters]) w();
  }

  close() {
    this.client?.close(null);
  }
}
