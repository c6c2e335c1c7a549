/**
 * Records real RTMP client sessions against nginx-rtmp as byte fixtures for
 * the protocol tests (packages/rtmp/test/fixtures/captures/).
 *
 * Needs: ffmpeg, ffprobe, rtmpdump, gst-launch-1.0 (rtmp2 plugin), nginx with
 * the RTMP module (`apt-get install -y libnginx-mod-rtmp nginx`).
 *
 * Run from the repository root (Node 20 has no type stripping, so build first):
 *   npx tsc -p test/support/capture && node test/support/capture/dist/capture/capture.js [outDir]
 *
 * For every scenario it starts a RecordingProxy in front of nginx, points the
 * client at the proxy, keeps the first MAX_BYTES of each direction of the first
 * connection, then kills the client. Play scenarios get a publisher that sends
 * straight to nginx (not recorded). nginx runs in the foreground from a config
 * in a temp dir and is killed by PID at the end. The README.md in the output
 * directory is rewritten with versions and command lines.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestFlv, TEST_MEDIA_DIR } from '../media.js';
import { RecordingProxy, type Recording } from './record.js';

const MAX_BYTES = 16 * 1024;
const SCENARIO_TIMEOUT_MS = 8_000;
const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

interface Scenario {
  name: string;
  description: string;
  /** Whether a publisher must be running into nginx before the client starts. */
  needsPublisher: boolean;
  /** The direction carrying media: the scenario ends once it has MAX_BYTES. */
  mediaDirection: 'c2s' | 's2c';
  command: string;
  args: (url: string, flv: string) => string[];
}

const SCENARIOS: Scenario[] = [
  {
    name: 'ffmpeg-publish',
    description: 'ffmpeg publishing an FLV (H.264 + AAC) with -c copy',
    needsPublisher: false,
    mediaDirection: 'c2s',
    command: 'ffmpeg',
    args: (url, flv) => ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-i', flv, '-c', 'copy', '-f', 'flv', url],
  },
  {
    name: 'ffprobe-play',
    description: 'ffprobe playing a live stream',
    needsPublisher: true,
    mediaDirection: 's2c',
    command: 'ffprobe',
    args: (url) => ['-v', 'error', '-rw_timeout', '5000000', '-show_entries', 'stream=codec_name', url],
  },
  {
    name: 'rtmpdump-play',
    description: 'rtmpdump (librtmp) playing a live stream',
    needsPublisher: true,
    mediaDirection: 's2c',
    command: 'rtmpdump',
    args: (url) => ['-r', url, '--live', '-o', '/dev/null', '--timeout', '5'],
  },
  {
    name: 'gst-rtmp2sink-publish',
    description: 'GStreamer rtmp2sink publishing the FLV remuxed by flvmux',
    needsPublisher: false,
    mediaDirection: 'c2s',
    command: 'gst-launch-1.0',
    args: (url, flv) => [
      '-q', 'filesrc', `location=${flv}`, '!', 'flvdemux', 'name=d',
      'd.video', '!', 'queue', '!', 'h264parse', '!', 'm.',
      'd.audio', '!', 'queue', '!', 'aacparse', '!', 'm.',
      'flvmux', 'name=m', 'streamable=true', '!', 'rtmp2sink', `location=${url}`,
    ],
  },
  {
    name: 'gst-rtmp2src-play',
    description: 'GStreamer rtmp2src playing a live stream into fakesink',
    needsPublisher: true,
    mediaDirection: 's2c',
    command: 'gst-launch-1.0',
    args: (url) => ['-q', 'rtmp2src', `location=${url}`, '!', 'fakesink'],
  },
];

const children = new Set<ChildProcess>();

function startProcess(command: string, args: string[], label: string): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString();
  });
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (code !== 0 && signal === null && stderr) console.error(`[${label}] exited ${code}: ${stderr.trim().slice(0, 500)}`);
  });
  return child;
}

function stopProcess(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already exited
    }
  }
  children.delete(child);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function startNginx(dir: string, port: number): Promise<ChildProcess> {
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(
    conf,
    [
      `load_module ${NGINX_RTMP_MODULE};`,
      'daemon off;',
      'master_process off;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} info;`,
      'events { worker_connections 64; }',
      'rtmp {',
      '  server {',
      `    listen 127.0.0.1:${port};`,
      '    chunk_size 4096;',
      '    application live { live on; record off; wait_key on; }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const nginx = startProcess('nginx', ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', conf], 'nginx');
  await waitForPort(port, 5_000);
  return nginx;
}

function versionOf(command: string, args: string[]): string {
  // Some of these print their version on stderr (nginx -v, rtmpdump --help) and exit non-zero.
  const res = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  const text = `${res.stdout ?? ''}\n${res.stderr ?? ''}`;
  const line = text.split('\n').map((l) => l.trim()).find((l) => /version|v\d/i.test(l));
  return line ?? `${command}: unknown version`;
}

