/**
 * Wrappers around the real RTMP clients installed on the machine (ffmpeg, ffprobe, rtmpdump, GStreamer).
 * Every process is spawned through a ClientProcesses group that enforces a timeout and kills what is left
 * by PID, so a failing test never leaves a client running.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcessResult {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** true when the group's timeout (not the process itself) ended it */
  timedOut: boolean;
}

export interface ClientProcess {
  readonly pid: number;
  readonly command: string;
  readonly child: ChildProcess;
  /** stdout/stderr captured so far (bounded to the last `outputLimit` characters) */
  stdout(): string;
  stderr(): string;
  /** resolves when the process has exited (never rejects) */
  readonly exited: Promise<ProcessResult>;
  /** true until the process exits */
  running(): boolean;
  /** `signal` (default SIGTERM), then SIGKILL after `graceMs` if it is still alive; resolves when it exited */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<ProcessResult>;
}

export interface SpawnOptions {
  /** the process is stopped after this long (default 60 s) */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** keep at most this many characters of each output stream (default 256 KiB) */
  outputLimit?: number;
}

/** A set of spawned clients that a test stops all at once in afterAll / finally. */
export class ClientProcesses {
  private readonly live = new Set<ClientProcess>();

  spawn(cmd: string, args: string[], opts: SpawnOptions = {}): ClientProcess {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const outputLimit = opts.outputLimit ?? 256 * 1024;
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    const command = [cmd, ...args].join(' ');
    if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
    const pid = child.pid;
    let out = '';
    let err = '';
    let timedOut = false;
    let alive = true;
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (s: string) => {
      out += s;
      if (out.length > outputLimit) out = out.slice(out.length - outputLimit);
    });
    child.stderr!.on('data', (s: string) => {
      err += s;
      if (err.length > outputLimit) err = err.slice(err.length - outputLimit);
    });
    const exited = new Promise<ProcessResult>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (!alive) return;
        alive = false;
        clearTimeout(timer);
        this.live.delete(proc);
        resolve({ command, code, signal, stdout: out, stderr: err, timedOut });
      };
      child.on('error', (e) => {
        err += `\nspawn error: ${e.message}`;
        finish(null, null);
      });
      // 'close' waits for the output pipes, so the captured output is complete.
      child.on('close', finish);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      // stop() resolves with the exit result and never rejects (the exit promise never does).
      proc.stop().catch(() => undefined);
    }, timeoutMs);
    const proc: ClientProcess = {
      pid,
      command,
      child,
      stdout: () => out,
      stderr: () => err,
      exited,
      running: () => alive,
      stop: async (graceMs = 2000, signal: NodeJS.Signals = 'SIGTERM') => {
        if (alive) {
          killPid(pid, signal);
          const killer = setTimeout(() => killPid(pid, 'SIGKILL'), graceMs);
          const r = await exited;
          clearTimeout(killer);
          return r;
        }
        return exited;
      },
    };
    this.live.add(proc);
    return proc;
  }

  /** Runs to completion (or timeout) and returns the result. */
  async run(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<ProcessResult> {
    return this.spawn(cmd, args, opts).exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((p) => p.stop(1000)));
  }
}

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------------------------------------------------
// ffmpeg / ffprobe

export interface FfmpegPublishOptions extends SpawnOptions {
  /** read input at its native rate (default true) */
  realtime?: boolean;
  /** loop the input forever (-stream_loop -1); stop it with stop() */
  loop?: boolean;
}

/** `ffmpeg -re -i input -c copy -f flv url` */
export function ffmpegPublish(group: ClientProcesses, input: string, url: string, opts: FfmpegPublishOptions = {}): ClientProcess {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'info'];
  if (opts.realtime ?? true) args.push('-re');
  if (opts.loop) args.push('-stream_loop', '-1');
  args.push('-i', input, '-c', 'copy', '-f', 'flv', url);
  return group.spawn('ffmpeg', args, opts);
}

/** `ffmpeg -i url -t seconds -c copy -f flv out`: records what a player receives. */
export function ffmpegRecord(group: ClientProcesses, url: string, out: string, seconds: number, opts: SpawnOptions = {}): ClientProcess {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'info', '-rw_timeout', '15000000', '-i', url, '-t', String(seconds), '-c', 'copy', '-f', 'flv', '-y', out];
  return group.spawn('ffmpeg', args, { timeoutMs: (seconds + 20) * 1000, ...opts });
}

export interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  nb_read_frames?: string;
  nb_read_packets?: string;
}

export interface ProbeResult {
  streams: ProbedStream[];
  result: ProcessResult;
}

function parseProbe(result: ProcessResult): ProbeResult {
  let streams: ProbedStream[] = [];
  try {
    const parsed = JSON.parse(result.stdout) as { streams?: ProbedStream[] };
    streams = parsed.streams ?? [];
  } catch {
    streams = [];
  }
  return { streams, result };
}

/** Probes a URL or file, counting the frames decoded in the first `seconds` (all of a file when omitted). */
export async function ffprobeStreams(
  group: ClientProcesses,
  target: string,
  opts: SpawnOptions & { seconds?: number } = {},
): Promise<ProbeResult> {
  const args = ['-v', 'error', '-rw_timeout', '15000000', '-count_frames', '-count_packets'];
  if (opts.seconds !== undefined) args.push('-read_intervals', `%+${opts.seconds}`);
  args.push('-show_entries', 'stream=index,codec_type,codec_name,width,height,sample_rate,channels,nb_read_frames,nb_read_packets', '-of', 'json', target);
  return parseProbe(await group.run('ffprobe', args, { timeoutMs: 40_000, ...opts }));
}

export interface ProbedPacket {
  codec_type: string;
  pts_time?: string;
  dts_time?: string;
  flags: string;
}

/** The packets (not decoded frames) a player receives in the first `seconds`: flags start with 'K' on keyframes. */
export async function ffprobePackets(
  group: ClientProcesses,
  target: string,
  opts: SpawnOptions & { seconds?: number } = {},
): Promise<{ packets: ProbedPacket[]; result: ProcessResult }> {
  const args = ['-v', 'error', '-rw_timeout', '15000000'];
  if (opts.seconds !== undefined) args.push('-read_intervals', `%+${opts.seconds}`);
  args.push('-show_entries', 'packet=codec_type,pts_time,dts_time,flags', '-of', 'json', target);
  const result = await group.run('ffprobe', args, { timeoutMs: 40_000, ...opts });
  let packets: ProbedPacket[] = [];
  try {
    packets = (JSON.parse(result.stdout) as { packets?: ProbedPacket[] }).packets ?? [];
  } catch {
    packets = [];
  }
  return { packets, result };
}

// ---------------------------------------------------------------------------------------------------------
// rtmpdump (librtmp)

/** `rtmpdump -r url -o out --live --stop seconds`: librtmp's simple handshake, play start 0 (live flag set). */
export function rtmpdumpRecord(group: ClientProcesses, url: string, out: string, seconds: number, opts: SpawnOptions = {}): ClientProcess {
  const args = ['-r', url, '-o', out, '--live', '--stop', String(seconds), '--timeout', '15'];
  return group.spawn('rtmpdump', args, { timeoutMs: (seconds + 20) * 1000, ...opts });
}

// ---------------------------------------------------------------------------------------------------------
// GStreamer rtmp2

/** Publishes an FLV file (H.264 + AAC) through rtmp2sink, re-muxed as a live stream. */
export function gstPublishFile(group: ClientProcesses, flv: string, url: string, opts: SpawnOptions = {}): ClientProcess {
  const pipeline = [
    'filesrc', `location=${flv}`, '!', 'flvdemux', 'name=d',
    'd.video', '!', 'queue', '!', 'h264parse', '!', 'm.',
    'd.audio', '!', 'queue', '!', 'aacparse', '!', 'm.',
    'flvmux', 'name=m', 'streamable=true', '!', 'rtmp2sink', `location=${url}`, 'sync=true',
  ];
  return group.spawn('gst-launch-1.0', ['-e', ...pipeline], opts);
}

/** Plays through rtmp2src and writes the received FLV to `out` until `buffers` buffers (or the timeout). */
export function gstRecord(group: ClientProcesses, url: string, out: string, opts: SpawnOptions = {}): ClientProcess {
  const pipeline = ['rtmp2src', `location=${url}`, 'timeout=15', '!', 'filesink', `location=${out}`];
  return group.spawn('gst-launch-1.0', ['-e', ...pipeline], opts);
}
