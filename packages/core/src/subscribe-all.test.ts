import {
  openRawSse,
  recordEventSource,
  serveNodeSse,
  sleep,
  waitUntil,
  type NodeSseServer,
} from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBackplane, type Backplane } from './backplane';
import { createChannel, type Channel, type ChannelOptions } from './channel';
import { compareEventIds } from './event-id';
import { runSseHandler } from './adapter/run-handler';
import type { SseSubscribable } from './adapter/channels';
import type { SseStream } from './stream';
import { subscribeAll } from './subscribe-all';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Serves `channels` the way every adapter does with `sse({ channel: [...] })`. */
async function serveList(
  channels: readonly SseSubscribable[],
  streamOptions: { retry?: number } = {},
): Promise<NodeSseServer> {
  const server = await serveNodeSse({ heartbeat: false, ...streamOptions }, (stream) => {
    runSseHandler(stream, channels, undefined, []);
  });
  cleanups.push(() => server.close());
  return server;
}

function channels(count: number, options: ChannelOptions = {}): Channel[] {
  const list = Array.from({ length: count }, () => createChannel(options));
  cleanups.push(() => list.forEach((channel) => channel.close()));
  return list;
}

/** Publishes `count` events alternately to each channel; resolves with `{ id, data }` of each. */
async function publishAlternately(list: readonly Channel[], from: number, count: number) {
  const published: { id: string; data: string }[] = [];
  for (let n = from; n < from + count; n++) {
    const data = `event ${n}`;
    published.push({ id: await list[n % list.length]!.publish(data), data });
  }
  return published;
}

const pairs = (events: readonly { id?: string | undefined; data: string }[]) =>
  events.map(({ id, data }) => ({ id, data }));

