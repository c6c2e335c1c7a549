import * as grpc from '@grpc/grpc-js';
import { runSignCommand } from '@rtmp-cluster/auth';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createControlClient, type ControlClient } from './ControlClient.js';
import type { ClusterEvent__Output } from './generated/rtmpcluster/control/v1/ClusterEvent.js';
import type { DrainNodeResponse__Output } from './generated/rtmpcluster/control/v1/DrainNodeResponse.js';
import type { UndrainNodeResponse__Output } from './generated/rtmpcluster/control/v1/UndrainNodeResponse.js';
import type { KickPublisherResponse__Output } from './generated/rtmpcluster/control/v1/KickPublisherResponse.js';
import type { KickSessionResponse__Output } from './generated/rtmpcluster/control/v1/KickSessionResponse.js';
import type { ListNodesResponse__Output } from './generated/rtmpcluster/control/v1/ListNodesResponse.js';
import type { ListSessionsResponse__Output } from './generated/rtmpcluster/control/v1/ListSessionsResponse.js';
import type { ListStreamsResponse__Output } from './generated/rtmpcluster/control/v1/ListStreamsResponse.js';
import type { Node__Output } from './generated/rtmpcluster/control/v1/Node.js';
import type { Stream__Output } from './generated/rtmpcluster/control/v1/Stream.js';
import { formatBitrate, formatBytes, formatDuration } from './HumanUnits.js';
import { renderFields, TextTable } from './TextTable.js';

/** Process exit codes; scripts rely on them. */
export const ExitCode = {
  Ok: 0,
  Usage: 1,
  NotFound: 2,
  Unauthenticated: 3,
  Unavailable: 4,
  /** The server or a node failed (INTERNAL and anything not listed above). */
  Failed: 5,
} as const;

interface GlobalOptions {
  address: string;
  token?: string;
  json: boolean;
  tls: boolean;
  ca?: string;
  timeout: number;
}

/** A failure that already carries its exit code and message. */
class CliFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    readonly grpcCode?: string,
  ) {
    super(message);
  }
}

const out = (s: string): void => {
  process.stdout.write(s);
};

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

function exitCodeFor(code: grpc.status): number {
  switch (code) {
    case grpc.status.NOT_FOUND:
      return ExitCode.NotFound;
    case grpc.status.UNAUTHENTICATED:
    case grpc.status.PERMISSION_DENIED:
      return ExitCode.Unauthenticated;
    case grpc.status.UNAVAILABLE:
    case grpc.status.DEADLINE_EXCEEDED:
      return ExitCode.Unavailable;
    case grpc.status.INVALID_ARGUMENT:
      return ExitCode.Usage;
    default:
      return ExitCode.Failed;
  }
}

function fromServiceError(err: unknown): CliFailure {
  if (err instanceof CliFailure) return err;
  const e = err as Partial<grpc.ServiceError>;
  if (typeof e?.code === 'number') {
    return new CliFailure(exitCodeFor(e.code), e.details || e.message || 'call failed', grpc.status[e.code]);
  }
  return new CliFailure(ExitCode.Failed, (err as Error)?.message ?? String(err));
}

class Rtmpctl {
  private client: ControlClient | undefined;

  constructor(private readonly g: GlobalOptions) {}

  private get api(): ControlClient {
    this.client ??= createControlClient({
      address: this.g.address,
      ...(this.g.token ? { token: this.g.token } : {}),
      ...(this.g.ca ? { tls: { caFile: this.g.ca } } : this.g.tls ? { tls: {} } : {}),
    });
    return this.client;
  }

  close(): void {
    this.client?.close();
  }

