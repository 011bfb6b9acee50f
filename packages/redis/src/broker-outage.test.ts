import { afterEach, expect, it } from 'vitest';
import { createChannel, type Broker, type Channel } from '@sse/core';
import { openRawSse, serveNodeSse, sleep, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { createClient } from 'redis';
import { redisBroker } from './index';
import { startOwnRedis, type OwnRedis } from './redis-test-helpers.test-helper';

// These tests stop Redis and kill connections: they run a redis-server of their own.
let redis: OwnRedis | undefined;
const brokers: Broker[] = [];
let channel: Channel | undefined;
let server: NodeSseServer | undefined;

afterEach(async () => {
  channel?.close();
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  await server?.close();
  await redis?.stop();
  redis = channel = server = undefined;
});

it('keeps serving while Redis is away, rejects publishes, reports once, and resumes after', async () => {
  redis = await startOwnRedis();
  const errors: unknown[] = [];
  const broker = redisBroker({ url: redis.url, onError: (e) => errors.push(e) });
  brokers.push(broker);
  const events = (channel = createChannel({ backplane: broker.backplane('outage') }));
  server = await serveNodeSse({ heartbeat: false }, (stream) => void events.subscribe(stream));
  const client = await openRawSse(server.url);
  await waitUntil(() => events.size === 1, 'the client subscribed');
  await events.publish('before');
  await client.waitForEvents(1);

  await redis.stop();

  await expect(events.publish('while away')).rejects.toThrow();
  await waitUntil(() => errors.length > 0, 'the outage was reported', 5000);
  // Every connection fails every reconnect attempt meanwhile: still one report.
  await sleep(1500);
  expect(errors).toHaveLength(1);
  expect(events.size).toBe(1);

  await redis.start();

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
  client.close();
}, 30_000);

it('reads what was published while its subscriber connection was away, once and in order', async () => {
  redis = await startOwnRedis();
  const listener = redisBroker({ url: redis.url, onError: () => {} });
  const publisher = redisBroker({ url: redis.url });
  brokers.push(listener, publisher);
  const seen: string[] = [];
  const plane = listener.backplane('resume');
  plane.listen((event) => seen.push(event.data));
  await plane.readAfter('0-0');
  const admin = createClient({ url: redis.url });
  await admin.connect();

  const published: string[] = [];
  const publishing = (async () => {
    for (let n = 0; n < 300; n++) {
      await publisher.backplane('resume').append({ data: `${n}`, serialized: false });
      published.push(`${n}`);
      if (n % 10 === 0) await sleep(2);
    }
  })();
  // Twice, while events keep coming: Redis drops the subscriber, node-redis reconnects.
  for (const at of [50, 150]) {
    await waitUntil(() => published.length >= at, `${at} events published`);
    await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
  }
  await publishing;
  await admin.close();

  await waitUntil(() => seen.length >= 300, 'every event arrived', 10_000);
  expect(seen).toEqual(published);
}, 30_000);
