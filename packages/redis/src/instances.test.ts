import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Backplane, type Channel } from '@sse/core';
import {
  openRawSse,
  recordEventSource,
  serveNodeSse,
  waitUntil,
  type NodeSseServer,
  type RecordingEventSource,
} from '@sse/test-kit';
import { redisBackplane } from './index';
import { freshKey, REDIS_URL } from './redis-test-helpers.test-helper';

/** One server instance: its own node:http server, channel and Redis connections. */
interface Instance {
  channel: Channel;
  backplane: Backplane;
  server: NodeSseServer;
}

const instances: Instance[] = [];
const sources: RecordingEventSource[] = [];

afterEach(async () => {
  for (const source of sources.splice(0)) source.close();
  for (const { channel, backplane, server } of instances.splice(0)) {
    channel.close();
    await backplane.close?.();
    await server.close();
  }
});

async function startInstance(key: string, maxLen?: number): Promise<Instance> {
  const backplane = redisBackplane({ url: REDIS_URL, key, maxLen });
  const channel = createChannel({ backplane });
  const server = await serveNodeSse(
    { heartbeat: false },
    (stream) => void channel.subscribe(stream),
  );
  const instance = { channel, backplane, server };
  instances.push(instance);
  return instance;
}

function listen(url: string): RecordingEventSource {
  const source = recordEventSource(url);
  sources.push(source);
  return source;
}

describe('channels of several server instances on one Redis stream', () => {
  it('deliver what any instance publishes to the clients of every instance, in one order', async () => {
    const key = freshKey();
    const [a, b] = [await startInstance(key), await startInstance(key)];
    const onA = listen(a.server.url);
    const onB = listen(b.server.url);
    await waitUntil(() => a.channel.size === 1 && b.channel.size === 1, 'both clients subscribed');

    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, n) => (n % 2 ? a : b).channel.publish({ n })),
    );

    const [seenOnA, seenOnB] = [await onA.waitFor(30), await onB.waitFor(30)];
    expect(seenOnA.map((e) => e.lastEventId)).toEqual(seenOnB.map((e) => e.lastEventId));
    expect(new Set(seenOnA.map((e) => e.lastEventId))).toEqual(new Set(ids));
    expect(
      seenOnA
        .map((e) => JSON.parse(e.data) as { n: number })
        .map(({ n }) => n)
        .sort((x, y) => x - y),
    ).toEqual(Array.from({ length: 30 }, (_, n) => n));
  });

  it('replays on one instance what a client missed since its last event on another', async () => {
    const key = freshKey();
    const [a, b] = [await startInstance(key), await startInstance(key)];
    const first = await a.channel.publish('seen');
    await a.channel.publish('missed 1');
    await b.channel.publish('missed 2');

    // The client was on A, and reconnects to B with the id of the last event it saw.
    const client = await openRawSse(b.server.url, { headers: { 'last-event-id': first } });
    const replayed = await client.waitForEvents(2);
    client.close();

    expect(replayed.map((e) => e.data)).toEqual(['missed 1', 'missed 2']);
  });

  it('sends the gap event to a client whose last event was trimmed from the stream', async () => {
    const key = freshKey();
    const a = await startInstance(key, 2);
    const first = await a.channel.publish('1');
    for (const data of ['2', '3', '4']) await a.channel.publish(data);

    const client = await openRawSse(a.server.url, { headers: { 'last-event-id': first } });
    const events = await client.waitForEvents(3);
    client.close();

    expect(events[0]!.event).toBe('sse-gap');
    expect(JSON.parse(events[0]!.data)).toEqual({
      lastEventId: first,
      oldestId: expect.stringMatching(/^\d+-\d+$/) as string,
    });
    expect(events.slice(1).map((e) => e.data)).toEqual(['3', '4']);
  });
});
