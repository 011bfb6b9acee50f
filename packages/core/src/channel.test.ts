import {
  openLeanSse,
  openRawSse,
  openStalledSocket,
  serveNodeSse,
  sleep,
  waitUntil,
  type NodeSseServer,
  type RawSseResponse,
} from '@sse/test-kit';
import type { Socket } from 'node:net';
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

let server: NodeSseServer | undefined;
let channel: Channel | undefined;
const clients: { close(): void }[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  channel?.close();
  await server?.close();
  server = channel = undefined;
});

/** Serves `target` at `/`: every request is one subscriber (with `options` for it). */
async function serveChannel(
  target: Channel,
  options: (url: string) => ChannelSubscribeOptions<Record<string, unknown>> = () => ({}),
  reasons: SseCloseReason[] = [],
): Promise<NodeSseServer> {
  channel = target;
  server = await serveNodeSse({ heartbeat: false }, (stream, req) => {
    target.subscribe(stream, options(req.url ?? '/'));
    stream.onClose((reason) => reasons.push(reason));
  });
  return server;
}

async function connect(url: string, count: number): Promise<RawSseResponse[]> {
  const opened = await Promise.all(Array.from({ length: count }, () => openRawSse(url)));
  clients.push(...opened);
  return opened;
}

describe('Channel.publish', () => {
  it('serializes once whatever the number of subscribers and writes the same bytes to each', async () => {
    let serialized = 0;
    const counting = createChannel({
      serialize: (value) => {
        serialized++;
        return JSON.stringify(value);
      },
    });
    const { url } = await serveChannel(counting);
    const subscribers = await connect(url, 50);
    await waitUntil(() => counting.size === 50, 'fifty subscribers');

    const id = await counting.publish({ text: 'hello\nworld', n: 1 }, { event: 'greeting' });
    await Promise.all(subscribers.map((client) => client.waitForEvents(1)));
    expect(serialized).toBe(1);
    const frame = `id: ${id}\nevent: greeting\ndata: {"text":"hello\\nworld","n":1}\n\n`;
    for (const client of subscribers) expect(client.text()).toMatch(opened(frame));
  });

  it('resolves with monotonically assigned ids, or the id given', async () => {
    const target = createChannel();
    const a = await target.publish('a');
    const b = await target.publish('b');
    expect(await target.publish('c', { id: 'custom-7' })).toBe('custom-7');
    const d = await target.publish('d');
    expect(compareEventIds(a, b)).toBeLessThan(0);
    expect(compareEventIds(b, d)).toBeLessThan(0);
  });

  it('rejects a bad event name or id with SseFormatError and delivers nothing', async () => {
    const target = createChannel();
    const { url } = await serveChannel(target);
    const [client] = await connect(url, 1);
    await waitUntil(() => target.size === 1, 'the subscription');
    await expect(target.publish('x', { event: 'a\nb' })).rejects.toMatchObject({
      field: 'event',
      code: 'ERR_SSE_FORMAT',
    });
    await expect(target.publish('x', { id: 'a\u0000' })).rejects.toBeInstanceOf(SseFormatError);
    await expect(target.publish(Symbol('x'))).rejects.toMatchObject({ field: 'data' });
    const id = await target.publish('fine');
    const [event] = await client!.waitForEvents(1);
    expect(event).toEqual({ id, event: undefined, data: 'fine' });
    expect(client!.text()).toMatch(opened(`id: ${id}\ndata: fine\n\n`));
    expect(target.stats().published).toBe(1);
  });

  it('rejects publish and subscribe on a closed channel with ERR_SSE_CHANNEL_CLOSED', async () => {
    const target = createChannel();
    const { url } = await serveChannel(createChannel());
    const [client] = await connect(url, 1);
    target.close();
    expect(target.closed).toBe(true);
    await expect(target.publish('late')).rejects.toMatchObject({ code: 'ERR_SSE_CHANNEL_CLOSED' });
    const stream = await server!.streamAt(0);
    expect(() => target.subscribe(stream)).toThrow(SseError);
    client!.close();
  });
});

