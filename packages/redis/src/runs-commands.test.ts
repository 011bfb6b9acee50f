import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub } from '@sse/core';
import {
  freeLocalPort,
  openRawSse,
  serveNodeSse,
  startRedisServer,
  stopRedisServer,
  waitUntil,
} from '@sse/test-kit';
import { createClient } from 'redis';
import { redisBroker } from './index';

// Commands are counted on a redis-server of this file's own: nobody else's are on it.
let child: ChildProcess;
let url: string;
let admin: ReturnType<typeof createClient>;
beforeAll(async () => {
  const port = await freeLocalPort();
  child = await startRedisServer('redis-server', port);
  url = `redis://127.0.0.1:${port}`;
  admin = createClient({ url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.close();
  if (child) await stopRedisServer(child);
});

/** Every command Redis ran (inside scripts too), by name, but the test's own `INFO`. */
async function commands(): Promise<Map<string, number>> {
  const info = await admin.sendCommand<string>(['INFO', 'commandstats']);
  const calls = new Map<string, number>();
  for (const [, name, count] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== 'info') calls.set(name!, Number(count));
  }
  return calls;
}

describe('runs on redisBroker: Redis commands', () => {
  it('costs less than one Redis command per token: 10,000 tokens published at once, one reader', async () => {
    const [producing, reading] = [redisBroker({ url }), redisBroker({ url })];
    const producer = createHub<{ message: string }>({ broker: producing });
    const reader = createHub<{ message: string }>({ broker: reading });
    const server = await serveNodeSse({ heartbeat: false }, (stream) => {
      reader.topics('answer').subscribe(stream);
    });
    try {
      const before = await commands();
      const run = producer.run('answer');
      await waitUntil(async () => (await producer.runStatus('answer')) === 'running', 'the run');
      const follower = await openRawSse(server.url);
      for (let i = 0; i < 10_000; i++) await run.publish(` w${i}`);
      await run.end();
      await follower.ended;
      expect(follower.events).toHaveLength(10_001);
      expect(follower.events[9_999]!.data).toBe(' w9999');

      const after = await commands();
      const used = [...after].map(([name, count]) => [name, count - (before.get(name) ?? 0)]);
      const total = used.reduce((sum, [, count]) => sum + Number(count), 0);
      console.info(
        `runs on Redis: ${(total / 10_000).toFixed(3)} commands per token (${used
          .filter(([, count]) => Number(count) > 0)
          .map(([name, count]) => `${name} ${count}`)
          .join(', ')})`,
      );
      expect(total / 10_000).toBeLessThan(1);
    } finally {
      await server.close();
      producer.close();
      reader.close();
      await Promise.all([producing.close(), reading.close()]);
    }
  });
});