  /** One unary call as a promise with the CLI's deadline. */
  private call<Res>(method: string, request: object): Promise<Res> {
    const client = this.api as unknown as Record<
      string,
      (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => void
    >;
    return new Promise<Res>((resolve, reject) => {
      client[method]!.call(this.api, request, { deadline: Date.now() + this.g.timeout }, (err, res) =>
        err ? reject(err) : resolve(res as Res),
      );
    });
  }

  private json(value: unknown): void {
    out(JSON.stringify(value, null, 2) + '\n');
  }

  async nodes(role: string | undefined): Promise<void> {
    const res = await this.call<ListNodesResponse__Output>('ListNodes', { role: role ? `NODE_ROLE_${role.toUpperCase().replace(/-/g, '_')}` : 0 });
    if (this.g.json) return this.json(res);
    const t = new TextTable(
      ['ID', 'ROLE', 'STATE', 'ADDRESS', 'VERSION', 'UPTIME', 'CONNS', 'STREAMS', 'IN', 'OUT'],
      new Set([6, 7, 8, 9]),
    );
    for (const n of res.nodes) {
      t.add([n.id, roleName(n.role), stateName(n.state), n.address, n.version, formatDuration(n.uptimeMs), n.connections, n.streams, formatBitrate(n.ingressBps), formatBitrate(n.egressBps)]);
    }
    out(t.size > 0 ? t.render() : 'no nodes registered\n');
  }

  async node(id: string): Promise<void> {
    const n = await this.call<Node__Output>('GetNode', { id });
    if (this.g.json) return this.json(n);
    out(
      renderFields([
        ['Node', n.id],
        ['Role', roleName(n.role)],
        ['State', stateName(n.state)],
        ['Address', n.address],
        ['Version', n.version],
        ['Started', new Date(n.startedAtMs).toISOString()],
        ['Uptime', formatDuration(n.uptimeMs)],
        ['Last seen', new Date(n.lastSeenMs).toISOString()],
        ['Connections', n.connections],
        ['Streams', n.streams],
        ['Ingress', formatBitrate(n.ingressBps)],
        ['Egress', formatBitrate(n.egressBps)],
      ]),
    );
  }

  async streams(app: string | undefined): Promise<void> {
    const res = await this.call<ListStreamsResponse__Output>('ListStreams', { app: app ?? '' });
    if (this.g.json) return this.json(res);
    const t = new TextTable(['STREAM', 'ORIGIN', 'EPOCH', 'VIDEO', 'AUDIO', 'IN', 'VIEWERS', 'EDGES', 'UPTIME'], new Set([2, 5, 6, 7]));
    for (const s of res.streams) {
      t.add([s.key, s.originNodeId, s.epoch, videoText(s), audioText(s), formatBitrate(s.ingressBps), s.totalViewers, s.edges.length, formatDuration(s.publisher?.uptimeMs ?? 0)]);
    }
    out(t.size > 0 ? t.render() : 'no streams published\n');
    warnUnreachable(res.unreachableNodes);
  }

  async stream(key: string): Promise<void> {
    const s = await this.call<Stream__Output>('GetStream', { key });
    if (this.g.json) return this.json(s);
    out(
      renderFields([
        ['Stream', s.key],
        ['Origin', `${s.originNodeId} (${s.originAddress})`],
        ['Epoch', s.epoch],
        ['Publisher', s.publisher?.remoteAddress || '-'],
        ['Session', s.publisher?.sessionId || '-'],
        ['Since', new Date(s.claimedAtMs).toISOString()],
        ['Uptime', formatDuration(s.publisher?.uptimeMs ?? 0)],
        ['Video', videoText(s)],
        ['Audio', audioText(s)],
        ['Ingress', formatBitrate(s.ingressBps)],
        ['Viewers', `${s.totalViewers} (origin ${s.originViewers})`],
      ]),
    );
    if (s.edges.length > 0) {
      const t = new TextTable(['EDGE', 'VIEWERS'], new Set([1]));
      for (const e of s.edges) t.add([e.nodeId, e.viewers]);
      out('\n' + t.render());
    }
    warnUnreachable(s.unreachableNodes);
  }

  async sessions(filter: { node?: string; stream?: string; kind?: string }): Promise<void> {
    const res = await this.call<ListSessionsResponse__Output>('ListSessions', {
      nodeId: filter.node ?? '',
      stream: filter.stream ?? '',
      kind: filter.kind ? `SESSION_KIND_${filter.kind.toUpperCase()}` : 0,
    });
    if (this.g.json) return this.json(res);
    const now = Date.now();
    const t = new TextTable(['ID', 'NODE', 'KIND', 'PROTOCOL', 'STREAM', 'REMOTE', 'UPTIME', 'IN', 'OUT', 'RTT'], new Set([7, 8, 9]));
    for (const s of res.sessions) {
      t.add([
        s.id,
        s.nodeId,
        kindName(s.kind),
        s.protocol || 'rtmp',
        s.name ? `${s.app}/${s.name}` : s.app || '-',
        s.remoteAddress,
        formatDuration(now - s.startedAtMs),
        formatBytes(s.bytesIn),
        formatBytes(s.bytesOut),
        s.rttMs > 0 ? `${s.rttMs} ms` : '-',
      ]);
    }
    out(t.size > 0 ? t.render() : 'no sessions\n');
    warnUnreachable(res.unreachableNodes);
  }

  async kickSession(sessionId: string, node: string | undefined): Promise<void> {
    const res = await this.call<KickSessionResponse__Output>('KickSession', { sessionId, nodeId: node ?? '' });
    if (this.g.json) return this.json(res);
    out(`kicked session ${res.sessionId} on node ${res.nodeId}\n`);
  }

  async kickPublisher(stream: string): Promise<void> {
    const res = await this.call<KickPublisherResponse__Output>('KickPublisher', { stream });
    if (this.g.json) {
      this.json(res);
    } else if (res.kicked) {
      out(`kicked publisher of ${res.stream}${res.sessionId ? ` (session ${res.sessionId})` : ''} on origin ${res.originNodeId}, epoch ${res.epoch}\n`);
    }
    if (!res.kicked) {
      // The registry still lists the stream but its origin has no publisher for it any more.
      throw new CliFailure(ExitCode.NotFound, `origin ${res.originNodeId} has no publisher for ${res.stream}`, 'NOT_FOUND');
    }
  }

  async drain(nodeId: string, deadlineMs: number | undefined, stay: boolean): Promise<void> {
    const res = await this.call<DrainNodeResponse__Output>('DrainNode', { nodeId, deadlineMs: deadlineMs ?? 0, stay });
    if (this.g.json) return this.json(res);
    out(
      `node ${res.nodeId} draining: deadline ${res.deadlineMs} ms, ${res.reconnectRequested} sessions asked to reconnect, ${res.toClose} to close at the deadline; ` +
        (stay ? `then it stays idle until 'rtmpctl undrain ${res.nodeId}'\n` : 'then its process exits (its supervisor starts a fresh one)\n'),
    );
  }

  async undrain(nodeId: string): Promise<void> {
    const res = await this.call<UndrainNodeResponse__Output>('UndrainNode', { nodeId });
    if (this.g.json) return this.json(res);
    out(`node ${res.nodeId} back in service\n`);
  }

  /** Streams events until interrupted (or `count` events were printed). */
  watch(count: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const call = this.api.WatchEvents({});
      let seen = 0;
      let done = false;
      const finish = (err?: unknown): void => {
        if (done) return;
        done = true;
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (err) reject(err);
        else resolve();
      };
      const onSignal = (): void => {
        call.cancel();
        finish();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      call.on('metadata', () => {
        process.stderr.write('watching cluster events (Ctrl-C to stop)\n');
      });
      call.on('data', (e: ClusterEvent__Output) => {
        if (done) return;
        out(this.g.json ? JSON.stringify(e) + '\n' : eventLine(e) + '\n');
        seen += 1;
        if (count !== undefined && seen >= count) {
          call.cancel();
          finish();
        }
      });
      call.on('error', (err: grpc.ServiceError) => {
        if (err.code === grpc.status.CANCELLED) finish();
        else finish(err);
      });
      call.on('end', () => finish());
    });
  }
}