describe('Channel.subscribe', () => {
  it('delivers only the events the filter accepts, decoded for the filter', async () => {
    const target = createChannel();
    const seen: unknown[] = [];
    const { url } = await serveChannel(target, (path) =>
      path === '/even'
        ? {
            filter: (event) => {
              seen.push(event);
              return event.event === 'n' && (event.data as { n: number }).n % 2 === 0;
            },
          }
        : {},
    );
    const even = await openRawSse(`${url}/even`);
    const all = await openRawSse(url);
    clients.push(even, all);
    await waitUntil(() => target.size === 2, 'two subscribers');
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
    const target = createChannel();
    const ids: string[] = [];
    for (let n = 1; n <= 6; n++) ids.push(await target.publish({ n }));
    const { url } = await serveChannel(target, () => ({
      filter: (event) => (event.data as { n: number }).n > 4,
    }));
    const client = await openRawSse(url, { headers: { 'last-event-id': ids[1]! } });
    clients.push(client);
    expect((await client.waitForEvents(2)).map((e) => e.id)).toEqual(ids.slice(4));
  });

  it('stops delivering after the returned unsubscribe', async () => {
    const target = createChannel();
    let unsubscribe: () => void = () => {};
    channel = target;
    server = await serveNodeSse({ heartbeat: false }, (stream) => {
      unsubscribe = target.subscribe(stream);
    });
    const [client] = await connect(server.url, 1);
    await waitUntil(() => target.size === 1, 'the subscription');
    await target.publish('one');
    await client!.waitForEvents(1);
    unsubscribe();
    expect(target.size).toBe(0);
    await target.publish('two');
    (await server.streamAt(0)).close();
    await client!.ended;
    expect(client!.events.map((e) => e.data)).toEqual(['one']);
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
    const target = createChannel({ backplane: slow });
    const ids: string[] = [];
    for (let n = 1; n <= 3; n++) ids.push(await target.publish(`e${n}`));
    const { url } = await serveChannel(target);
    const client = await openRawSse(url, { headers: { 'last-event-id': ids[0]! } });
    clients.push(client);
    await waitUntil(() => target.size === 1, 'the subscription');
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
    const { url } = await serveChannel(target, () => ({}), reasons);
    const subscribers = await connect(url, 30);
    await waitUntil(() => target.size === 30, 'thirty subscribers');
    target.close({ retry: 2000 });
    await Promise.all(subscribers.map((client) => client.ended));

    const retries = subscribers.map((client) => client.retries);
    for (const [retry] of retries) {
      expect(retry).toBeGreaterThanOrEqual(1000);
      expect(retry).toBeLessThanOrEqual(3000);
    }
    expect(retries.every((r) => r.length === 1)).toBe(true);
    expect(new Set(retries.map(([r]) => r)).size).toBeGreaterThan(1);
    for (const client of subscribers) expect(client.text()).toMatch(opened(/retry: \d+\n\n/));
    expect(reasons).toEqual(Array.from({ length: 30 }, () => 'server'));
    expect(target.size).toBe(0);
    expect(target.closed).toBe(true);
  });

  it('uses a one second base by default', async () => {
    const target = createChannel();
    const { url } = await serveChannel(target);
    const subscribers = await connect(url, 5);
    await waitUntil(() => target.size === 5, 'five subscribers');
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
    const target = createChannel({ history: 2 });
    channel = target;
    server = await serveNodeSse(
      (req) => ({
        heartbeat: false,
        maxBufferedBytes: req.url === '/tiny' ? 64 * 1024 : 1024 * 1024,
      }),
      (stream, req) => {
        // `/odd` takes the first, third, fifth... event published.
        let offered = 0;
        target.subscribe(stream, req.url === '/odd' ? { filter: () => offered++ % 2 === 0 } : {});
      },
    );
    expect(target.stats()).toEqual({ subscribers: 0, published: 0, delivered: 0, closedSlow: 0 });
    const all = await openLeanSse(server.url);
    const odd = await openLeanSse(`${server.url}/odd`);
    clients.push(all, odd);
    sockets.push(await openStalledSocket(`${server.url}/tiny`));
    await waitUntil(() => target.size === 3, 'three subscribers');
    expect(target.stats().subscribers).toBe(3);

    for (let n = 1; n <= 4; n++) await target.publish(`small ${n}`);
    await all.waitForCount(4);
    await odd.waitForCount(2);
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
          odd.waitForCount(Math.ceil(published / 2)),
        ]);
    }
    expect(target.stats()).toMatchObject({ subscribers: 2, published, closedSlow: 1 });
    all.close();
    await waitUntil(() => target.stats().subscribers === 1, 'the client that left');
    expect(target.stats().closedSlow).toBe(1);
  });
});
