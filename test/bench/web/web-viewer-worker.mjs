// A worker thread running a share of the web benchmark's HTTP-FLV or WS-FLV viewers over raw sockets: each
// sends its request, then only counts bytes (nothing is parsed, so the load generator stays cheap and the
// server's cost is what the benchmark measures). Same command protocol as ../fanout/player-worker.mjs.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { nowMs } from '../fanout/BenchRtmpClient.mjs';

const viewers = [];

function startViewer(v, o) {
  v.connectStart = nowMs();
  const s = net.connect(o.port, '127.0.0.1');
  v.socket = s;
  s.setNoDelay(true);
  s.on('connect', () => {
    const path = `/${o.app}/${o.stream}.flv`;
    s.write(
      o.protocol === 'ws-flv'
        ? `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
        : `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    );
  });
  s.on('data', (d) => {
    if (v.bytes === 0) {
      const status = d.toString('latin1', 0, 12);
      if (!/^HTTP\/1\.1 (200|101)/.test(status)) {
        v.error = `refused: ${status}`;
        s.destroy();
        return;
      }
    }
    v.bytes += d.length;
    // headers plus the FLV header and configuration arrive first; the GOP burst marks the start of playback
    if (v.firstMediaAt === 0 && v.bytes > 4096) v.firstMediaAt = nowMs();
  });
  s.on('error', (err) => (v.error ??= err.message));
  s.on('close', () => (v.error ??= 'closed by server'));
}

parentPort.on('message', (m) => {
  switch (m.cmd) {
    case 'start': {
      const gapMs = 1000 / m.rampPerSec;
      m.indices.forEach((index, k) => {
        const v = { index, socket: null, bytes: 0, connectStart: 0, firstMediaAt: 0, error: null, atStart: 0, atEnd: 0 };
        viewers.push(v);
        setTimeout(() => startViewer(v, { ...workerData }), k * gapMs);
      });
      parentPort.postMessage({ cmd: 'start' });
      break;
    }
    case 'status': {
      let started = 0;
      let playing = 0;
      let failed = 0;
      for (const v of viewers) {
        if (v.connectStart) started++;
        if (v.firstMediaAt) playing++;
        else if (v.error) failed++;
      }
      parentPort.postMessage({ cmd: 'status', started, playing, failed });
      break;
    }
    case 'windowStart':
      for (const v of viewers) v.atStart = v.bytes;
      parentPort.postMessage({ cmd: 'windowStart' });
      break;
    case 'windowEnd':
      for (const v of viewers) v.atEnd = v.bytes;
      parentPort.postMessage({ cmd: 'windowEnd' });
      break;
    case 'report':
      parentPort.postMessage({
        cmd: 'report',
        summaries: viewers.map((v) => ({ windowBytes: v.atEnd - v.atStart, ttffMs: v.firstMediaAt ? v.firstMediaAt - v.connectStart : null, error: v.error })),
      });
      break;
    case 'close':
      for (const v of viewers) v.socket?.destroy();
      parentPort.postMessage({ cmd: 'close' });
      break;
    default:
      break;
  }
});
