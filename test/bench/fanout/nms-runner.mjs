// Starts node-media-server v4 on 127.0.0.1 with RTMP and, when an HTTP port is given, its HTTP-FLV/WS-FLV
// listener (no HTTPS, RTMPS, webadmin), for the fan-out and browser benchmarks. Usage:
//   node nms-runner.mjs <rtmpPort> <dataDir> [httpPort]
import path from 'node:path';
import NodeMediaServer from 'node-media-server';
import logger from 'node-media-server/src/core/logger.js';

const port = Number(process.argv[2]);
const dataDir = process.argv[3];
const httpPort = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
if (!Number.isInteger(port) || port <= 0 || !dataDir) {
  console.error('usage: node nms-runner.mjs <rtmpPort> <dataDir> [httpPort]');
  process.exit(2);
}
const config = {
  bind: '127.0.0.1',
  rtmp: { port },
  ...(httpPort ? { http: { port: httpPort } } : {}),
  store: { path: path.join(dataDir, 'data') },
  record: { auto: false, path: path.join(dataDir, 'record') },
  webadmin: { enable: false },
  notify: { url: '' },
};
const nms = new NodeMediaServer(config, path.join(dataDir, 'config.json'));
// NMS forces its logger to debug in the constructor; per-connection log lines
// would be charged to its CPU figure, and the other servers log at warn.
logger.level = 'warn';
nms.run();
process.on('SIGTERM', () => process.exit(0));
