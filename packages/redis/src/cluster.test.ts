import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, type Broker, type BackplaneEvent } from '@sse/core';
import { openRawSse, serveNodeSse, sleep, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { startCluster, type OwnCluster } from './cluster.test-helper';
import { redisBackplane, redisBroker, type RedisClusterConnection } from './index';

// A real three-master Redis Cluster of this file's own.
let cluster: OwnCluster;
// Two Cluster clients: two server instances, shared by the tests (connecting takes a while).
let clients: RedisClusterConnection[];
beforeAll(async () => {
  cluster = await startCluster();
  clients = await Promise.all([cluster.client(), cluster.client()]);
}, 20_000);
afterAll(() => cluster.stop());

const brokers: Broker[] = [];
const servers: NodeSseServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  await cluster.onEveryMaster(['FLUSHALL']);
});

/** A broker on Cluster client number `n`: one server instance. */
function instance(n = 0, client = clients[n]!, maxLen = 5): Broker {
  const broker = redisBroker({ client, maxLen, onError: () => {} });
  brokers.push(broker);
  return broker;
}

const message = (data: string) => ({ data, serialized: false });
const dataOf = (events: readonly BackplaneEvent[]) => events.map((event) => event.data);

describe('redisBroker on Redis Cluster', () => {
  it('spreads topics over the shards, each with its own history and trim', async () => {
    const broker = instance();
    const first = new Map<string, string>();
    await Promise.all(
      Array.from({ length: 30 }, async (_, n) => {
        const topic = `room:${n}`;
        const plane = broker.backplane(topic);
        first.set(topic, await plane.append(message(`${topic}/0`)));
        for (let i = 1; i < 7; i++) await plane.append(message(`${topic}/${i}`));
      }),
    );

    const sizes = (await cluster.onEveryMaster(['DBSIZE'])) as number[];
    expect(sizes.every((size) => size > 0)).toBe(true);
    for (const topic of ['room:0', 'room:17', 'room:29']) {
      const read = await broker.backplane(topic).readAfter(first.get(topic)!);
      expect(read.gap).toBe(true);
      expect(dataOf(read.events)).toEqual([2, 3, 4, 5, 6].map((i) => `${topic}/${i}`));
      const latest = read.events.at(-2)!.id;
      expect(await broker.backplane(topic).readAfter(latest)).toMatchObject({ gap: false });
    }
  });

  it('delivers live events across two instances, for topics on different shards', async () => {
    const [a, b] = [instance(0), instance(1)];
    const topics = await topicsOnTwoShards();
    const seen = new Map(topics.map((topic) => [topic, [] as string[]]));
    for (const topic of topics) {
      const plane = a.backplane(topic);
      plane.listen((event) => seen.get(topic)!.push(event.data));
      await plane.readAfter('0-0');
    }

    for (let n = 0; n < 10; n++) await b.backplane(topics[n % 2]!).append(message(`${n}`));

    // In order within a topic; two shards' events reach an instance on two connections.
    await waitUntil(() => [...seen.values()].every((got) => got.length === 5), 'every event');
    expect(seen.get(topics[0])).toEqual(['0', '2', '4', '6', '8']);
    expect(seen.get(topics[1])).toEqual(['1', '3', '5', '7', '9']);
  });

  it('replays through a channel on one instance what was published on another', async () => {
    const [a, b] = [instance(0), instance(1)];
    const channel = createChannel({ backplane: b.backplane('replayed') });
    const server = await serveNodeSse(
      { heartbeat: false },
      (stream) => void channel.subscribe(stream),
    );
    servers.push(server);
    const seen = await a.backplane('replayed').append(message('seen'));
    await a.backplane('replayed').append(message('missed'));

    const client = await openRawSse(server.url, { headers: { 'last-event-id': seen } });
    const [event] = await client.waitForEvents(1);
    client.close();
    channel.close();
    expect(event!.data).toBe('missed');
  });

  it('sends the gap after FLUSHALL, also once the topic is published again', async () => {
    const broker = instance();
    const topics = await topicsOnTwoShards();
    const ids = await Promise.all(
      topics.map((topic) => broker.backplane(topic).append(message('x'))),
    );
    await cluster.onEveryMaster(['FLUSHALL']);

    for (const [i, topic] of topics.entries()) {
      expect((await broker.backplane(topic).readAfter(ids[i]!)).gap).toBe(true);
      await broker.backplane(topic).append(message('after'));
      const read = await broker.backplane(topic).readAfter(ids[i]!);
      expect(read.gap).toBe(true);
      expect(dataOf(read.events)).toEqual(['after']);
    }
  });

  it('reads what was published while its shard subscriber connections were away, once and in order', async () => {
    // Nothing published meanwhile is trimmed away before it is read.
    const [listener, publisher] = [instance(0, clients[0], 1000), instance(1, clients[1], 1000)];
    const topics = await topicsOnTwoShards();
    const seen = new Map(topics.map((topic) => [topic, [] as string[]]));
    for (const topic of topics) {
      const plane = listener.backplane(topic);
      plane.listen((event) => seen.get(topic)!.push(event.data));
      await plane.readAfter('0-0');
    }
    const published: string[] = [];
    const publishing = (async () => {
      for (let n = 0; n < 200; n++) {
        await publisher.backplane(topics[n % 2]!).append(message(`${n}`));
        published.push(`${n}`);
        if (n % 10 === 0) await sleep(2);
      }
    })();
    await waitUntil(() => published.length >= 60, '60 events published');
    await cluster.onEveryMaster(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    await publishing;

    for (const [i, topic] of topics.entries()) {
      const expected = published.filter((_, n) => n % 2 === i);
      await waitUntil(() => seen.get(topic)!.length >= expected.length, `every event of ${topic}`);
      expect(seen.get(topic)).toEqual(expected);
    }
  });

  it('uses two connections per master however many topics, and drops its subscriptions on close()', async () => {
    const broker = instance(0, await cluster.client('sse-counted'));
    for (let n = 0; n < 300; n++) broker.backplane(`t${n}`).listen(() => {});
    await broker.backplane('t0').readAfter('0-0');
    await broker.backplane('t299').readAfter('0-0');
    const subscriptions = async () =>
      ((await cluster.onEveryMaster(['PUBSUB', 'SHARDCHANNELS'])) as unknown[][]).reduce(
        (sum, channels) => sum + channels.length,
        0,
      );
    await waitUntil(async () => (await subscriptions()) === 300, 'every topic subscribed');

    const lists = (await cluster.onEveryMaster(['CLIENT', 'LIST'])) as string[];
    for (const list of lists) {
      const named = list.split('\n').filter((line) => line.includes(' name=sse-counted '));
      expect(named.length).toBeLessThanOrEqual(2);
    }

    await broker.close();
    expect(await subscriptions()).toBe(0);
  });
});

describe('redisBackplane on Redis Cluster', () => {
  it('works with a hash tag in its key, and asks for one without', async () => {
    expect(() => redisBackplane({ client: clients[0]!, key: 'sse:news' })).toThrow(
      /key needs a hash tag/,
    );
    const [a, b] = clients.map((client) => redisBackplane({ client, key: 'sse:{news}' }));
    const seen: string[] = [];
    a!.listen((event) => seen.push(event.data));
    await a!.readAfter('0-0');
    const first = await b!.append(message('one'));
    await b!.append(message('two'));

    await waitUntil(() => seen.length === 2, 'both events on the other instance');
    expect(seen).toEqual(['one', 'two']);
    expect(dataOf((await a!.readAfter(first)).events)).toEqual(['two']);
    await Promise.all([a!.close?.(), b!.close?.()]);
  });
});

/** Two topics whose keys live on different masters. */
async function topicsOnTwoShards(): Promise<[string, string]> {
  const first = 'shard:0';
  const firstPort = await cluster.masterOf(`sse:{${first}}`);
  for (let n = 1; ; n++) {
    const topic = `shard:${n}`;
    if ((await cluster.masterOf(`sse:{${topic}}`)) !== firstPort) return [first, topic];
  }
}
