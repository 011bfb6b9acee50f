import { afterEach, describe, expect, it } from 'vitest';
import { createHub } from '@sse/core';
import { readSlowly, serveNodeSse, type NodeSseServer } from '@sse/test-kit';
import { redisBroker } from './index';
import { freshPrefix, REDIS_URL } from './redis-test-helpers.test-helper';

const MB = 1024 * 1024;
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe('runs on redisBroker: replay', () => {
  it('replays a 50 MB run from Redis to a slow reader in pages: server memory grows by a few MB', async () => {
    const prefix = freshPrefix();
    const [producer, reader] = [
      redisBroker({ url: REDIS_URL, prefix }),
      redisBroker({ url: REDIS_URL, prefix }),
    ];
    const a = createHub<{ message: string }>({ broker: producer });
    const b = createHub<{ message: string }>({ broker: reader });
    const server: NodeSseServer = await serveNodeSse({ heartbeat: false }, (stream) => {
      b.topics('log').subscribe(stream);
    });
    cleanup.push(async () => {
      await server.close();
      a.close();
      b.close();
      await Promise.all([producer.close(), reader.close()]);
    });
    const run = a.run('log');
    const line = 'x'.repeat(10 * 1024);
    for (let i = 0; i < 5000; i++) await run.publish(line);
    await run.end();

    const { received, tail, peakMemory: peak } = await readSlowly(server.url);
    console.info(
      `run replay from Redis: ${(received / MB).toFixed(1)} MB sent, server memory +${(peak / MB).toFixed(1)} MB at most`,
    );
    expect(received).toBeGreaterThan(50 * 1000 * 1000);
    expect(tail).toMatch(/event: sse-end\ndata: \{\}\n\n$/);
    expect(peak).toBeLessThan(16 * MB);
  }, 90_000);
});
