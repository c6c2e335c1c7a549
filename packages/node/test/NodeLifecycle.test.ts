import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { NodeLifecycle } from '../src/NodeLifecycle.js';

function recordingLogger(): { logger: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void messages.push(JSON.parse(line).msg) });
  return { logger, messages };
}

describe('NodeLifecycle', () => {
  it('starts only from created, naming the node kind and its state otherwise', () => {
    const life = new NodeLifecycle<'draining'>('control node', recordingLogger().logger);
    life.beginStart();
    expect(life.state).toBe('starting');
    expect(() => life.beginStart()).toThrow('control node already starting');
  });

  it('stops a running node once however often and concurrently stop is called, then logs it', async () => {
    const { logger, messages } = recordingLogger();
    const life = new NodeLifecycle<'stopping'>('node', logger);
    life.beginStart();
    life.state = 'running';
    let idle = 0;
    let down = 0;
    const stop = () =>
      life.stop(
        () => void idle++,
        async () => {
          down++;
          life.state = 'stopping';
          await new Promise((r) => setImmediate(r));
        },
      );
    const first = stop();
    expect(life.state).toBe('stopping');
    expect(stop()).toBe(first);
    await first;
    await stop();
    expect([idle, down, life.state]).toEqual([0, 1, 'stopped']);
    expect(messages).toEqual(['node stopped']);
  });

  it('a node never started (or whose start failed) releases only what it holds, without the stopped log', async () => {
    for (const failedStart of [false, true]) {
      const { logger, messages } = recordingLogger();
      const life = new NodeLifecycle<never>('node', logger);
      if (failedStart) {
        life.beginStart();
        life.state = 'stopped';
      }
      let idle = 0;
      let down = 0;
      await life.stop(
        () => void idle++,
        async () => void down++,
      );
      expect([idle, down, life.state]).toEqual([1, 0, 'stopped']);
      expect(messages).toEqual([]);
      expect(() => life.beginStart()).toThrow('node already stopped');
    }
  });
});
