import { sleep, useMemoryStreams } from '@sse/test-kit/unit';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBackplane, type Backplane } from './backplane';
import { createChannel, type Channel, type ChannelOptions } from './channel';
import { compareEventIds } from './event-id';
import { runSseHandler } from './adapter/run-handler';
import type { SseSubscribable } from './adapter/channels';
import type { SseStream } from './stream';
import { subscribeAll } from './subscribe-all';

const created: Channel[] = [];
afterEach(() => {
  for (const channel of created.splice(0)) channel.close();
});
const open = useMemoryStreams();

/** A client of `channels` the way every adapter serves `sse({ channel: [...] })`. */
function serveList(channels: readonly SseSubscribable[], lastEventId?: string) {
  const memory = open({ heartbeat: false, lastEventId });
  runSseHandler(memory.stream, channels, undefined, []);
  return memory;
}

function channels(count: number, options: ChannelOptions = {}): Channel[] {
  const list = Array.from({ length: count }, () => createChannel(options));
  created.push(...list);
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
    const first = serveList([news!, alerts!]).client;
    expect([news!.size, alerts!.size]).toEqual([1, 1]);
    const seen = await publishAlternately([news!, alerts!], 1, 6);
    expect(pairs(await first.waitForEvents(6))).toEqual(seen);
    first.close();
    expect([news!.size, alerts!.size]).toEqual([0, 0]);

    const missed = await publishAlternately([news!, alerts!], 7, 9);
    const second = serveList([news!, alerts!], seen.at(-1)!.id).client;
    await second.waitForEvents(9);
    const live = await publishAlternately([news!, alerts!], 16, 2);
    const events = await second.waitForEvents(11);
    expect(pairs(events)).toEqual([...missed, ...live]);
    expect(events.some((event) => event.event === 'sse-gap')).toBe(false);
  });

  it('gives a reconnecting client every event of both channels exactly once', async () => {
    const list = channels(2);
    const first = serveList(list);
    const published = await publishAlternately(list, 1, 5);
    await first.client.waitForEvents(5);

    first.stream.close();
    await first.client.ended;
    // Published while the client is away; it comes back with the last id it saw.
    published.push(...(await publishAlternately(list, 6, 5)));
    const second = serveList(list, first.client.events.at(-1)!.id);
    expect(second.stream.lastEventId).toBe(published[4]!.id);
    await second.client.waitForEvents(5);
    published.push(...(await publishAlternately(list, 11, 3)));
    await second.client.waitForEvents(8);
    expect(pairs([...first.client.events, ...second.client.events])).toEqual(published);
  });

  it('sends one gap event, with the oldest id any channel retains, then the merged history', async () => {
    const short = createChannel({ history: 2 });
    const long = createChannel({ history: 100 });
    created.push(short, long);
    const published = await publishAlternately([short, long], 0, 10);
    const lastSeen = published[1]!.id;
    const { client } = serveList([short, long], lastSeen);
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
    created.push(a, b);
    const before = await publishAlternately([a, b], 0, 4);
    const { client } = serveList([a, b], before[0]!.id);
    expect([a.size, b.size]).toEqual([1, 1]);
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
    await publishAlternately(list, 0, 3);
    const { client } = serveList(list);
    expect(list.map((channel) => channel.size)).toEqual([1, 1, 1]);
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
    const { stream, client } = open({ heartbeat: false });
    const unsubscribe = subscribeAll(stream, [a!, other, b!, a!], { lastEventId });
    expect([a!.size, b!.size, others.length]).toEqual([1, 1, 1]);
    const live = await publishAlternately([a!, b!], 0, 2);
    expect(pairs(await client.waitForEvents(2))).toEqual(live);
    unsubscribe();
    expect([a!.size, b!.size, others.length]).toEqual([0, 0, 0]);
  });

  it('leaves no subscription behind when a channel of the list is closed', async () => {
    const [opened, closed] = channels(2);
    const lastEventId = await opened!.publish('before');
    closed!.close();
    const { stream } = open({ heartbeat: false });
    expect(() => subscribeAll(stream, [opened!, closed!], { lastEventId })).toThrow(
      expect.objectContaining({ code: 'ERR_SSE_CHANNEL_CLOSED' }) as Error,
    );
    expect(opened!.size).toBe(0);
    expect(stream.closed).toBe(false);
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