async function runScenario(scenario: Scenario, nginxPort: number, flv: string): Promise<Recording> {
  const proxy = await RecordingProxy.start({ upstreamPort: nginxPort, maxBytes: MAX_BYTES });
  const url = `rtmp://127.0.0.1:${proxy.port}/live/cap`;
  const client = startProcess(scenario.command, scenario.args(url, flv), scenario.name);
  try {
    const deadline = Date.now() + SCENARIO_TIMEOUT_MS;
    while (Date.now() < deadline && client.exitCode === null) {
      const first = proxy.recordings()[0];
      const media = first && (scenario.mediaDirection === 'c2s' ? first.clientToServer : first.serverToClient);
      if (media && media.length >= MAX_BYTES) break;
      await sleep(100);
    }
  } finally {
    stopProcess(client);
  }
  await sleep(100);
  const first = proxy.recordings()[0];
  await proxy.close();
  if (!first) throw new Error(`${scenario.name}: the client never connected`);
  return first;
}

async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const repoRoot = path.resolve(here, '..', '..', '..', '..', '..');
  const outDir = path.resolve(process.argv[2] ?? path.join(repoRoot, 'packages/rtmp/test/fixtures/captures'));
  await mkdir(outDir, { recursive: true });

  const flvOptions = { seconds: 10, width: 320, height: 240, fps: 15, gop: 15 };
  const flv = await makeTestFlv(TEST_MEDIA_DIR, flvOptions);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'rtmp-capture-'));
  const nginxPort = await freePort();
  const nginx = await startNginx(tmp, nginxPort);
  let publisher: ChildProcess | undefined;
  const rows: string[] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (scenario.needsPublisher && !publisher) {
        publisher = startProcess(
          'ffmpeg',
          ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', flv, '-c', 'copy', '-f', 'flv',
            `rtmp://127.0.0.1:${nginxPort}/live/cap`],
          'publisher',
        );
        await sleep(2_000);
      }
      if (!scenario.needsPublisher && publisher) {
        stopProcess(publisher);
        publisher = undefined;
        await sleep(500);
      }
      const rec = await runScenario(scenario, nginxPort, flv);
      await writeFile(path.join(outDir, `${scenario.name}.c2s.bin`), rec.clientToServer);
      await writeFile(path.join(outDir, `${scenario.name}.s2c.bin`), rec.serverToClient);
      const shown = scenario.args('rtmp://127.0.0.1:PORT/live/cap', 'test.flv').join(' ');
      rows.push(
        `| ${scenario.name} | ${scenario.description} | \`${scenario.command} ${shown}\` | ` +
          `${rec.clientToServer.length} of ${rec.clientToServerTotal} | ${rec.serverToClient.length} of ${rec.serverToClientTotal} |`,
      );
      console.log(`${scenario.name}: c2s ${rec.clientToServer.length} B, s2c ${rec.serverToClient.length} B`);
    }
  } finally {
    if (publisher) stopProcess(publisher);
    stopProcess(nginx);
    await rm(tmp, { recursive: true, force: true });
  }

  const versions = [
    versionOf('ffmpeg', ['-version']),
    versionOf('rtmpdump', ['--help']),
    versionOf('gst-launch-1.0', ['--version']),
    versionOf('nginx', ['-v']) + ' + libnginx-mod-rtmp (Debian 12)',
  ];
  await writeFile(path.join(outDir, 'README.md'), readme(rows, versions, flvOptions));
}

function readme(rows: string[], versions: string[], flv: object): string {
  return `# Captured RTMP sessions (real clients)

Byte fixtures for protocol tests: what real clients sent to a real server (nginx-rtmp) and what it
answered. Generated by \`test/support/capture/capture.ts\` (see its header for how to run it); re-running it
rewrites every file here, including this README.

Each session has two files: \`<name>.c2s.bin\` (client -> server) and \`<name>.s2c.bin\` (server -> client),
from the start of the TCP connection, each truncated to the first ${MAX_BYTES} bytes (so the last chunk of a
file is usually cut off mid-message). The client->server stream starts with C0 C1 C2 (3073 bytes), then the
chunk stream (connect, ..., publish/play, and for publishers @setDataFrame and media). The server->client
stream starts with S0 S1 S2, then nginx's Window Ack Size / Set Peer Bandwidth / Set Chunk Size (4096) and
_result/onStatus, and for players the media.

Server: nginx-rtmp, \`chunk_size 4096\`, \`application live { live on; wait_key on; }\`, reached through a
recording TCP proxy on 127.0.0.1. Stream URL \`rtmp://127.0.0.1:PORT/live/cap\`. Media: \`makeTestFlv(${JSON.stringify(flv)})\`
(testsrc2 H.264 main, no B-frames, GOP 15 + 1 kHz sine AAC 48 kHz stereo). Play sessions had an ffmpeg
publisher (\`-re -stream_loop -1 -c copy\`) feeding nginx directly.

Versions:
${versions.map((v) => `- ${v}`).join('\n')}

| file prefix | client | command line | c2s bytes kept of total | s2c bytes kept of total |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

process.on('SIGINT', () => {
  for (const child of [...children]) stopProcess(child);
  process.exit(130);
});

main().catch((err: unknown) => {
  for (const child of [...children]) stopProcess(child);
  console.error(err);
  process.exitCode = 1;
});
