import {
  openRawSse,
  recordEventSource,
  serveNodeSse,
  waitUntil,
  type NodeSseServer,
} from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Channel, type ChannelOptions } from './channel';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serveChannel(
  options: ChannelOptions = {},
  streamOptions: { retry?: number } = {},
): Promise<{ channel: Channel; server: NodeSseServer }> {
  const channel = createChannel(options);
  const server = await serveNodeSse({ heartbeat: false, ...streamOptions }, (stream) => {
    channel.subscribe(stream);
  });
  cleanups.push(
    () => server.close(),
    () => channel.close(),
  );
  return { channel, server };
}

async function publishNumbers(channel: Channel, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) await channel.publish(`event ${n}`);
}

const ids = (events: { id?: string | undefined }[]) => events.map((event) => event.id);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

describe('Last-Event-ID replay', () => {
  it('replays what came after the Last-Event-ID header, then goes live', async () => {
    const { channel, server } = await serveChannel();
    await publishNumbers(channel, 1, 10);
    const client = await openRawSse(server.url, { headers: { 'last-event-id': '4' } });
    cleanups.push(() => client.close());
    await client.waitForEvents(6);
    await channel.publish('event 11');
    const events = await client.waitForEvents(7);
    expect(ids(events)).toEqual(range(5, 11));
    expect(events.map((e) => e.data)).toEqual(range(5, 11).map((n) => `event ${n}`));
  });

  it('replays from the lastEventId query parameter (EventSource polyfills)', async () => {
    const { channel, server } = await serveChannel();
    await publishNumbers(channel, 1, 6);
    const client = await openRawSse(`${server.url}/?lastEventId=3`);
    cleanups.push(() => client.close());
    expect(ids(await client.waitForEvents(3))).toEqual(['4', '5', '6']);
  });

  it('sends only live events to a client without a last id', async () => {
    const { channel, server } = await serveChannel();
    await publishNumbers(channel, 1, 3);
    const client = await openRawSse(server.url);
    cleanups.push(() => client.close());
    await waitUntil(() => channel.size === 1, 'the subscription');
    await channel.publish('live');
    const events = await client.waitForEvents(1);
    expect(events).toEqual([{ id: '4', event: undefined, data: 'live' }]);
  });

  it('gives a reconnecting EventSource exactly the events it missed', async () => {
    const { channel, server } = await serveChannel({}, { retry: 20 });
    const source = recordEventSource(server.url);
    cleanups.push(() => source.close());
    await source.opened;
    await waitUntil(() => channel.size === 1, 'the first subscription');
    await publishNumbers(channel, 1, 3);
    await source.waitFor(3);

    const first = await server.streamAt(0);
    first.close();
    // Published while the client is away (it waits `retry` ms before reconnecting).
    await publishNumbers(channel, 4, 6);
    const second = await server.streamAt(1);
    expect(second.lastEventId).toBe('3');
    await source.waitFor(6);
    await publishNumbers(channel, 7, 7);
    await source.waitFor(7);

    expect(source.received.map((e) => e.lastEventId)).toEqual(range(1, 7));
    expect(source.received.map((e) => e.data)).toEqual(range(1, 7).map((n) => `event ${n}`));
  });

  it('sends the gap event first when the id is older than the history', async () => {
    const { channel, server } = await serveChannel({ history: 5 });
    await publishNumbers(channel, 1, 20);
    const client = await openRawSse(server.url, { headers: { 'last-event-id': '2' } });
    cleanups.push(() => client.close());
    const events = await client.waitForEvents(6);
    expect(events[0]!.event).toBe('sse-gap');
    expect(JSON.parse(events[0]!.data)).toEqual({ lastEventId: '2', oldestId: '16' });
    expect(ids(events.slice(1))).toEqual(range(16, 20));
  });

  it('sends the gap event for an unknown id, and the EventSource client can listen to it', async () => {
    const { channel, server } = await serveChannel({ history: 3 });
    await publishNumbers(channel, 1, 4);
    const source = recordEventSource(`${server.url}/?lastEventId=unknown`, ['sse-gap']);
    cleanups.push(() => source.close());
    const received = await source.waitFor(4);
    expect(received[0]).toMatchObject({ type: 'sse-gap' });
    expect(JSON.parse(received[0]!.data)).toEqual({ lastEventId: 'unknown', oldestId: '2' });
    expect(received.slice(1).map((e) => e.lastEventId)).toEqual(['2', '3', '4']);
  });

  it('sends no gap event for the newest evicted id: nothing after it was lost', async () => {
    const { channel, server } = await serveChannel({ history: 5 });
    await publishNumbers(channel, 1, 20);
    const client = await openRawSse(server.url, { headers: { 'last-event-id': '15' } });
    cleanups.push(() => client.close());
    expect(ids(await client.waitForEvents(5))).toEqual(range(16, 20));
    expect(client.events.some((e) => e.event === 'sse-gap')).toBe(false);
  });

  it('names the gap event as configured, or sends none with gapEvent: false', async () => {
    const named = await serveChannel({ history: 2, gapEvent: 'reload' });
    const silent = await serveChannel({ history: 2, gapEvent: false });
    await publishNumbers(named.channel, 1, 5);
    await publishNumbers(silent.channel, 1, 5);
    const a = await openRawSse(named.server.url, { headers: { 'last-event-id': '1' } });
    const b = await openRawSse(silent.server.url, { headers: { 'last-event-id': '1' } });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const namedEvents = await a.waitForEvents(3);
    expect(namedEvents.map((e) => e.event ?? e.id)).toEqual(['reload', '4', '5']);
    await silent.channel.publish('live');
    expect(ids(await b.waitForEvents(3))).toEqual(['4', '5', '6']);
  });

  it('replays from an explicit subscribe lastEventId over the stream one', async () => {
    const channel = createChannel();
    await publishNumbers(channel, 1, 5);
    const server = await serveNodeSse({ heartbeat: false }, (stream) => {
      channel.subscribe(stream, { lastEventId: '3' });
    });
    cleanups.push(() => server.close());
    const client = await openRawSse(server.url, { headers: { 'last-event-id': '1' } });
    cleanups.push(() => client.close());
    expect(ids(await client.waitForEvents(2))).toEqual(['4', '5']);
  });
});
