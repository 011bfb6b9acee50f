import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '@sse/core';
import { openRawSse, serveNodeSse, sleep, waitUntil, type NodeSseServer } from '@sse/test-kit';
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
async function instance(
  prefix: string,
  login?: { username: string; password: string },
): Promise<Hub<Tokens>> {
  const broker = redisBroker({
    client: await cluster.client(undefined, login),
    prefix,
    onError: () => {},
  });
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

  it("stops a run whose producer's shard subscriber was reconnecting when the cancel was sent", async () => {
    // Users that log in, so that the producer's subscriber can be kept out for a while (as in
    // runs-cancel.test.ts); any password is accepted for the default user until then.
    const prefix = freshPrefix();
    const admin = { username: 'default', password: 'admin' };
    const producer = { username: 'producer', password: 'secret' };
    await cluster.onEveryMaster([
      'ACL',
      'SETUSER',
      'producer',
      'on',
      '>secret',
      '~*',
      '&*',
      '+@all',
    ]);
    const [a, b] = [await instance(prefix, producer), await instance(prefix, admin)];
    await cluster.onEveryMaster(['ACL', 'SETUSER', 'default', 'resetpass', '>admin']);
    try {
      // A lease long enough that its renewal cannot be what delivers the cancel here.
      const run = a.run('answer:lost', { lease: 60_000 });
      const producing = (async () => {
        for (let n = 0; !run.signal.aborted; n++) {
          await run.publish(`t${n} `);
          await sleep(20);
        }
        await run.end({ reason: 'stopped' });
      })();
      const server = await serveNodeSse({ heartbeat: false }, (stream) => {
        b.topics('answer:lost').subscribe(stream);
      });
      servers.push(server);
      const reader = await openRawSse(server.url);
      await reader.waitForEvents(3);
      const port = await cluster.masterOf(`${prefix}{answer:lost}`);
      const channel = `${prefix}{answer:lost}:cancel`;
      const listening = async () =>
        Number(
          ((await cluster.onMaster(port, ['PUBSUB', 'SHARDNUMSUB', channel])) as unknown[])[1],
        );
      await waitUntil(async () => (await listening()) === 1, 'the producer listens');

      await cluster.onMaster(port, ['ACL', 'SETUSER', 'producer', 'off']);
      await cluster.onMaster(port, ['CLIENT', 'KILL', 'USER', 'producer', 'TYPE', 'pubsub']);
      await b.cancel('answer:lost');
      expect(await listening()).toBe(0);
      await sleep(300);
      expect(run.signal.aborted).toBe(false);

      await cluster.onMaster(port, ['ACL', 'SETUSER', 'producer', 'on']);
      const backAt = Date.now();
      await waitUntil(() => run.signal.aborted, 'the producer heard the cancel', 5_000);
      console.info(
        `Cluster: cancel missed by pub/sub heard ${Date.now() - backAt} ms after the producer was let back`,
      );
      await producing;
      await reader.ended;
      expect(reader.events.at(-1)).toMatchObject({
        event: 'sse-end',
        data: '{"reason":"stopped"}',
      });
    } finally {
      await cluster.onEveryMaster(['ACL', 'SETUSER', 'default', 'nopass']);
    }
  }, 20_000);
});
