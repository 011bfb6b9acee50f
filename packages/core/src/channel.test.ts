import { sleep, useMemoryStreams, type MemoryStreamOptions } from '@sse/test-kit/unit';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBackplane, type Backplane } from './backplane';
import { createChannel, type Channel, type ChannelSubscribeOptions } from './channel';
import { SseError, SseFormatError } from './errors';
import { compareEventIds } from './event-id';
import type { SseCloseReason } from './stream';

/**
 * A subscriber's wire text: the first flush, its cursor (an `id:` line without data, which
 * sets the client's last event id without an event), then `rest`.
 */
function opened(rest: string | RegExp): RegExp {
  const tail = typeof rest === 'string' ? rest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : rest.source;
  return new RegExp(`^: \n\nid: \\d+-\\d+\n\n${tail}$`);
}

const channels: Channel[] = [];
afterEach(() => {
  for (const channel of channels.splice(0)) channel.close();
});
const open = useMemoryStreams();

function track(channel: Channel): Channel {
  channels.push(channel);
  return channel;
}

/** Opens a stream subscribed to `target` (with `options`); its close reasons go to `reasons`. */
function subscriber(
  target: Channel,
  options: ChannelSubscribeOptions<Record<string, unknown>> = {},
  reasons: SseCloseReason[] = [],
  streamOptions: MemoryStreamOptions = {},
) {
  const memory = open({ heartbeat: false, ...streamOptions });
  memory.stream.onClose((reason) => reasons.push(reason));
  const unsubscribe = target.subscribe(memory.stream, options);
  return { ...memory, unsubscribe };
}

describe('Channel.publish', () => {
  it('serializes once whatever the number of subscribers and writes the same bytes to each', async () => {
    let serialized = 0;
    const counting = track(
      createChannel({
        serialize: (value) => {
          serialized++;
          return JSON.stringify(value);
        },
      }),
    );
    const subscribers = Array.from({ length: 50 }, () => subscriber(counting).client);
    expect(counting.size).toBe(50);

    const id = await counting.publish({ text: 'hello\nworld', n: 1 }, { event: 'greeting' });
    await Promise.all(subscribers.map((client) => client.waitForEvents(1)));
    expect(serialized).toBe(1);
    const frame = `id: ${id}\nevent: greeting\ndata: {"text":"hello\\nworld","n":1}\n\n`;
    for (const client of subscribers) expect(client.text()).toMatch(opened(frame));
  });

  it('resolves with monotonically assigned ids, or the id given', async () => {
    const target = track(createChannel());
    const a = await target.publish('a');
    const b = await target.publish('b');
    expect(await target.publish('c', { id: 'custom-7' })).toBe('custom-7');
    const d = await target.publish('d');
    expect(compareEventIds(a, b)).toBeLessThan(0);
    expect(compareEventIds(b, d)).toBeLessThan(0);
  });

  it('rejects a bad event name or id with SseFormatError and delivers nothing', async () => {
    const target = track(createChannel());
    const { client } = subscriber(target);
    await expect(target.publish('x', { event: 'a\nb' })).rejects.toMatchObject({
      field: 'event',
      code: 'ERR_SSE_FORMAT',
    });
    await expect(target.publish('x', { id: 'a\u0000' })).rejects.toBeInstanceOf(SseFormatError);
    await expect(target.publish(Symbol('x'))).rejects.toMatchObject({ field: 'data' });
    const id = await target.publish('fine');
    const [event] = await client.waitForEvents(1);
    expect(event).toEqual({ id, event: undefined, data: 'fine' });
    expect(client.text()).toMatch(opened(`id: ${id}\ndata: fine\n\n`));
    expect(target.stats().published).toBe(1);
  });

  it('rejects publish and subscribe on a closed channel with ERR_SSE_CHANNEL_CLOSED', async () => {
    const target = createChannel();
    const { stream } = open({ heartbeat: false });
    target.close();
    expect(target.closed).toBe(true);
    await expect(target.publish('late')).rejects.toMatchObject({ code: 'ERR_SSE_CHANNEL_CLOSED' });
    expect(() => target.subscribe(stream)).toThrow(SseError);
  });
});

