import { useMemoryStreams } from '@sse/test-kit/unit';
import { describe, expect, it } from 'vitest';
import { createChannel } from './channel';
import { subscribeAll } from './subscribe-all';

const open = useMemoryStreams();

describe("a new subscriber's cursor", () => {
  it('is sent as an id line without data, so no event fires', async () => {
    const channel = createChannel();
    const before = await channel.publish('earlier');
    const { stream, client } = open({ heartbeat: false });
    channel.subscribe(stream);
    await client.waitForText((text) => text.includes('id:'));
    expect(client.text()).toBe(`: \n\nid: ${before}\n\n`);
    expect(client.events).toEqual([]);
    channel.close();
  });

  it('lets a client cut off before its first event resume what it missed', async () => {
    const channel = createChannel();
    const first = open({ heartbeat: false });
    channel.subscribe(first.stream);
    const cursor = (await first.client.waitForText((text) => /id: .+\n\n/.test(text))).match(
      /id: (.+)\n/,
    )![1]!;
    // Cut off before any event reached it (as a burst's slow verdict would).
    first.stream.close();
    await first.client.ended;
    const missed = [await channel.publish('one'), await channel.publish('two')];
    // What a browser sends: the id of the data-less frame is its last event id (WHATWG).
    const second = open({ heartbeat: false, lastEventId: cursor });
    channel.subscribe(second.stream);
    const events = await second.client.waitForEvents(2);
    expect(events.map((event) => [event.id, event.data])).toEqual([
      [missed[0], 'one'],
      [missed[1], 'two'],
    ]);
    channel.close();
  });

  it('is the newest position of a list of channels', async () => {
    const [a, b] = [createChannel(), createChannel()];
    await a.publish('a1');
    const newest = await b.publish('b1');
    const { stream, client } = open({ heartbeat: false });
    subscribeAll(stream, [b, a]);
    expect([a.size, b.size]).toEqual([1, 1]);
    await client.waitForText((text) => text.includes('id:'));
    const last = [...client.text().matchAll(/^id: (.*)$/gm)].at(-1)?.[1];
    expect(last).toBe(newest);
    a.close();
    b.close();
  });
});