describe('subscribeAll (a stream on a list of channels)', () => {
  it('replays the events missed on every channel after one Last-Event-ID, merged in id order', async () => {
    const [news, alerts] = channels(2);
    const server = await serveList([news!, alerts!]);
    const first = await openRawSse(server.url);
    cleanups.push(() => first.close());
    await waitUntil(() => news!.size === 1 && alerts!.size === 1, 'both subscriptions');
    const seen = await publishAlternately([news!, alerts!], 1, 6);
    expect(pairs(await first.waitForEvents(6))).toEqual(seen);
    first.close();
    await waitUntil(() => news!.size === 0 && alerts!.size === 0, 'the client to leave');

    const missed = await publishAlternately([news!, alerts!], 7, 9);
    const second = await openRawSse(server.url, {
      headers: { 'last-event-id': seen.at(-1)!.id },
    });
    cleanups.push(() => second.close());
    await second.waitForEvents(9);
    const live = await publishAlternately([news!, alerts!], 16, 2);
    const events = await second.waitForEvents(11);
    expect(pairs(events)).toEqual([...missed, ...live]);
    expect(events.some((event) => event.event === 'sse-gap')).toBe(false);
  });

  it('gives a reconnecting EventSource every event of both channels exactly once', async () => {
    const list = channels(2);
    const server = await serveList(list, { retry: 20 });
    const source = recordEventSource(server.url);
    cleanups.push(() => source.close());
    await source.opened;
    await waitUntil(() => list.every((channel) => channel.size === 1), 'both subscriptions');
    const published = await publishAlternately(list, 1, 5);
    await source.waitFor(5);

    (await server.streamAt(0)).close();
    // Published while the client waits `retry` ms before reconnecting.
    published.push(...(await publishAlternately(list, 6, 5)));
    const second = await server.streamAt(1);
    expect(second.lastEventId).toBe(published[4]!.id);
    await source.waitFor(10);
    published.push(...(await publishAlternately(list, 11, 3)));
    const received = await source.waitFor(13);
    expect(received.map(({ lastEventId: id, data }) => ({ id, data }))).toEqual(published);
  });

  it('sends one gap event, with the oldest id any channel retains, then the merged history', async () => {
    const short = createChannel({ history: 2 });
    const long = createChannel({ history: 100 });
    cleanups.push(
      () => short.close(),
      () => long.close(),
    );
    const server = await serveList([short, long]);
    const published = await publishAlternately([short, long], 0, 10);
    const lastSeen = published[1]!.id;
    const client = await openRawSse(server.url, { headers: { 'last-event-id': lastSeen } });
    cleanups.push(() => client.close());
    // `short` lost events after lastSeen; `long` kept all of them.
    const kept = published.filter(
      (event, i) => compareEventIds(event.id, lastSeen)! > 0 && (i % 2 === 1 || i >= 6),
    );
    const [gap, ...rest] = await client.waitForEvents(1 + kept.length);
    expect(gap!.event).toBe('sse-gap');
    expect(JSON.parse(gap!.data)).toEqual({ lastEventId: lastSeen, oldestId: published[1]!.id });
    expect(pairs(rest)).toEqual(kept);
    await long.publish('live');
    await client.waitForEvents(2 + kept.length);
    expect(client.events.filter((event) => event.event === 'sse-gap')).toHaveLength(1);
  });

  it('merges live events published while the histories are read, without duplicates', async () => {
    // Reads that take a while, each its own time: live events arrive in between.
    const delayed = (ms: number): Backplane => {
      const memory = memoryBackplane();
      return {
        append: (input) => memory.append(input),
        listen: (listener) => memory.listen(listener),
        readAfter: async (id) => {
          const result = await memory.readAfter(id);
          await sleep(ms);
          return result;
        },
      };
    };
    const a = createChannel({ backplane: delayed(40) });
    const b = createChannel({ backplane: delayed(80) });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const before = await publishAlternately([a, b], 0, 4);
    const server = await serveList([a, b]);
    const client = await openRawSse(server.url, { headers: { 'last-event-id': before[0]!.id } });
    cleanups.push(() => client.close());
    await waitUntil(() => a.size === 1 && b.size === 1, 'both subscriptions');
    // While both reads are pending: these are in neither history, only in the held-back queues.
    const during = await publishAlternately([a, b], 4, 4);
    const expected = [...before.slice(1), ...during];
    await client.waitForEvents(expected.length);
    const after = await publishAlternately([a, b], 8, 2);
    const events = await client.waitForEvents(expected.length + 2);
    expect(pairs(events)).toEqual([...expected, ...after]);
  });

  it('sends only live events, in publish order, to a stream without a last id', async () => {
    const list = channels(3);
    const server = await serveList(list);
    await publishAlternately(list, 0, 3);
    const client = await openRawSse(server.url);
    cleanups.push(() => client.close());
    await waitUntil(() => list.every((channel) => channel.size === 1), 'three subscriptions');
    const live = await publishAlternately(list, 3, 6);
    expect(pairs(await client.waitForEvents(6))).toEqual(live);
  });

  it('subscribes other subscribables on their own and unsubscribes from all', async () => {
    const [a, b] = channels(2);
    const others: SseStream<object>[] = [];
    const other: SseSubscribable = {
      subscribe: (stream) => {
        others.push(stream);
        return () => others.splice(others.indexOf(stream), 1);
      },
    };
    const lastEventId = await a!.publish('before');
    let unsubscribe: () => void = () => {};
    const server = await serveNodeSse({ heartbeat: false }, (stream) => {
      unsubscribe = subscribeAll(stream, [a!, other, b!, a!], { lastEventId });
    });
    cleanups.push(() => server.close());
    const client = await openRawSse(server.url);
    cleanups.push(() => client.close());
    await waitUntil(() => a!.size === 1 && b!.size === 1, 'one subscription to each');
    expect(others).toHaveLength(1);
    const live = await publishAlternately([a!, b!], 0, 2);
    expect(pairs(await client.waitForEvents(2))).toEqual(live);
    unsubscribe();
    expect([a!.size, b!.size, others.length]).toEqual([0, 0, 0]);
  });

  it('leaves no subscription behind when a channel of the list is closed', async () => {
    const [open, closed] = channels(2);
    const lastEventId = await open!.publish('before');
    closed!.close();
    const errors: unknown[] = [];
    const server = await serveNodeSse({ heartbeat: false }, (stream) => {
      try {
        subscribeAll(stream, [open!, closed!], { lastEventId });
      } catch (error) {
        errors.push(error);
      }
    });
    cleanups.push(() => server.close());
    const client = await openRawSse(server.url);
    cleanups.push(() => client.close());
    await waitUntil(() => errors.length === 1, 'the subscription to fail');
    expect(errors[0]).toMatchObject({ code: 'ERR_SSE_CHANNEL_CLOSED' });
    expect(open!.size).toBe(0);
    expect((await server.streamAt(0)).closed).toBe(false);
  });
});

describe('createChannel ids', () => {
  it('increase strictly across every channel of the process', async () => {
    const list = channels(2);
    const published = await publishAlternately(list, 0, 200);
    for (let i = 1; i < published.length; i++) {
      expect(compareEventIds(published[i - 1]!.id, published[i]!.id)).toBeLessThan(0);
    }
  });
});
