/**
 * The handshake against real clients nobody here wrote. A tiny TCP server runs
 * only ServerHandshake, then reads the first chunk: a client that accepted S0/S1/S2
 * goes on to send its connect command (type 20 on csid 3). ffprobe (a player)
 * verifies our S1 digest and S2 signature and aborts if either is wrong.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerHandshake } from '@rtmp-cluster/rtmp';
import { makeTestFlv, TEST_MEDIA_DIR } from '../../../test/support/media.js';

interface Observed {
  mode: 'simple' | 'digest' | undefined;
  clientVersion: number;
  c2Matched: boolean;
  firstChunk: Buffer;
}

const CONNECT_AMF = Buffer.from([0x02, 0x00, 0x07, ...Buffer.from('connect')]);
const CLIENT_TIMEOUT_MS = 15_000;

const spawned = new Set<ChildProcess>();

function killClient(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawned.delete(child);
}

afterAll(() => {
  for (const child of [...spawned]) killClient(child);
});

/**
 * Accepts one connection, runs the handshake, and resolves once the bytes after
 * it contain the connect command (or rejects with the client's stderr).
 */
async function handshakeWith(command: string, args: (port: number) => string[]): Promise<Observed> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  let child: ChildProcess | undefined;
  let stderr = '';
  try {
    return await new Promise<Observed>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${command}: no connect command within ${CLIENT_TIMEOUT_MS} ms; stderr:\n${stderr}`)),
        CLIENT_TIMEOUT_MS,
      );
      server.on('connection', (socket) => {
        const hs = new ServerHandshake();
        const after: Buffer[] = [];
        socket.on('error', () => undefined);
        socket.on('data', (data) => {
          try {
            if (!hs.done) {
              const step = hs.push(data);
              if (step.send) socket.write(step.send);
              if (!step.done) return;
              after.push(step.remainder);
            } else {
              after.push(data);
            }
            const bytes = Buffer.concat(after);
            if (bytes.length >= 12 && bytes.includes(CONNECT_AMF)) {
              clearTimeout(timer);
              resolve({ mode: hs.mode, clientVersion: hs.clientVersion, c2Matched: hs.c2Matched, firstChunk: bytes });
              socket.destroy();
            }
          } catch (err) {
            clearTimeout(timer);
            reject(err);
            socket.destroy();
          }
        });
      });
      child = spawn(command, args(port), { stdio: ['ignore', 'ignore', 'pipe'] });
      spawned.add(child);
      child.stderr!.on('data', (d: Buffer) => {
        if (stderr.length < 8000) stderr += d.toString();
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  } finally {
    if (child) killClient(child);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function expectConnectChunk(bytes: Buffer): void {
  // Basic header fmt 0 / csid 3, message type 20 (AMF0 command), stream id 0, payload starts with "connect".
  expect(bytes[0]).toBe(0x03);
  expect(bytes[7]).toBe(20);
  expect(bytes.readUInt32LE(8)).toBe(0);
  expect(bytes.subarray(12, 12 + CONNECT_AMF.length).equals(CONNECT_AMF)).toBe(true);
}

let flv: string;
beforeAll(async () => {
  flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 2, width: 320, height: 240, fps: 15 });
});

describe('ServerHandshake with real clients', () => {
  it('ffmpeg publish: FP9 digest handshake (9.0.124.2), then connect', async () => {
    const seen = await handshakeWith('ffmpeg', (port) => [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-i', flv, '-c', 'copy', '-f', 'flv',
      `rtmp://127.0.0.1:${port}/live/x`,
    ]);
    expect(seen.mode).toBe('digest');
    expect(seen.clientVersion).toBe(0x09007c02);
    expectConnectChunk(seen.firstChunk);
  });

  it('ffprobe play: verifies our S1 digest and S2 signature, answers with a signed C2, then connect', async () => {
    const seen = await handshakeWith('ffprobe', (port) => [
      '-v', 'error', '-rw_timeout', '10000000', `rtmp://127.0.0.1:${port}/live/x`,
    ]);
    expect(seen.mode).toBe('digest');
    expect(seen.c2Matched).toBe(true);
    expectConnectChunk(seen.firstChunk);
  });

  it('ffprobe play (control): aborts against a server that claims a version without a digest', async () => {
    // Shows the previous test can fail: S1 version 5.0.3.1 with random bytes and an echoed S2.
    const server = net.createServer((socket) => {
      let got = Buffer.alloc(0);
      let answered = false;
      socket.on('error', () => undefined);
      socket.on('data', (data) => {
        got = Buffer.concat([got, data]);
        if (answered || got.length < 1537) return;
        answered = true;
        const s1 = Buffer.alloc(1536, 0x5a);
        s1.writeUInt32BE(0x05000301, 4);
        socket.write(Buffer.concat([Buffer.from([3]), s1, got.subarray(1, 1537)]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const child = spawn('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', `rtmp://127.0.0.1:${port}/live/x`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    spawned.add(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('ffprobe did not exit')), CLIENT_TIMEOUT_MS);
        child.on('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/Server response validating failed/);
    } finally {
      killClient(child);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('rtmpdump play: simple handshake, then connect', async () => {
    const seen = await handshakeWith('rtmpdump', (port) => [
      '-r', `rtmp://127.0.0.1:${port}/live/x`, '-o', '/dev/null', '--timeout', '3',
    ]);
    expect(seen.mode).toBe('simple');
    expect(seen.c2Matched).toBe(true);
    expectConnectChunk(seen.firstChunk);
  });

  it('GStreamer rtmp2src play: simple handshake, then connect', async () => {
    const seen = await handshakeWith('gst-launch-1.0', (port) => [
      '-q', 'rtmp2src', `location=rtmp://127.0.0.1:${port}/live/x`, '!', 'fakesink',
    ]);
    expect(seen.mode).toBe('simple');
    expectConnectChunk(seen.firstChunk);
  });

  it('GStreamer rtmp2sink publish: simple handshake, then connect', async () => {
    const seen = await handshakeWith('gst-launch-1.0', (port) => [
      '-q', 'filesrc', `location=${flv}`, '!', 'flvdemux', 'name=d', 'd.video', '!', 'queue', '!', 'h264parse', '!',
      'flvmux', 'streamable=true', '!', 'rtmp2sink', `location=rtmp://127.0.0.1:${port}/live/x`,
    ]);
    expect(seen.mode).toBe('simple');
    expectConnectChunk(seen.firstChunk);
  });
});
