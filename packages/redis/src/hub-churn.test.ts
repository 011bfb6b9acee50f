import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Broker, type Hub } from '@sse/core';
import { openLeanSse, serveNodeSse, sleep, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { startCluster, type OwnCluster } from './cluster.test-helper';
import { redisBroker } from './index';
import { freshPrefix, REDIS_URL } from './redis-test-helpers.test-helper';

const CLIENTS = 8;
const RUN_MS = 3000;

interface Instance {
  hub: Hub<Record<string, unknown>>;
  broker: Broker;
  server: NodeSseServer;
}

const instances: Instance[] = [];
afterEach(async () => {
  for (const { hub, broker, server } of instances.splice(0)) {
    hub.close();
    await server.close();
    await broker.close();
  }
});

/** One server instance: a hub on `broker`, its streams following the topics of `?topic=`. */
async function startInstance(broker: Broker): Promise<Instance> {
  const hub = createHub({ broker });
  const server = await serveNodeSse({ heartbeat: false }, (stream, req) => {
    const topics = new URL(req.url!, 'http://localhost').searchParams.getAll('topic');
    hub.topics(topics).subscribe(stream);
  });
  const instance = { hub, broker, server };
  instances.push(instance);
  return instance;
}

/**
 * Clients, each on two or three topics, hop between two instances with the Last-Event-ID of
 * their stream while both instances publish to every topic: per topic, each client gets every
 * event from its first on, once and in order, whether or not the topics' ids compare.
 */
async function expectSeamlessChurn(brokers: [Broker, Broker], topics: readonly string[]) {
  const a = await startInstance(brokers[0]);
  const b = await startInstance(brokers[1]);
  const published = new Map(topics.map((topic) => [topic, [] as string[]]));
  let publishing = true;
  const publisher = (async () => {
    for (let n = 0; publishing; n++) {
      const topic = topics[n % topics.length]!;
      const data = `${topic}#${n}`;
      await (n % 2 ? a : b).hub.publish(topic, data);
      published.get(topic)!.push(data);
      await sleep(2);
    }
  })();
  const deadline = Date.now() + RUN_MS;
  const urls = [a.server.url, b.server.url];

  const clients = Array.from({ length: CLIENTS }, async (_, c) => {
    const mine = topics.filter((_, t) => (c + t) % 3 !== 0 || topics.length < 3);
    const query = mine.map((topic) => `topic=${encodeURIComponent(topic)}`).join('&');
    const received = new Map(mine.map((topic) => [topic, [] as string[]]));
    let lastId: string | undefined;
    let connections = 0;
    const onEvent = (event: { id?: string; data: string }) => {
      received.get(event.data.slice(0, event.data.indexOf('#')))!.push(event.data);
      lastId = event.id;
    };
    for (;;) {
      const stopping = Date.now() > deadline;
      const client = await openLeanSse(`${urls[(connections + c) % 2]}?${query}`, {
        headers: lastId === undefined ? {} : { 'last-event-id': lastId },
        onEvent,
      });
      connections++;
      if (stopping) {
        await publishedAll;
        await waitUntil(
          () => mine.every((topic) => received.get(topic)!.at(-1) === published.get(topic)!.at(-1)),
          'the last event of every topic',
          15_000,
        );
        client.close();
        return { mine, received, connections };
      }
      if (lastId === undefined)
        await waitUntil(() => lastId !== undefined, 'a first event', 10_000);
      await sleep(5 + Math.random() * 60);
      client.close();
    }
  });
  const publishedAll = (async () => {
    await waitUntil(() => Date.now() > deadline, 'the end of the run', RUN_MS + 1000, 20);
    publishing = false;
    await publisher;
  })();

  for (const { mine, received, connections } of await Promise.all(clients)) {
    expect(connections).toBeGreaterThan(5);
    for (const topic of mine) {
      const all = published.get(topic)!;
      const got = received.get(topic)!;
      expect(got.length).toBeGreaterThan(10);
      expect(got).toEqual(all.slice(all.indexOf(got[0]!)));
    }
  }
}

describe('createHub on redisBroker: one Last-Event-ID across topics and instances', () => {
  it('loses and repeats nothing for clients hopping between instances, on one Redis', async () => {
    const prefix = freshPrefix();
    const brokers = [0, 1].map(() => redisBroker({ url: REDIS_URL, prefix, maxLen: 100_000 }));
    await expectSeamlessChurn(brokers as [Broker, Broker], ['room:a', 'room:b', 'user:c']);
  }, 40_000);

  describe('on Redis Cluster', () => {
    let cluster: OwnCluster;
    beforeAll(async () => {
      cluster = await startCluster();
    }, 20_000);
    afterAll(() => cluster.stop());

    it('loses and repeats nothing with the topics on different shards', async () => {
      const topics = ['room:0'];
      const shards = new Set([await cluster.masterOf('sse:{room:0}')]);
      for (let n = 1; topics.length < 3 && n < 200; n++) {
        const shard = await cluster.masterOf(`sse:{room:${n}}`);
        if (!shards.has(shard)) {
          shards.add(shard);
          topics.push(`room:${n}`);
        }
      }
      expect(shards.size).toBe(3);
      const clients = await Promise.all([cluster.client(), cluster.client()]);
      const brokers = clients.map((client) => redisBroker({ client, maxLen: 100_000 }));
      await expectSeamlessChurn(brokers as [Broker, Broker], topics);
    }, 40_000);
  });
});