describe('Channel.subscribe', () => {
  it('delivers only the events the filter accepts, decoded for the filter', async () => {
    const target = track(createChannel());
    const seen: unknown[] = [];
    const even = subscriber(target, {
      filter: (event) => {
        seen.push(event);
        return event.event === 'n' && (event.data as { n: number }).n % 2 === 0;
      },
    }).client;
    const all = subscriber(target).client;
    const ids: string[] = [];
    for (let n = 1; n <= 6; n++) ids.push(await target.publish({ n }, { event: 'n' }));
    ids.push(await target.publish('plain text'));
    await all.waitForEvents(7);
    await target.publish({ n: 8 }, { event: 'n' });
    const evens = await even.waitForEvents(4);
    expect(evens.map((e) => JSON.parse(e.data) as unknown)).toEqual([
      { n: 2 },
      { n: 4 },
      { n: 6 },
      { n: 8 },
    ]);
    expect(seen[0]).toEqual({ id: ids[0], event: 'n', data: { n: 1 } });
    expect(seen[6]).toEqual({ id: ids[6], event: 'message', data: 'plain text' });
  });

  it('applies the filter to replayed history too', async () => {
    const target = track(createChannel());
    const ids: string[] = [];
    for (let n = 1; n <= 6; n++) ids.push(await target.publish({ n }));
    const { client } = subscriber(
      target,
      { filter: (event) => (event.data as { n: number }).n > 4 },
      [],
      { lastEventId: ids[1] },
    );
    expect((await client.waitForEvents(2)).map((e) => e.id)).toEqual(ids.slice(4));
  });

  it('stops delivering after the returned unsubscribe', async () => {
    const target = track(createChannel());
    const { stream, client, unsubscribe } = subscriber(target);
    await target.publish('one');
    await client.waitForEvents(1);
    unsubscribe();
    expect(target.size).toBe(0);
    await target.publish('two');
    stream.close();
    await client.ended;
    expect(client.events.map((e) => e.data)).toEqual(['one']);
  });

  it('misses nothing and repeats nothing between history and live with a slow backplane', async () => {
    const memory = memoryBackplane();
    // Reads take a while, and events published meanwhile are both in the read and live.
    const slow: Backplane = {
      append: (input) => memory.append(input),
      listen: (listener) => memory.listen(listener),
      readAfter: async (id) => {
        await sleep(50);
        return memory.readAfter(id);
      },
    };
    const target = track(createChannel({ backplane: slow }));
    const ids: string[] = [];
    for (let n = 1; n <= 3; n++) ids.push(await target.publish(`e${n}`));
    const { client } = subscriber(target, {}, [], { lastEventId: ids[0] });
    ids.push(await target.publish('e4')); // while the history read is pending
    ids.push(await target.publish('e5'));
    await client.waitForEvents(4);
    ids.push(await target.publish('e6'));
    const events = await client.waitForEvents(5);
    expect(events.map((e) => e.id)).toEqual(ids.slice(1));
    expect(events.map((e) => e.data)).toEqual(['e2', 'e3', 'e4', 'e5', 'e6']);
  });
});

describe('Channel.close', () => {
  it('sends each subscriber a jittered retry, ends every response, and reports "server"', async () => {
    const target = createChannel();
    const reasons: SseCloseReason[] = [];
    const subscribers = Array.from({ length: 30 }, () => subscriber(target, {}, reasons).client);
    target.close({ retry: 2000 });
    await Promise.all(subscribers.map((client) => client.ended));

    const retries = subscribers.map((client) => client.retries);
    for (const [retry] of retries) {
      expect(retry).toBeGreaterThanOrEqual(1000);
      expect(retry).toBeLessThanOrEqual(3000);
    }
    expect(retries.every((r) => r.length === 1)).toBe(true);
    expect(new Set(retries.map(([r]) => r)).size).toBeGreaterThan(1);
    for (const client of subscribers) {
      expect(client.finished).toBe('end');
      expect(client.text()).toMatch(opened(/retry: \d+\n\n/));
    }
    expect(reasons).toEqual(Array.from({ length: 30 }, () => 'server'));
    expect(target.size).toBe(0);
    expect(target.closed).toBe(true);
  });

  it('uses a one second base by default', async () => {
    const target = createChannel();
    const subscribers = Array.from({ length: 5 }, () => subscriber(target).client);
    target.close();
    await Promise.all(subscribers.map((client) => client.ended));
    for (const client of subscribers) {
      expect(client.retries[0]).toBeGreaterThanOrEqual(500);
      expect(client.retries[0]).toBeLessThanOrEqual(1500);
    }
  });
});

describe('Channel.stats', () => {
  it('counts subscribers, published, delivered and closed as slow', async () => {
    const target = track(createChannel({ history: 2 }));
    expect(target.stats()).toEqual({ subscribers: 0, published: 0, delivered: 0, closedSlow: 0 });
    const all = subscriber(target, {}, [], { retain: false }).client;
    // `odd` takes the first, third, fifth... event published.
    let offered = 0;
    const odd = subscriber(target, { filter: () => offered++ % 2 === 0 }, [], { retain: false });
    // A client that never reads, with a small budget.
    subscriber(target, {}, [], { paused: true, maxBufferedBytes: 64 * 1024 });
    expect(target.stats().subscribers).toBe(3);

    for (let n = 1; n <= 4; n++) await target.publish(`small ${n}`);
    await all.waitForCount(4);
    await odd.client.waitForCount(2);
    expect(target.stats()).toEqual({
      subscribers: 3,
      published: 4,
      delivered: 4 + 2 + 4,
      closedSlow: 0,
    });

    // Big events until the stalled client falls too far behind.
    const big = 'b'.repeat(32 * 1024);
    let published = 4;
    while (target.stats().closedSlow === 0 && published < 2000) {
      await target.publish(big);
      published++;
      if (published % 8 === 0)
        await Promise.all([
          all.waitForCount(published),
          odd.client.waitForCount(Math.ceil(published / 2)),
        ]);
    }
    expect(target.stats()).toMatchObject({ subscribers: 2, published, closedSlow: 1 });
    all.close();
    expect(target.stats().subscribers).toBe(1);
    expect(target.stats().closedSlow).toBe(1);
  });
});
