/**
 * RTMPS (RTMP inside TLS) on its own port with a self-signed certificate made by openssl: ffmpeg publishes
 * over rtmps://, ffprobe and GStreamer rtmp2src play over rtmps://, a plain rtmp:// player sees the same
 * stream; replacing the certificate files switches new connections to the new certificate without a restart
 * while a player that is already connected keeps receiving.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffmpegRecord, ffprobePackets, ffprobeStreams } from '../support/rtmp-clients.js';
import { startTestNode, waitLive, type TestNode } from '../e2e/support/testNode.js';
import { sleep } from '../support/waitFor.js';
import { makeSelfSignedCert, presentedFingerprint, type TestCert } from './support/tlsCert.js';

describe('RTMPS listener', () => {
  const procs = new ClientProcesses();
  let t: TestNode;
  let tmp: string;
  let flv: string;
  let first: TestCert;
  let certFile: string;
  let keyFile: string;
  let tlsPort: number;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-rtmps-'));
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    first = await makeSelfSignedCert(tmp, 'first', 'rtmpc-first');
    certFile = path.join(tmp, 'live.crt');
    keyFile = path.join(tmp, 'live.key');
    fs.copyFileSync(first.certFile, certFile);
    fs.copyFileSync(first.keyFile, keyFile);
    t = await startTestNode({ tlsCertFile: certFile, tlsKeyFile: keyFile, rtmpsPort: 0, tlsReloadIntervalMs: 200 });
    tlsPort = t.node.addresses().rtmps!.port;
  });

  afterAll(async () => {
    await procs.stopAll();
    await t?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('ffmpeg publishes over rtmps; ffprobe plays over rtmps and plain rtmp', async () => {
    expect(await presentedFingerprint(tlsPort)).toBe(first.fingerprint256);
    const url = t.node.rtmpsUrl('/live/secure');
    expect(url).toBe(`rtmps://127.0.0.1:${tlsPort}/live/secure`);
    const pub = ffmpegPublish(procs, flv, url, { loop: true, timeoutMs: 60_000 });
    await waitLive(t, 'live/secure', 10_000);
    const publisher = t.node.rtmp.listConnections().find((c) => c.publishing.includes('live/secure'));
    expect(publisher).toBeDefined();
    expect(t.node.metrics().find((m) => m.name === 'rtmpc_rtmps_connections')!.value).toBeGreaterThanOrEqual(1);

    const [secure, plain] = await Promise.all([
      ffprobeStreams(procs, url, { seconds: 3 }),
      ffprobeStreams(procs, t.url('/live/secure'), { seconds: 3 }),
    ]);
    for (const probe of [secure, plain]) {
      expect(probe.streams.map((s) => s.codec_name).sort(), probe.result.stderr).toEqual(['aac', 'h264']);
      expect(Number(probe.streams.find((s) => s.codec_type === 'video')!.nb_read_frames)).toBeGreaterThanOrEqual(60);
    }
    await pub.stop();
  });

  it('GStreamer rtmp2src plays over rtmps without certificate validation', async () => {
    const pub = ffmpegPublish(procs, flv, t.node.rtmpsUrl('/live/gst'), { loop: true, timeoutMs: 60_000 });
    await waitLive(t, 'live/gst', 10_000);
    const out = path.join(tmp, 'gst-play.flv');
    const gst = procs.spawn(
      'gst-launch-1.0',
      ['-e', 'rtmp2src', `location=rtmps://127.0.0.1:${tlsPort}/live/gst`, 'tls-validation-flags=0', 'timeout=15', '!', 'filesink', `location=${out}`],
      { timeoutMs: 30_000 },
    );
    await sleep(4000);
    const r = await gst.stop(3000, 'SIGINT');
    expect(r.stderr).not.toContain('ERROR');
    const probe = await ffprobeStreams(procs, out);
    expect(probe.streams.map((s) => s.codec_name).sort(), probe.result.stderr).toEqual(['aac', 'h264']);
    expect(Number(probe.streams.find((s) => s.codec_type === 'video')!.nb_read_frames)).toBeGreaterThanOrEqual(30);
    await pub.stop();
  });

  it('a replaced certificate is used by new connections while a connected player keeps receiving', async () => {
    const pub = ffmpegPublish(procs, flv, t.node.rtmpsUrl('/live/rotate'), { loop: true, timeoutMs: 60_000 });
    await waitLive(t, 'live/rotate', 10_000);
    const out = path.join(tmp, 'rotate.flv');
    const player = ffmpegRecord(procs, t.node.rtmpsUrl('/live/rotate'), out, 8);
    await sleep(2000);
    const playerConn = t.node.rtmp.listConnections().find((c) => c.playing.includes('live/rotate'));
    expect(playerConn).toBeDefined();

    const second = await makeSelfSignedCert(tmp, 'second', 'rtmpc-second');
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
    // Replace both files the way a cert manager does: write aside, rename over.
    fs.copyFileSync(second.keyFile, `${keyFile}.new`);
    fs.copyFileSync(second.certFile, `${certFile}.new`);
    fs.renameSync(`${keyFile}.new`, keyFile);
    fs.renameSync(`${certFile}.new`, certFile);
    const until = Date.now() + 5000;
    let seen = await presentedFingerprint(tlsPort);
    while (seen !== second.fingerprint256 && Date.now() < until) {
      await sleep(100);
      seen = await presentedFingerprint(tlsPort);
    }
    expect(seen).toBe(second.fingerprint256);
    expect(t.logs.some((l) => l.msg === 'tls certificate reloaded')).toBe(true);
    expect(t.node.metrics().find((m) => m.name === 'rtmpc_tls_reloads_total')!.value).toBeGreaterThanOrEqual(1);

    // A new rtmps player works with the new certificate.
    const fresh = await ffprobeStreams(procs, t.node.rtmpsUrl('/live/rotate'), { seconds: 2 });
    expect(fresh.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);

    // The player connected before the swap got its whole 8 s, without a gap.
    const r = await player.exited;
    expect(r.code, r.stderr).toBe(0);
    // It left on its own (ffmpeg -t 8 ended), not closed by the server.
    const playerClose = await t.waitForClose((e) => e.connId === playerConn!.connId, 5000);
    expect(playerClose.reason).toBe('PEER_CLOSED');
    const { packets } = await ffprobePackets(procs, out, { outputLimit: 32 * 1024 * 1024 });
    const video = packets.filter((p) => p.codec_type === 'video').map((p) => Number(p.dts_time));
    expect(video.length).toBeGreaterThanOrEqual(7 * 30 - 15);
    for (let i = 1; i < video.length; i++) expect(video[i]! - video[i - 1]!).toBeLessThan(0.5);
    await pub.stop();
  });

  it('a broken certificate file is refused and the current one stays in use', async () => {
    const before = await presentedFingerprint(tlsPort);
    const failuresBefore = t.node.metrics().find((m) => m.name === 'rtmpc_tls_reload_failures_total')!.value;
    fs.writeFileSync(`${certFile}.new`, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    fs.renameSync(`${certFile}.new`, certFile);
    const until = Date.now() + 5000;
    while (t.node.metrics().find((m) => m.name === 'rtmpc_tls_reload_failures_total')!.value === failuresBefore && Date.now() < until) await sleep(100);
    expect(t.node.metrics().find((m) => m.name === 'rtmpc_tls_reload_failures_total')!.value).toBe(failuresBefore + 1);
    expect(t.logs.some((l) => l.msg === 'tls certificate reload failed: keeping the current certificate')).toBe(true);
    expect(await presentedFingerprint(tlsPort)).toBe(before);
  });
});
