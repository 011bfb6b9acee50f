import { sleep, useMemoryStreams, type MemoryStreamOptions } from '@sse/test-kit/unit';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBackplane, type Backplane, type BackplaneEvent } from './backplane';
import { createChannel, type Channel, type ChannelOptions } from './channel';
import { parseEventId, processStartEventId } from './event-id';
import { readLastEventId } from './last-event-id';

const channels: Channel[] = [];
afterEach(() => {
  for (const channel of channels.splice(0)) channel.close();
});
const open = useMemoryStreams();

function channelOf(options: ChannelOptions = {}): Channel {
  const channel = createChannel(options);
  channels.push(channel);
  return channel;
}

/** A client of `channel` that last saw `lastEventId`, as a binding opens it. */
function reconnect(channel: Channel, lastEventId?: string, options: MemoryStreamOptions = {}) {
  const memory = open({ heartbeat: false, lastEventId, ...options });
  channel.subscribe(memory.stream);
  return memory;
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
  it("replays what came after the stream's lastEventId, then goes live", async () => {
    const channel = channelOf();
    const published = await publishNumbers(channel, 1, 10);
    const { client } = reconnect(channel, published[3]);
    await client.waitForEvents(6);
    published.push(await channel.publish('event 11'));
    const events = await client.waitForEvents(7);
    expect(ids(events)).toEqual(published.slice(4));
    expect(events.map((e) => e.data)).toEqual(texts(5, 11));
  });

  it('replays from the lastEventId query parameter (EventSource polyfills)', async () => {
    const channel = channelOf();
    const published = await publishNumbers(channel, 1, 6);
    const lastEventId = readLastEventId(undefined, `/events?lastEventId=${published[2]!}`);
    const { client } = reconnect(channel, lastEventId);
    expect(ids(await client.waitForEvents(3))).toEqual(published.slice(3));
  });

  it('sends only live events to a client without a last id', async () => {
    const channel = channelOf();
    await publishNumbers(channel, 1, 3);
    const { client } = reconnect(channel);
    const id = await channel.publish('live');
    const events = await client.waitForEvents(1);
    expect(events).toEqual([{ id, event: undefined, data: 'live' }]);
  });

  it('gives a reconnecting client exactly the events it missed', async () => {
    const channel = channelOf();
    const first = reconnect(channel);
    const published = await publishNumbers(channel, 1, 3);
    await first.client.waitForEvents(3);

    first.stream.close();
    await first.client.ended;
    // Published while the client is away; it comes back with the last id it saw.
    published.push(...(await publishNumbers(channel, 4, 6)));
    const second = reconnect(channel, first.client.events.at(-1)!.id);
    expect(second.stream.lastEventId).toBe(published[2]);
    await second.client.waitForEvents(3);
    published.push(...(await publishNumbers(channel, 7, 7)));
    await second.client.waitForEvents(4);

    const received = [...first.client.events, ...second.client.events];
    expect(ids(received)).toEqual(published);
    expect(received.map((e) => e.data)).toEqual(texts(1, 7));
  });

  it('sends the gap event first when the id is older than the history', async () => {
    const channel = channelOf({ history: 5 });
    const published = await publishNumbers(channel, 1, 20);
    const { client } = reconnect(channel, published[1]);
    const events = await client.waitForEvents(6);
    expect(events[0]!.event).toBe('sse-gap');
    expect(JSON.parse(events[0]!.data)).toEqual({
      lastEventId: published[1],
      oldestId: published[15],
    });
    expect(ids(events.slice(1))).toEqual(published.slice(15));
  });

  it('sends the gap event, named sse-gap, for an unknown id', async () => {
    const channel = channelOf({ history: 3 });
    const published = await publishNumbers(channel, 1, 4);
    const { client } = reconnect(channel, 'unknown');
    const received = await client.waitForEvents(4);
    expect(received[0]).toMatchObject({ event: 'sse-gap' });
    expect(JSON.parse(received[0]!.data)).toEqual({
      lastEventId: 'unknown',
      oldestId: published[1],
    });
    expect(ids(received.slice(1))).toEqual(published.slice(1));
  });

  it('sends the gap event for an id of an earlier process (a restart), then everything', async () => {
    const channel = channelOf();
    const published = await publishNumbers(channel, 1, 3);
    // What a client of the previous process holds: an id from before this process started.
    const earlier = `${parseEventId(processStartEventId())!.ms - 1}-5`;
    const { client } = reconnect(channel, earlier);
    const [gap, ...rest] = await client.waitForEvents(4);
    expect(gap).toMatchObject({ event: 'sse-gap' });
    expect(JSON.parse(gap!.data)).toEqual({ lastEventId: earlier, oldestId: published[0] });
    expect(ids(rest)).toEqual(published);
  });

  it('sends no gap event for the newest evicted id: nothing after it was lost', async () => {
    const channel = channelOf({ history: 5 });
    const published = await publishNumbers(channel, 1, 20);
    const { client } = reconnect(channel, published[14]);
    expect(ids(await client.waitForEvents(5))).toEqual(published.slice(15));
    expect(client.events.some((e) => e.event === 'sse-gap')).toBe(false);
  });

  it('names the gap event as configured, or sends none with gapEvent: false', async () => {
    const named = channelOf({ history: 2, gapEvent: 'reload' });
    const silent = channelOf({ history: 2, gapEvent: false });
    const namedIds = await publishNumbers(named, 1, 5);
    const silentIds = await publishNumbers(silent, 1, 5);
    const a = reconnect(named, namedIds[0]).client;
    const b = reconnect(silent, silentIds[0]).client;
    const namedEvents = await a.waitForEvents(3);
    expect(namedEvents.map((e) => e.event ?? e.id)).toEqual(['reload', ...namedIds.slice(3)]);
    silentIds.push(await silent.publish('live'));
    expect(ids(await b.waitForEvents(3))).toEqual(silentIds.slice(3));
  });

  it('replays from an explicit subscribe lastEventId over the stream one', async () => {
    const channel = channelOf();
    const published = await publishNumbers(channel, 1, 5);
    const { stream, client } = open({ heartbeat: false, lastEventId: published[0] });
    channel.subscribe(stream, { lastEventId: published[2] });
    expect(ids(await client.waitForEvents(2))).toEqual(published.slice(3));
  });
});

describe('replay against a live feed that trails its history', () => {
  it('never writes an event twice when its live copy arrives after the replay went live', async () => {
    const store = memoryBackplane({ history: 100 });
    const listeners = new Set<(event: BackplaneEvent) => void>();
    // Like Redis pub/sub behind a stream read: listeners hear of each event a moment late.
    const trailing: Backplane = {
      append: (input) => store.append(input),
      readAfter: (id) => store.readAfter(id),
      lastId: () => store.lastId!(),
      listen(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    store.listen((event) => {
      setTimeout(() => {
        for (const listener of listeners) listener(event);
      }, 30);
    });
    const channel = createChannel({ backplane: trailing });
    const first = await channel.publish('one');
    await channel.publish('two');
    const { stream, client } = open();
    channel.subscribe(stream, { lastEventId: first });
    await channel.publish('three');
    await sleep(100);
    expect(client.events.map((event) => event.data)).toEqual(['two', 'three']);
    channel.close();
  });
});