function roleName(role: string): string {
  return role.replace(/^NODE_ROLE_/, '').toLowerCase().replace(/_/g, '-');
}
function stateName(state: string): string {
  return state.replace(/^NODE_STATE_/, '').toLowerCase();
}
function kindName(kind: string): string {
  return kind.replace(/^SESSION_KIND_/, '').toLowerCase();
}

function videoText(s: Stream__Output): string {
  const v = s.video;
  if (!v) return '-';
  const size = v.width && v.height ? ` ${v.width}x${v.height}` : '';
  const fps = v.frameRate ? `@${Math.round(v.frameRate * 100) / 100}` : '';
  return `${v.codec || '?'}${size}${fps}`;
}

function audioText(s: Stream__Output): string {
  const a = s.audio;
  if (!a) return '-';
  const rate = a.sampleRate ? ` ${a.sampleRate}Hz` : '';
  const ch = a.channels ? ` ${a.channels}ch` : '';
  return `${a.codec || '?'}${rate}${ch}`;
}

function warnUnreachable(nodes: string[]): void {
  if (nodes.length > 0) process.stderr.write(`warning: no answer from ${nodes.join(', ')}; their share is missing\n`);
}

function eventLine(e: ClusterEvent__Output): string {
  const t = new Date(e.timeMs).toISOString();
  switch (e.event) {
    case 'published': {
      const p = e.published!;
      const codecs = [p.videoCodec, p.audioCodec].filter(Boolean).join('+');
      return `${t} published    ${p.key} origin=${p.originNodeId} epoch=${p.epoch} address=${p.originAddress}${codecs ? ` codecs=${codecs}` : ''}`;
    }
    case 'unpublished': {
      const u = e.unpublished!;
      return `${t} unpublished  ${u.key} origin=${u.originNodeId} epoch=${u.epoch} reason=${u.reason}`;
    }
    case 'nodeUp':
      return `${t} node-up      ${e.nodeId} role=${roleName(e.nodeUp!.role)} address=${e.nodeUp!.address}`;
    case 'nodeDraining':
      return `${t} node-draining ${e.nodeId} role=${roleName(e.nodeDraining!.role)} address=${e.nodeDraining!.address}`;
    case 'nodeDown': {
      const d = e.nodeDown!;
      return `${t} node-down    ${e.nodeId} role=${roleName(d.role)} address=${d.address}${d.reportedBy ? ` reported-by=${d.reportedBy}` : ''}`;
    }
    case 'sessionKicked': {
      const k = e.sessionKicked!;
      return `${t} kicked       ${k.sessionId} node=${e.nodeId} kind=${kindName(k.kind)}${k.stream ? ` stream=${k.stream}` : ''} reason=${JSON.stringify(k.reason)}`;
    }
    default:
      return `${t} unknown event`;
  }
}

