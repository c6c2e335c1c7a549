/**
 * A recording TCP proxy: clients connect to `port`, every connection is piped to
 * the upstream server, and the first `maxBytes` of each direction are kept.
 * Used to capture real client sessions as byte fixtures (see capture.ts).
 */
import net from 'node:net';

export interface RecordingProxyOptions {
  upstreamPort: number;
  upstreamHost?: string;
  /** Bytes kept per direction and connection; the rest is forwarded unrecorded. */
  maxBytes?: number;
}

/** What one proxied connection carried (each direction truncated to maxBytes). */
export interface Recording {
  clientToServer: Buffer;
  serverToClient: Buffer;
  /** Total bytes seen, including the unrecorded tail. */
  clientToServerTotal: number;
  serverToClientTotal: number;
}

class BoundedRecorder {
  private readonly parts: Buffer[] = [];
  private kept = 0;
  total = 0;
  constructor(private readonly limit: number) {}
  add(data: Buffer): void {
    this.total += data.length;
    if (this.kept >= this.limit) return;
    const slice = data.subarray(0, this.limit - this.kept);
    this.parts.push(Buffer.from(slice));
    this.kept += slice.length;
  }
  get full(): boolean {
    return this.kept >= this.limit;
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

interface Session {
  c2s: BoundedRecorder;
  s2c: BoundedRecorder;
  client: net.Socket;
  upstream: net.Socket;
}

export class RecordingProxy {
  private readonly sessions: Session[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(opts: RecordingProxyOptions): Promise<RecordingProxy> {
    const maxBytes = opts.maxBytes ?? 16 * 1024;
    const host = opts.upstreamHost ?? '127.0.0.1';
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new RecordingProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => {
      const upstream = net.connect(opts.upstreamPort, host);
      const session: Session = { c2s: new BoundedRecorder(maxBytes), s2c: new BoundedRecorder(maxBytes), client, upstream };
      proxy.sessions.push(session);
      client.on('data', (d: Buffer) => session.c2s.add(d));
      upstream.on('data', (d: Buffer) => session.s2c.add(d));
      client.pipe(upstream);
      upstream.pipe(client);
      const closeBoth = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', closeBoth);
      upstream.on('error', closeBoth);
      client.on('close', closeBoth);
      upstream.on('close', closeBoth);
    });
    return proxy;
  }

  recordings(): Recording[] {
    return this.sessions.map((s) => ({
      clientToServer: s.c2s.bytes(),
      serverToClient: s.s2c.bytes(),
      clientToServerTotal: s.c2s.total,
      serverToClientTotal: s.s2c.total,
    }));
  }

  /** True once the first connection has filled both directions' budgets. */
  firstSessionFull(): boolean {
    const s = this.sessions[0];
    return s !== undefined && s.c2s.full && s.s2c.full;
  }

  async close(): Promise<void> {
    for (const s of this.sessions) {
      s.client.destroy();
      s.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
