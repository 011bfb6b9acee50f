import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '@sse/core';
import { openRawSse, serveNodeSse, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { startCluster, type OwnCluster } from './cluster.test-helper';
import { redisBroker } from './index';
import { freshPrefix } from './redis-test-helpers.test-helper';

type Tokens = { message: string };
let cluster: OwnCluster;
const servers: NodeSseServer[] = [];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  cluster = await startCluster();
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const close of closers.splice(0)) await close();
  await cluster?.stop();
});

/** An instance on the Cluster: a hub on a redisBroker of its own Cluster client. */
async function instance(prefix: string): Promise<Hub<Tokens>> {
  const broker = redisBroker({ client: await cluster.client(), prefix });
  const hub = createHub<Tokens>({ broker });
  closers.push(async () => {
    hub.close();
    await broker.close();
  });
  return hub;
}

describe('runs on redisBroker over Redis Cluster', () => {
  it('reads, ends, answers 204, reports and cancels runs on several shards from another instance', async () => {
    const prefix = freshPrefix();
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const names = ['answer:alpha', 'answer:beta', 'answer:gamma', 'answer:delta'];
    const shards = await Promise.all(names.map((name) => cluster.masterOf(`${prefix}{${name}}`)));
    expect(new Set(shards).size).toBeGreaterThan(1);

    for (const name of names) {
      const run = a.run(name);
      for (let i = 0; i < 50; i++) await run.publish(`${name}:${i}`);
      const endId = await run.end();
      expect(await b.runStatus(name)).toBe('ended');
      const server = await serveNodeSse({ heartbeat: false }, (stream) => {
        b.topics(name).subscribe(stream);
      });
      servers.push(server);
      const reader = await openRawSse(server.url);
      await reader.ended;
      expect(reader.events).toHaveLength(51);
      expect(reader.events[0]!.data).toBe(`${name}:0`);
      expect(reader.events.at(-1)).toMatchObject({ id: endId, event: 'sse-end' });
      await expect(
        Promise.resolve(b.topics(name).beforeOpen?.({ lastEventId: endId })),
      ).rejects.toMatchObject({ status: 204 });
    }

    const running = a.run('answer:stop');
    await running.publish('thinking');
    await waitUntil(async () => {
      await b.cancel('answer:stop');
      return running.signal.aborted;
    }, 'the cancel to reach the producer (sharded pub/sub)');
    await running.fail('stopped');
    expect(await b.runStatus('answer:stop')).toBe('failed');
  });
});
