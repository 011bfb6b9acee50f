import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, type Broker, type Channel } from '@sse/core';
import {
  churnClient,
  serveNodeSse,
  sleep,
  stitchReport,
  waitUntil,
  type NodeSseServer,
} from '@sse/test-kit';
import { startCluster, type OwnCluster } from './cluster.test-helper';
import { redisBroker } from './index';
import { freshPrefix, REDIS_URL } from './redis-test-helpers.test-helper';

const CLIENTS = 12;
const RUN_MS = 3000;

/** One server instance: a broker, a channel per topic on it, a node:http server. */
interface Instance {
  broker: Broker;
  channels: Map<string, Channel>;
  server: NodeSseServer;
}

const instances: Instance[] = [];
afterEach(async () => {
  for (const { broker, channels, server } of instances.splice(0)) {
    for (const channel of channels.values()) channel.close();
    await server.close();
    await broker.close();
  }
});

async function startInstance(broker: Broker, topics: readonly string[]): Promise<Instance> {
  const channels = new Map(
    topics.map((topic) => [topic, createChannel({ backplane: broker.backplane(topic) })]),
  );
  const server = await serveNodeSse({ heartbeat: false }, (stream, req) => {
    const topic = new URL(req.url!, 'http://localhost').searchParams.get('topic')!;
    channels.get(topic)!.subscribe(stream);
  });
  const instance = { broker, channels, server };
  instances.push(instance);
  return instance;
}

/**
 * Clients hop between two instances with Last-Event-ID, each on one of `topics`, while both
 * instances publish to every topic: each client gets every event of its topic once, in order.
 */
async function expectSeamlessChurn(
  brokers: [Broker, Broker],
  topics: readonly string[],
): Promise<void> {
  const a = await startInstance(brokers[0], topics);
  const b = await startInstance(brokers[1], topics);
  const published = new Map(topics.map((topic) => [topic, [] as string[]]));
  let publishing = true;
  const publisher = (async () => {
    for (let n = 0; publishing; n++) {
      const topic = topics[n % topics.length]!;
      const instance = Math.floor(n / topics.length) % 2 ? a : b;
      published.get(topic)!.push(await instance.channels.get(topic)!.publish({ n }));
      await sleep(2);
    }
  })();
  const deadline = Date.now() + RUN_MS;
  const stopAt = () => Date.now() > deadline;
  const done = (async () => {
    await waitUntil(stopAt, 'the end of the run', RUN_MS + 1000, 20);
    publishing = false;
    await publisher;
  })();
  const urls = [a.server.url, b.server.url];
  const results = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      const topic = topics[c % topics.length]!;
      const url = (n: number) => `${urls[(n + c) % 2]}?topic=${encodeURIComponent(topic)}`;
      const last = done.then(() => published.get(topic)!.at(-1)!);
      return { topic, ...(await churnClient(url, stopAt, last)) };
    }),
  );

  for (const { topic, ids, connections } of results) {
    const all = published.get(topic)!;
    expect(all.length).toBeGreaterThan(20);
    expect(connections).toBeGreaterThan(5);
    expect(stitchReport(all, ids)).toEqual({ missing: [], duplicates: [] });
    expect(ids).toEqual(all.slice(all.indexOf(ids[0]!)));
  }
}

describe('redisBroker churn', () => {
  it('gives clients hopping between two instances every event once, in order, on one Redis', async () => {
    const prefix = freshPrefix();
    const brokers = [0, 1].map(() => redisBroker({ url: REDIS_URL, prefix, maxLen: 100_000 }));
    await expectSeamlessChurn(brokers as [Broker, Broker], ['room:a', 'room:b']);
  }, 30_000);

  describe('on Redis Cluster', () => {
    let cluster: OwnCluster;
    beforeAll(async () => {
      cluster = await startCluster();
    }, 20_000);
    afterAll(() => cluster.stop());

    it('gives clients hopping between two instances every event once, in order, topics on two shards', async () => {
      const topics = ['room:0'];
      const firstShard = await cluster.masterOf('sse:{room:0}');
      for (let n = 1; topics.length < 2; n++) {
        if ((await cluster.masterOf(`sse:{room:${n}}`)) !== firstShard) topics.push(`room:${n}`);
      }
      const clients = await Promise.all([cluster.client(), cluster.client()]);
      const brokers = clients.map((client) => redisBroker({ client, maxLen: 100_000 }));
      await expectSeamlessChurn(brokers as [Broker, Broker], topics);
    }, 30_000);
  });
});