export function buildProgram(run: (fn: (ctl: Rtmpctl) => Promise<void>) => Promise<void>): Command {
  const program = new Command('rtmpctl')
    .description('Operate an rtmp-cluster through its gRPC control API')
    .addOption(new Option('--address <host:port>', 'control API address').env('RTMPCTL_ADDRESS').default('127.0.0.1:50051'))
    .addOption(new Option('--token <token>', 'bearer token of the control API').env('RTMPCTL_TOKEN'))
    .option('--json', 'print the API response as JSON (watch: one JSON object per line)', false)
    .addOption(new Option('--tls', 'connect with TLS, verifying the server against the system CA roots').env('RTMPCTL_TLS').default(false))
    .addOption(new Option('--ca <file>', 'connect with TLS, verifying the server against this CA certificate (PEM) instead').env('RTMPCTL_CA'))
    .addOption(new Option('--timeout <ms>', 'deadline of each call').default(10000).argParser(positiveInt))
    .showHelpAfterError()
    .exitOverride();

  program.command('nodes').description('list registered nodes')
    .addOption(new Option('--role <role>', 'only nodes of this role').choices(['origin', 'edge', 'all-in-one', 'control']))
    .action((opts: { role?: string }) => run((c) => c.nodes(opts.role)));
  program.command('node').description('show one node').argument('<id>', 'node id')
    .action((id: string) => run((c) => c.node(id)));
  program.command('streams').description('list published streams').option('--app <app>', 'only streams of this app')
    .action((opts: { app?: string }) => run((c) => c.streams(opts.app)));
  program.command('stream').description('show one stream').argument('<app/name>', 'stream key')
    .action((key: string) => run((c) => c.stream(key)));
  program.command('sessions').description('list sessions (RTMP, and the web viewers: HTTP-FLV, WS-FLV, HLS)')
    .option('--node <id>', 'only sessions on this node')
    .option('--stream <app/name>', 'only sessions of this stream')
    .addOption(new Option('--kind <kind>', 'only sessions of this kind').choices(['publisher', 'player', 'relay']))
    .action((opts: { node?: string; stream?: string; kind?: string }) => run((c) => c.sessions(opts)));

  const kick = program.command('kick').description('close a session or a stream\'s publisher');
  kick.command('session').description('close one session').argument('<id>', 'session id')
    .option('--node <id>', 'the node holding the session (default: ask every node)')
    .action((id: string, opts: { node?: string }) => run((c) => c.kickSession(id, opts.node)));
  kick.command('publisher').description('close the publisher of a stream, cluster-wide').argument('<app/name>', 'stream key')
    .action((key: string) => run((c) => c.kickPublisher(key)));

  program.command('drain').description('drain a node: stop accepting, move clients away, close the rest at the deadline')
    .argument('<node>', 'node id')
    .addOption(new Option('--deadline <ms>', 'close remaining sessions after this long (default: node setting)').argParser(positiveInt))
    .option('--stay', 'keep the drained node running, idle and not ready, until `rtmpctl undrain` (default: its process exits 0)', false)
    .action((node: string, opts: { deadline?: number; stay: boolean }) => run((c) => c.drain(node, opts.deadline, opts.stay)));
  program.command('undrain').description('return a node drained with --stay to service')
    .argument('<node>', 'node id')
    .action((node: string) => run((c) => c.undrain(node)));
  // Handled in main() before parsing (it takes the sign options, not the API's); listed here for --help.
  program.command('sign').description('mint a signed stream key or URL offline (no API call; `rtmpctl sign --help`)')
    .allowUnknownOption().helpOption(false);
  program.command('watch').description('stream cluster events until interrupted')
    .addOption(new Option('--count <n>', 'exit after n events').argParser(positiveInt))
    .action((opts: { count?: number }) => run((c) => c.watch(opts.count)));

  // Commander's own usage errors exit through exitOverride with code 1; subcommands inherit it.
  for (const cmd of [program, ...program.commands, ...kick.commands]) cmd.exitOverride().showHelpAfterError();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `rtmpctl sign ...`: the same key minting as `rtmp-cluster sign`, so operators need one tool.
  if (argv[2] === 'sign') {
    const r = runSignCommand(argv.slice(2), process.env);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.exitCode;
  }
  let exitCode: number = ExitCode.Ok;
  let json = false;
  const program = buildProgram(async (fn) => {
    const g = program.opts<GlobalOptions>();
    json = g.json;
    const ctl = new Rtmpctl(g);
    try {
      await fn(ctl);
    } finally {
      ctl.close();
    }
  });
  try {
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      return ExitCode.Usage;
    }
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exitCode 0; every parse error is a usage error.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    const failure = fromServiceError(err);
    exitCode = failure.exitCode;
    if (json) {
      process.stderr.write(JSON.stringify({ error: { code: failure.grpcCode ?? 'FAILED', message: failure.message, exitCode } }) + '\n');
    } else {
      process.stderr.write(`rtmpctl: ${failure.message}\n`);
    }
  }
  return exitCode;
}
