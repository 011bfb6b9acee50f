import { afterEach, expect, it } from 'vitest';
import { createChannel, type Backplane, type Channel } from '@sse/core';
import {
  churnClient,
  serveNodeSse,
  sleep,
  stitchReport,
  waitUntil,
  type NodeSseServer,
} from '@sse/test-kit';
import { redisBackplane } from './index';
import { freshKey, REDIS_URL } from './redis-test-helpers.test-helper';

const CLIENTS = 20;
const RUN_MS = 3500;

const instances: { channel: Channel; backplane: Backplane; server: NodeSseServer }[] = [];
afterEach(async () => {
  for (const { channel, backplane, server } of instances.splice(0)) {
    channel.close();
    await backplane.close?.();
    await server.close();
  }
});

it('gives clients that hop between two instances every event once, in order', async () => {
  const key = freshKey();
  for (let i = 0; i < 2; i++) {
    const backplane = redisBackplane({ url: REDIS_URL, key, maxLen: 100_000 });
    const channel = createChannel({ backplane });
    const server = await serveNodeSse({ heartbeat: false }, (stream) => {
      channel.subscribe(stream);
    });
    instances.push({ channel, backplane, server });
  }
  const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
  const published: string[] = [];
  let publishing = true;
  // Both instances publish, in turn: the stream holds one order for all.
  const publisher = (async () => {
    while (publishing) {
      const instance = published.length % 2 ? a : b;
      published.push(await instance.channel.publish({ n: published.length }));
      await sleep(2);
    }
  })();
  const deadline = Date.now() + RUN_MS;
  const stopAt = () => Date.now() > deadline;
  const publishingDone = (async () => {
    await waitUntil(stopAt, 'the end of the run', RUN_MS + 1000, 20);
    publishing = false;
    await publisher;
    return published.at(-1)!;
  })();
  // Each reconnect goes to the other instance, with the id last seen on the previous one.
  const urls = [a.server.url, b.server.url];
  const sequences = await Promise.all(
    Array.from({ length: CLIENTS }, (_, c) =>
      churnClient((n) => urls[(n + c) % 2]!, stopAt, publishingDone),
    ),
  );

  expect(published.length).toBeGreaterThan(40);
  for (const { ids, connections } of sequences) {
    expect(connections).toBeGreaterThan(5);
    expect(stitchReport(published, ids)).toEqual({ missing: [], duplicates: [] });
    expect(ids).toEqual(published.slice(published.indexOf(ids[0]!)));
  }
}, 40_000);
