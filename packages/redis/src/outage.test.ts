import { afterEach, expect, it } from 'vitest';
import { createChannel, type Backplane, type Channel } from '@sse/core';
import { openRawSse, serveNodeSse, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { redisBackplane } from './index';
import { startOwnRedis, type OwnRedis } from './redis-test-helpers.test-helper';

let redis: OwnRedis | undefined;
let backplane: Backplane | undefined;
let channel: Channel | undefined;
let server: NodeSseServer | undefined;

afterEach(async () => {
  channel?.close();
  await backplane?.close?.();
  await server?.close();
  await redis?.stop();
  redis = backplane = channel = server = undefined;
});

// This test stops and restarts Redis: it runs a redis-server of its own on a free port.
it('keeps serving while Redis is away, rejects publishes, reports once, and resumes after', async () => {
  redis = await startOwnRedis();
  const errors: unknown[] = [];
  backplane = redisBackplane({ url: redis.url, key: 'sse:outage', onError: (e) => errors.push(e) });
  channel = createChannel({ backplane });
  const events = channel;
  server = await serveNodeSse({ heartbeat: false }, (stream) => void events.subscribe(stream));
  const client = await openRawSse(server.url);
  await waitUntil(() => events.size === 1, 'the client subscribed');
  await events.publish('before');
  await client.waitForEvents(1);

  await redis.stop();

  await expect(events.publish('while away')).rejects.toThrow();
  await waitUntil(() => errors.length > 0, 'the outage was reported', 5000);
  const reportedDuringOutage = errors.length;
  // The server and its client are untouched: still connected, still subscribed.
  expect(events.size).toBe(1);

  await redis.start();

  // Once the connection is back, publishing works again and the live tail delivers.
  await waitUntil(
    async () => {
      try {
        await events.publish('after');
        return true;
      } catch {
        return false;
      }
    },
    'a publish went through after the restart',
    10_000,
  );
  const received = await client.waitForEvents(2, 10_000);
  expect(received.map((e) => e.data)).toEqual(['before', 'after']);
  // Reported per outage, not per failed reconnect attempt.
  expect(reportedDuringOutage).toBeLessThanOrEqual(2);
  client.close();
}, 30_000);
