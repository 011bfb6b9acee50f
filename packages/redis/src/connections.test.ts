import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '@sse/core';
import { waitUntil } from '@sse/test-kit/unit';
import { createClient } from 'redis';
import { redisBackplane, redisBroker } from './index';
import { startOwnRedis, type OwnRedis } from './redis-test-helpers.test-helper';

// Connections are counted on a redis-server of this file's own: nobody else's are on it.
let redis: OwnRedis;
let admin: ReturnType<typeof createClient>;
beforeAll(async () => {
  redis = await startOwnRedis();
  admin = createClient({ url: redis.url, name: 'admin' });
  await admin.connect();
});
afterAll(async () => {
  await admin.close();
  await redis.stop();
});

/** The connections Redis has, other than the test's own admin connection. */
async function connections(name?: string): Promise<number> {
  const list = await admin.sendCommand<string>(['CLIENT', 'LIST']);
  return list
    .split('\n')
    .filter((line) => line.includes(' name='))
    .filter((line) => !line.includes(' name=admin '))
    .filter((line) => name === undefined || line.includes(` name=${name} `)).length;
}

const subscribedChannels = async () =>
  (await admin.sendCommand<unknown[]>(['PUBSUB', 'CHANNELS'])).length;

describe('redisBroker', () => {
  it('listens to 10,000 topics on two connections, and delivers each topic’s events', async () => {
    const before = await connections();
    const listener = redisBroker({ url: redis.url, prefix: 'count:' });
    const publisher = redisBroker({ url: redis.url, prefix: 'count:' });
    const seen = new Map<string, string[]>();
    const topics = Array.from({ length: 10_000 }, (_, n) => `user:${n}`);
    for (const topic of topics) {
      seen.set(topic, []);
      listener.backplane(topic).listen((event) => seen.get(topic)!.push(event.data));
    }
    await waitUntil(
      async () => (await subscribedChannels()) >= 10_000,
      'every topic subscribed',
      15_000,
      100,
    );

    // The publisher's one, the listener's two.
    expect((await connections()) - before).toBe(3);
    for (const topic of ['user:0', 'user:4242', 'user:9999']) {
      await publisher.backplane(topic).append({ data: `for ${topic}`, serialized: false });
    }
    await waitUntil(() => seen.get('user:9999')!.length === 1, 'the last topic’s event');
    expect(seen.get('user:0')).toEqual(['for user:0']);
    expect(seen.get('user:4242')).toEqual(['for user:4242']);
    expect(seen.get('user:1')).toEqual([]);

    await Promise.all([listener.close(), publisher.close()]);
    await waitUntil(async () => (await connections()) === before, 'every connection closed');
    await admin.sendCommand(['FLUSHALL']);
  }, 30_000);

  it('adds one connection to a client of yours, however many topics', async () => {
    const client = createClient({ url: redis.url, name: 'yours' });
    await client.connect();
    const brokers: Broker[] = [redisBroker({ client })];
    for (let n = 0; n < 500; n++) {
      brokers[0]!.backplane(`t${n}`).listen(() => {});
    }
    await waitUntil(async () => (await subscribedChannels()) >= 500, 'every topic subscribed');

    expect(await connections('yours')).toBe(2);
    await brokers[0]!.close();
    await waitUntil(async () => (await connections('yours')) === 1, 'its duplicate closed');
    expect(client.isOpen).toBe(true);
    await client.close();
  });
});

describe('redisBackplane', () => {
  it('shares two connections among every backplane of one URL, and one per client of yours', async () => {
    const before = await connections();
    const planes = Array.from({ length: 200 }, (_, n) =>
      redisBackplane({ url: redis.url, key: `channel:${n}` }),
    );
    for (const plane of planes) plane.listen(() => {});
    const client = createClient({ url: redis.url, name: 'shared-client' });
    await client.connect();
    const onClient = Array.from({ length: 200 }, (_, n) =>
      redisBackplane({ client, key: `mine:${n}` }),
    );
    for (const plane of onClient) plane.listen(() => {});
    await waitUntil(async () => (await subscribedChannels()) >= 400, 'every channel subscribed');

    // Two for the URL, the client itself and its one duplicate.
    expect((await connections()) - before).toBe(4);
    expect(await connections('shared-client')).toBe(2);

    await Promise.all([...planes, ...onClient].map((plane) => plane.close!()));
    await waitUntil(async () => (await connections()) - before === 1, 'shared connections closed');
    await client.close();
  });
});
