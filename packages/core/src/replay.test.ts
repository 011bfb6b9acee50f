import {
  openRawSse,
  recordEventSource,
  serveNodeSse,
  waitUntil,
  type NodeSseServer,
} from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Channel, type ChannelOptions } from './channel';
import { parseEventId, processStartEventId } from './event-id';

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

/** Publishes `event from` .. `event to`; resolves with their ids, in order. */
async function publishNumbers(channel: Channel, from: number, to: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = from; n <= to; n++) ids.push(await channel.publish(`event ${n}`));
  return ids;
}

const ids = (events: { id?: string | undefined }[]) => events.map((event) => event.id);
const texts = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `event ${from + i}`);

describe('Last-Event-ID replay', () => {
  it('replays what came after the Last-Event-ID header, then goes live', async () => {
    const { channel, server } = await serveChannel();
    const published = await publishNumbers(channel, 1, 10);
    const client = await openRawSse(server.url, { headers: { 'last-event-id': published[3]! } });
    cleanups.push(() => client.close());
    await client.waitForEvents(6);
    published.push(await channel.publish('event 11'));
    const events = await client.waitForEvents(7);
    expect(ids(events)).toEqual(published.slice(4));
    expect(events.map((e) => e.data)).toEqual(texts(5, 11));
  });

  it('replays from the lastEventId query parameter (EventSource polyfills)', async () => {
    const { channel, server } = await serveChannel();
    const published = await publishNumbers(channel, 1, 6);
    const client = await openRawSse(`${server.url}/?lastEventId=${published[2]!}`);
    cleanups.push(() => client.close());
    expect(ids(await client.waitForEvents(3))).toEqual(published.slice(3));
  });

  it('sends only live events to a client without a last id', async () => {
    const { channel, server } = await serveChannel();
    await publishNumbers(channel, 1, 3);
    const client = await openRawSse(server.url);
    cleanups.push(() => client.close());
    await waitUntil(() => channel.size === 1, 'the subscription');
    const id = await channel.publish('live');
    const events = await client.waitForEvents(1);
    expect(events).toEqual([{ id, event: undefined, data: 'live' }]);
  });

  it('gives a reconnecting EventSource exactly the events it missed', async () => {
    const { channel, server } = await serveChannel({}, { retry: 20 });
    const source = recordEventSource(server.url);
    cleanups.push(() => source.close());
    await source.opened;
    await waitUntil(() => channel.size === 1, 'the first subscription');
    const published = await publishNumbers(channel, 1, 3);
    await source.waitFor(3);

    const first = await server.streamAt(0);
    first.close();
    // Published while the client is away (it waits `retry` ms before reconnecting).
    published.push(...(await publishNumbers(channel, 4, 6)));
    const second = await server.streamAt(1);
    expect(second.lastEventId).toBe(published[2]);
    await source.waitFor(6);
    published.push(...(await publishNumbers(channel, 7, 7)));
    await source.waitFor(7);

    expect(source.received.map((e) => e.lastEventId)).toEqual(published);
    expect(source.received.map((e) => e.data)).toEqual(texts(1, 7));
  });

  it('sends the gap event first when the id is older than the history', async () => {
    const { channel, server } = await serveChannel({ history: 5 });
    const published = await publishNumbers(channel, 1, 20);
    const client = await openRawSse(server.url, { headers: { 'last-event-id': published[1]! } });
    cleanups.push(() => client.close());
    const events = await client.waitForEvents(6);
    expect(events[0]!.event).toBe('sse-gap');
    expect(JSON.parse(events[0]!.data)).toEqual({
      lastEventId: published[1],
      oldestId: published[15],
    });
    expect(ids(events.slice(1))).toEqual(published.slice(15));
  });

  it('sends the gap event for an unknown id, and the EventSource client can listen to it', async () => {
    const { channel, server } = await serveChannel({ history: 3 });
    const published = await publishNumbers(channel, 1, 4);
    const source = recordEventSource(`${server.url}/?lastEventId=unknown`, ['sse-gap']);
    cleanups.push(() => source.close());
    const received = await source.waitFor(4);
    expect(received[0]).toMatchObject({ type: 'sse-gap' });
    expect(JSON.parse(received[0]!.data)).toEqual({
      lastEventId: 'unknown',
      oldestId: published[1],
    });
    expect(received.slice(1).map((e) => e.lastEventId)).toEqual(published.slice(1));
  });

  it('sends the gap event for an id of an earlier process (a restart), then everything', async () => {
    const { channel, server } = await serveChannel();
    const published = await publishNumbers(channel, 1, 3);
    // What a client of the previous process holds: an id from before this process started.
    const earlier = `${parseEventId(processStartEventId())!.ms - 1}-5`;
    const client = await openRawSse(server.url, { headers: { 'last-event-id': earlier } });
    cleanups.push(() => client.close());
    const [gap, ...rest] = await client.waitForEvents(4);
    expect(gap).toMatchObject({ event: 'sse-gap' });
    expect(JSON.parse(gap!.data)).toEqual({ lastEventId: earlier, oldestId: published[0] });
    expect(ids(rest)).toEqual(published);
  });

  it('sends no gap event for the newest evicted id: nothing after it was lost', async () => {
    const { channel, server } = await serveChannel({ history: 5 });
    const published = await publishNumbers(channel, 1, 20);
    const client = await openRawSse(server.url, { headers: { 'last-event-id': published[14]! } });
    cleanups.push(() => client.close());
    expect(ids(await client.waitForEvents(5))).toEqual(published.slice(15));
    expect(client.events.some((e) => e.event === 'sse-gap')).toBe(false);
  });

  it('names the gap event as configured, or sends none with gapEvent: false', async () => {
    const named = await serveChannel({ history: 2, gapEvent: 'reload' });
    const silent = await serveChannel({ history: 2, gapEvent: false });
    const namedIds = await publishNumbers(named.channel, 1, 5);
    const silentIds = await publishNumbers(silent.channel, 1, 5);
    const a = await openRawSse(named.server.url, { headers: { 'last-event-id': namedIds[0]! } });
    const b = await openRawSse(silent.server.url, {
      headers: { 'last-event-id': silentIds[0]! },
    });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const namedEvents = await a.waitForEvents(3);
    expect(namedEvents.map((e) => e.event ?? e.id)).toEqual(['reload', ...namedIds.slice(3)]);
    silentIds.push(await silent.channel.publish('live'));
    expect(ids(await b.waitForEvents(3))).toEqual(silentIds.slice(3));
  });

  it('replays from an explicit subscribe lastEventId over the stream one', async () => {
    const channel = createChannel();
    const published = await publishNumbers(channel, 1, 5);
    const server = await serveNodeSse({ heartbeat: false }, (stream) => {
      channel.subscribe(stream, { lastEventId: published[2] });
    });
    cleanups.push(() => server.close());
    const client = await openRawSse(server.url, { headers: { 'last-event-id': published[0]! } });
    cleanups.push(() => client.close());
    expect(ids(await client.waitForEvents(2))).toEqual(published.slice(3));
  });
});
