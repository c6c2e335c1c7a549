import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script shared with the benchmarks (no type declarations)
import { loadResults, renderClusterTable, renderFanoutTable, renderWebBrowserTable, rewritePerfTables } from '../bench/perf-table.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

describe('README performance tables', () => {
  it('hold exactly what the committed bench/results files render to (npm run docs:perf)', () => {
    const fanout = loadResults('fanout') as unknown[];
    expect(fanout.length, 'no committed bench:fanout result').toBeGreaterThan(0);
    expect((loadResults('web-browser') as unknown[]).length, 'no committed bench:web-browser result').toBeGreaterThan(0);
    expect(rewritePerfTables(readme), 'README performance table drifted: run npm run docs:perf').toBe(readme);
  });

  it('a row per server of each run, with its conditions; an edited figure is detected', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-table-'));
    try {
      const LABELS: Record<string, string> = { ours: 'rtmp-cluster', nginx: 'nginx-rtmp' };
      const run = (server: string, round: number, cpuPerGbit: number) => ({
        server, name: LABELS[server], round, cpuPerGbit, latP50: 10, latP99: 30, rssPerPlayerKb: 15, behind: 0,
        nodeSendLatency: server === 'ours' ? { p50Ms: 12, p99Ms: 20 + round * 4 } : null,
      });
      writeFileSync(join(dir, 'fanout-2026-01-01T00-00-00-000Z.json'), JSON.stringify({
        bench: 'fanout',
        at: '2026-01-01T00:00:00.000Z',
        machine: { cores: 2, kernel: 'Linux 6.1', node: 'v20.0.0', loadAtStart: [9, 9, 9] },
        settings: { players: 1000 },
        results: [run('ours', 1, 0.1), run('nginx', 1, 0.2), run('ours', 2, 0.12), run('nginx', 2, 0.2), { server: 'nms', skipped: 'not installed' }],
      }));
      const table = renderFanoutTable(loadResults('fanout', dir)) as string;
      const rows = table.trim().split('\n').slice(2);
      expect(rows).toHaveLength(2);
      expect(rows[0]).toContain('| rtmp-cluster | 2 | 0.11 (0.10-0.12) | 0.55x | 10 / 30 ms | 26 ms | 15 KB |');
      expect(rows[0]).toContain('**machine loaded** (load 9.0 on 2 cores)');
      expect(rows[1]).toContain('| nginx-rtmp | 2 | 0.20 (0.20-0.20) |  | 10 / 30 ms | - | 15 KB |');
      const drifted = readme.replace(/(<!-- perf-fanout:begin[^\n]*-->\n\|[^\n]*\n\|[^\n]*\n\|[^|]*\|)/, '$1 edited');
      expect(drifted).not.toBe(readme);
      expect(rewritePerfTables(drifted)).toBe(readme);
      expect(() => rewritePerfTables(readme.replace('<!-- perf-fanout:end -->', ''))).toThrow(/perf-fanout/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a browser row per viewer kind of each run, with ranges over its rounds and whether the goal held in every round', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-table-'));
    try {
      const row = (server: string, kind: string, round: number, firstFrameMs: number | null, behindLiveMs: number | null) => ({
        label: `${server} ${kind}`, server, kind, playerConfig: {}, round, firstFrameMs, behindLiveMs, behindLiveMaxMs: behindLiveMs === null ? null : behindLiveMs + 20, stalls: round - 1,
      });
      writeFileSync(join(dir, 'web-browser-2026-01-01T00-00-00-000Z.json'), JSON.stringify({
        bench: 'web-browser',
        at: '2026-01-01T00:00:00.000Z',
        machine: { cores: 2, kernel: 'Linux 6.1', node: 'v24.0.0', loadAtStart: [1, 1, 1] },
        results: [
          row('rtmp-cluster', 'flv', 1, 200, 300), row('node-media-server', 'flv', 1, 350, 800), row('rtmp-cluster', 'hls', 1, 400, 900),
          row('rtmp-cluster', 'flv', 2, 250, 450), row('node-media-server', 'flv', 2, 320, 700), row('rtmp-cluster', 'hls', 2, 450, 1100),
        ],
      }));
      const rows = (renderWebBrowserTable(loadResults('web-browser', dir)) as string).trim().split('\n').slice(2);
      expect(rows).toHaveLength(3);
      expect(rows[0]).toContain('| rtmp-cluster | HTTP-FLV (mpegts.js) | 2 | 200-250 | 300-450 | 320-470 | 1 | yes / yes (<= 300 / 500 ms) |');
      expect(rows[1]).toContain('| node-media-server | HTTP-FLV (mpegts.js) | 2 | 320-350 | 700-800 | 720-820 | 1 | no / no (<= 300 / 500 ms) |');
      expect(rows[2]).toContain('| rtmp-cluster | LL-HLS (hls.js, target ? s behind live) | 2 | 400-450 | 900-1,100 | 920-1,120 | 1 | yes / no (<= 500 / 1000 ms) |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a cluster row per origin -> edge pair of each run with a peer, medians over its rounds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-table-'));
    try {
      const hop = (p50: number, p99: number) => ({ n: 100, min: 0, p50, p99, max: p99 });
      // publisher -> every edge player: rounds since the load players ran in worker threads (loadgenLagP99Ms)
      const round = (server: string, r: number, cpu: number, p50: number, p99: number) => ({
        server,
        round: r,
        hop: hop(p50, p99),
        edgeLatency: hop(p50 + 8, p99 + 40),
        loadgenLagP99Ms: 5,
        edgeCpuPerGbit: cpu,
        deliveredGbit: 2,
      });
      const doc = (at: string, peer: unknown) => ({
        bench: 'cluster',
        at,
        machine: { cores: 2, kernel: 'Linux 6.1', node: 'v24.0.0', loadAtStart: [1, 1, 1] },
        firstFrameMs: { coldEdge: { n: 5, min: 20, p50: 25, p99: 40, max: 40 } },
        peer,
      });
      writeFileSync(join(dir, 'cluster-2026-01-01T00-00-00-000Z.json'), JSON.stringify(doc('2026-01-01T00:00:00.000Z', null)));
      writeFileSync(
        join(dir, 'cluster-2026-01-02T00-00-00-000Z.json'),
        JSON.stringify(
          doc('2026-01-02T00:00:00.000Z', {
            server: 'nginx',
            edgePlayers: 500,
            coldFirstFrameMs: { n: 5, min: 300, p50: 420, p99: 900, max: 900 },
            rounds: [round('ours', 1, 0.1, 1, 5), round('nginx', 1, 0.2, 0.2, 30), round('ours', 2, 0.14, 1.4, 7), round('nginx', 2, 0.2, 0.4, 50)],
          }),
        ),
      );
      const rows = (renderClusterTable(loadResults('cluster', dir)) as string).trim().split('\n').slice(2);
      expect(rows).toHaveLength(2); // the run without a peer has no rows
      expect(rows[0]).toContain('| 500 | rtmp-cluster | 2 | 25 / 40 ms | 1.2 / 6.0 ms | 9.2 / 46.0 ms (every player) | 0.12 (0.10-0.14) | 0.60x |');
      expect(rows[0]).toContain('| 2026-01-02, 2 cores, Linux 6.1, node v24.0.0, load 1.0 |');
      expect(rows[1]).toContain('| nginx-rtmp | 2 | 420 / 900 ms | 0.3 / 40.0 ms | 8.3 / 80.0 ms (every player) | 0.20 (0.20-0.20) |  |');
      expect(() => rewritePerfTables(readme.replace('<!-- perf-cluster:end -->', ''))).toThrow(/perf-cluster/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
