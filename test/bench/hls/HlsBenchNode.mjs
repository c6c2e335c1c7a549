// The node the LL-HLS benchmarks measure: the shipped executable (all-in-one) on free 127.0.0.1 ports, the
// 720p30 bench stream published into it by ffmpeg in real time, and the stream already muxed (one viewer came
// first, as for every viewer after the first).
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeBenchFlv } from '../fanout/BenchMedia.mjs';
import { freePort, REPO_ROOT } from '../fanout/ServersUnderTest.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(check, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** Starts the node (extra RTMPC_* settings in `env`) and the publisher; resolves once the playlist lists 3 segments. */
export async function startHlsBenchNode(env = {}) {
  const flv = await makeBenchFlv(10);
  const [rtmpPort, httpPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-hls-'));
  const logFile = path.join(dir, 'node.log');
  const fd = openSync(logFile, 'a');
  const node = spawn(process.execPath, ['--max-semi-space-size=2', path.join(REPO_ROOT, 'packages/node/bundle/cli.js'), 'all-in-one'], {
    env: {
      ...process.env,
      RTMPC_NODE_ID: 'bench-hls',
      RTMPC_RTMP_HOST: '127.0.0.1',
      RTMPC_RTMP_PORT: String(rtmpPort),
      RTMPC_HTTP_HOST: '127.0.0.1',
      RTMPC_HTTP_PORT: String(httpPort),
      RTMPC_WEB_HOST: '127.0.0.1',
      RTMPC_WEB_PORT: String(webPort),
      RTMPC_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let publisher;
  // a benchmark stopped early (an error, Ctrl-C) leaves nothing running
  const killAll = () => {
    for (const pid of [node.pid, publisher?.pid]) {
      try {
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  process.once('exit', killAll);
  const stop = async ({ keepLog = false } = {}) => {
    process.off('exit', killAll);
    publisher?.kill('SIGKILL');
    node.kill('SIGTERM');
    await sleep(500);
    if (!keepLog) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok, 15_000, 'node health').catch((err) => {
      throw new Error(`${err.message}\n${readFileSync(logFile, 'utf8').slice(-1500)}`);
    });
    publisher = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', flv, '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/live/bench`], { stdio: 'ignore' });
    const origin = `http://127.0.0.1:${webPort}`;
    const playlist = `${origin}/live/bench/index.m3u8`;
    await waitFor(async () => {
      const r = await fetch(`${playlist}?session=benchwarmup1`);
      return r.status === 200 && (await r.text()).split('seg-').length > 3;
    }, 30_000, 'three segments in the playlist');
    return { pid: node.pid, publisherPid: publisher.pid, origin, playlist, logFile, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
