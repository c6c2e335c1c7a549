/**
 * The settings schema and what is derived from it: defaults, unknown RTMPC_* variables with the closest
 * known name, and --help.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig } from '../src/config.js';
import { closest, isAcceptedVariable, unknownVariableProblems } from '../src/settings/environment.js';
import { renderHelp } from '../src/settings/docs.js';
import { AUTH_SHORTCUTS, NODE_SETTINGS, OTHER_VARIABLES, SETTINGS } from '../src/settings/schema.js';
import { EXIT_CODES } from '../src/ExitCode.js';
import { problemsOf } from './support/problemsOf.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-settings-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));


describe('settings schema', () => {
  it('gives every setting one unique RTMPC_ name, one unique key, a doc line and roles', () => {
    const envs = SETTINGS.map((s) => s.env);
    const keys = SETTINGS.map((s) => s.key);
    expect(new Set(envs).size).toBe(envs.length);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of SETTINGS) {
      expect(s.env).toMatch(/^RTMPC_[A-Z0-9_]+$/);
      expect(s.key).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(s.doc.length, s.env).toBeGreaterThan(5);
      expect(s.roles.length, s.env).toBeGreaterThan(0);
    }
    expect(OTHER_VARIABLES.filter((v) => (envs as string[]).includes(v.name))).toEqual([]);
  });

  it('declares defaults its own type accepts, and documents the ones it derives', () => {
    const defaults = defaultConfig('host-a') as unknown as Record<string, unknown>;
    for (const s of NODE_SETTINGS) {
      if (s.optional) {
        expect(defaults[s.key], s.key).toBeUndefined();
        continue;
      }
      // The default, written as an operator would, parses back to itself.
      const parsed = s.type.parse(s.type.format(defaults[s.key] as never));
      expect(parsed, s.key).toEqual({ ok: true, value: defaults[s.key] });
      if (typeof s.default === 'function') expect(s.defaultDoc, s.key).toBeDefined();
    }
    expect(defaults['nodeId']).toBe('host-a');
    expect(defaults['advertiseAddress']).toBe('host-a:1935');
  });

  it('reads every setting from the environment and from the JSON file under its key', () => {
    // For each setting a value other than its default, as the environment gives it.
    const sample = new Map<string, string>();
    // Kinds the generic rules below do not cover; a new kind of setting needs an example here.
    const examples: Record<string, string> = {
      webAllowedOrigins: 'https://a.example,https://b.example',
      webTrustedProxies: '10.0.0.0/8,192.168.1.7',
      proxyTrustedCidrs: '10.0.0.0/8,2001:db8::/32',
    };
    for (const s of NODE_SETTINGS) {
      const e = s.type.expected;
      if (s.type.isFile || s.key === 'natsToken') continue; // files must exist (security-config.test.ts); token excludes user
      else if (s.key in examples) sample.set(s.key, examples[s.key]!);
      else if (e.startsWith('an integer')) {
        // The lower bound, or the upper one where the default is the lower bound (the sample must differ from it).
        const [, min, max] = /(\d+)-(\d+)/.exec(e)!;
        sample.set(s.key, String(s.default) === min ? max! : min!);
      }
      else if (e.startsWith('one of ')) sample.set(s.key, e.slice('one of '.length).split(', ').at(-1)!);
      else if (e === 'true or false') sample.set(s.key, s.default === true ? 'false' : 'true');
      else if (e === 'host:port') sample.set(s.key, 'node-9:1999');
      else if (e.includes('redis://')) sample.set(s.key, 'redis://10.0.0.9:6390');
      else if (e.includes('nats://')) sample.set(s.key, 'nats://10.0.0.9:4299,nats://10.0.0.8:4299');
      else sample.set(s.key, `value-of-${s.key}`);
    }
    sample.set('role', 'edge');
    const env = Object.fromEntries(NODE_SETTINGS.filter((s) => sample.has(s.key)).map((s) => [s.env, sample.get(s.key)!]));
    const fromEnv = loadConfig({ env, hostname: 'h' }) as unknown as Record<string, unknown>;
    const defaults = defaultConfig('h') as unknown as Record<string, unknown>;
    const file = path.join(tmp, 'every-setting.json');
    fs.writeFileSync(file, JSON.stringify(Object.fromEntries([...sample.keys()].map((k) => [k, fromEnv[k]]))));
    const fromFile = loadConfig({ env: {}, configFile: file, hostname: 'h' }) as unknown as Record<string, unknown>;
    expect(sample.size).toBeGreaterThan(40);
    for (const [key, raw] of sample) {
      const s = NODE_SETTINGS.find((x) => x.key === key)!;
      const parsed = s.type.parse(raw);
      expect(parsed.ok, `${s.env}=${raw}: add an example for this kind of setting`).toBe(true);
      expect(fromEnv[key], s.env).toEqual((parsed as { value: unknown }).value);
      expect(fromEnv[key], s.env).not.toEqual(defaults[key]);
      expect(fromFile[key], key).toEqual(fromEnv[key]);
    }
  });
});

describe('unknown RTMPC_* variables', () => {
  it('are errors naming the closest known setting', () => {
    expect(problemsOf(() => loadConfig({ env: { RTMPC_RTMP_PRT: '31100' } }))).toEqual([
      'unknown setting RTMPC_RTMP_PRT (did you mean RTMPC_RTMP_PORT?)',
    ]);
    expect(unknownVariableProblems({ RTMPC_LOGLEVEL: 'debug', RTMPC_PORT_RTMP: '1', RTMPC_HTTP_PROT: '1', RTMPC_MAX_CONECTIONS: '1' })).toEqual([
      'unknown setting RTMPC_LOGLEVEL (did you mean RTMPC_LOG_LEVEL?)',
      'unknown setting RTMPC_PORT_RTMP (did you mean RTMPC_RTMP_PORT?)',
      'unknown setting RTMPC_HTTP_PROT (did you mean RTMPC_HTTP_PORT?)',
      'unknown setting RTMPC_MAX_CONECTIONS (did you mean RTMPC_MAX_CONNECTIONS?)',
    ]);
    expect(unknownVariableProblems({ RTMPC_SOMETHING_ELSE_ENTIRELY: 'x' })).toEqual([
      'unknown setting RTMPC_SOMETHING_ELSE_ENTIRELY (rtmp-cluster --help lists the settings)',
    ]);
  });

  it('are reported with the other problems, and only RTMPC_ names count', () => {
    expect(problemsOf(() => loadConfig({ env: { RTMPC_RTMP_PORT: 'x', RTMPC_CHUNKSIZE: '1', PATH: '/bin', RTMP_PORT: '1' } }))).toEqual([
      'unknown setting RTMPC_CHUNKSIZE (did you mean RTMPC_CHUNK_SIZE?)',
      'RTMPC_RTMP_PORT: expected an integer 1-65535, got "x"',
    ]);
  });

  it('accept the documented non-settings, the tooling prefixes and Kubernetes service links', () => {
    const env = {
      RTMPC_CONFIG: '',
      RTMPC_PROTO_DIR: '/opt/proto',
      RTMPC_LOCAL_BASE: '20000',
      RTMPC_LOCAL_EXIT_AFTER_MS: '1',
      RTMPC_LB_BIND: '127.0.0.1:1',
      RTMPC_EDGE1_RTMP: '127.0.0.1:2',
      RTMPC_EDGE2_HTTP_PORT: '3',
      RTMPC_TEST_SIGNING_SECRET: 's',
      RTMPC_CHROMIUM: '/usr/bin/chromium',
      RTMPC_CACHE_DIR: '/tmp/cache',
      RTMPC_EDGE_SERVICE_HOST: '10.0.0.1',
      RTMPC_EDGE_SERVICE_PORT: '1935',
      RTMPC_EDGE_SERVICE_PORT_RTMP: '1935',
      RTMPC_EDGE_PORT: 'tcp://10.0.0.1:1935',
      RTMPC_EDGE_PORT_1935_TCP: 'tcp://10.0.0.1:1935',
      RTMPC_EDGE_PORT_1935_TCP_ADDR: '10.0.0.1',
      RTMPC_EDGE_PORT_1935_TCP_PORT: '1935',
      RTMPC_EDGE_PORT_1935_TCP_PROTO: 'tcp',
    };
    expect(unknownVariableProblems(env)).toEqual([]);
    // rtmpctl's own variables have their own prefix.
    expect(unknownVariableProblems({ RTMPCTL_ADDRESS: '127.0.0.1:50051', RTMPCTL_TOKEN: 't' })).toEqual([]);
    expect(loadConfig({ env, hostname: 'h' }).rtmpPort).toBe(1935);
    // A name ending in _PORT is a service link only with a service link's value.
    expect(isAcceptedVariable('RTMPC_RTPM_PORT', '31100')).toBe(false);
    expect(isAcceptedVariable('RTMPC_RTPM_PORT', 'tcp://10.0.0.1:1935')).toBe(true);
    for (const s of AUTH_SHORTCUTS) expect(isAcceptedVariable(s.env)).toBe(true);
  });

  it('suggest nothing when no name is close', () => {
    expect(closest('RTMPC_ZZZ', ['RTMPC_RTMP_PORT'])).toBeUndefined();
    expect(closest('rtmpPrt', ['rtmpPort', 'httpPort'])).toBe('rtmpPort');
  });
});

describe('rtmp-cluster --help', () => {
  it('lists every setting with its key, bounds and default, the other variables and the exit codes', () => {
    const help = renderHelp();
    for (const s of SETTINGS) {
      expect(help).toContain(`  ${s.env} (`);
      expect(help).toContain(s.doc);
    }
    expect(help).toContain('  RTMPC_RTMP_PORT (rtmpPort)\n      RTMP listener port\n      an integer 1-65535; default 1935; roles: all-in-one, origin, edge\n');
    for (const v of OTHER_VARIABLES) expect(help).toContain(`  ${v.name}\n`);
    for (const e of EXIT_CODES) expect(help).toContain(`  ${e.code}  ${e.doc}\n`);
  });
});
