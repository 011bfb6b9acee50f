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
import { createClient } from 'redis';
import { redisBackplane, type RedisConnection } from './index';
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

  it('delivers to clients that subscribed while the live subscription was being set up', async () => {
    const key = freshKey();
    // A Redis that answers the new instance's subscription late (a slow network at start-up).
    const own = createClient({ url: REDIS_URL });
    await own.connect();
    const slowTail = {
      ...bindAll(own),
      duplicate: () => withFirstSubscribeDelayed(own.duplicate(), 300),
    } as unknown as RedisConnection;
    const backplane = redisBackplane({ client: slowTail, key });
    const channel = createChannel({ backplane });
    const server = await serveNodeSse(
      { heartbeat: false },
      (stream) => void channel.subscribe(stream),
    );
    instances.push({ channel, backplane, server });
    const publisher = await startInstance(key);
    const client = await openRawSse(server.url);
    await waitUntil(() => channel.size === 1, 'the client subscribed');

    // Published after the client subscribed, before Redis has the instance's subscription.
    for (const n of [1, 2, 3]) await publisher.channel.publish(String(n));

    expect((await client.waitForEvents(3)).map((e) => e.data)).toEqual(['1', '2', '3']);
    client.close();
    await own.close();
  });
});

/** The client's methods bound to it, as a plain object to override some of them. */
function bindAll(client: object): Record<string, unknown> {
  const bound: Record<string, unknown> = {};
  const names = ['sendCommand', 'subscribe', 'unsubscribe', 'connect', 'close', 'destroy'];
  for (const name of [...names, 'on', 'once', 'off']) {
    bound[name] = (client as Record<string, (...args: unknown[]) => unknown>)[name]!.bind(client);
  }
  return Object.defineProperties(bound, {
    isOpen: { get: () => (client as { isOpen: boolean }).isOpen },
    isReady: { get: () => (client as { isReady: boolean }).isReady },
  });
}

/** A connection whose first subscription reaches Redis `ms` late. */
function withFirstSubscribeDelayed(connection: object, ms: number): RedisConnection {
  const wrapped = bindAll(connection);
  const subscribe = wrapped.subscribe as RedisConnection['subscribe'];
  let delayed = false;
  wrapped.subscribe = async (...args: Parameters<RedisConnection['subscribe']>) => {
    if (!delayed) {
      delayed = true;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    return subscribe(...args);
  };
  return wrapped as unknown as RedisConnection;
}
