import { openRawSse, serveNodeSse, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from './channel';
import { subscribeAll } from './subscribe-all';

let server: NodeSseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("a new subscriber's cursor", () => {
  it('is sent as an id line without data, so no event fires', async () => {
    const channel = createChannel();
    const before = await channel.publish('earlier');
    server = await serveNodeSse({ heartbeat: false }, (stream) => void channel.subscribe(stream));
    const client = await openRawSse(server.url);
    await client.waitForText((text) => text.includes('id:'));
    expect(client.text()).toBe(`: \n\nid: ${before}\n\n`);
    expect(client.events).toEqual([]);
    client.close();
    channel.close();
  });

  it('lets a client cut off before its first event resume what it missed', async () => {
    const channel = createChannel();
    server = await serveNodeSse({ heartbeat: false }, (stream) => void channel.subscribe(stream));
    const first = await openRawSse(server.url);
    const cursor = (await first.waitForText((text) => /id: .+\n\n/.test(text))).match(
      /id: (.+)\n/,
    )![1]!;
    // Cut off before any event reached it (as a burst's slow verdict would).
    (await server.streamAt(0)).close();
    await first.ended;
    const missed = [await channel.publish('one'), await channel.publish('two')];
    // What a browser sends: the id of the data-less frame is its last event id (WHATWG).
    const second = await openRawSse(server.url, { headers: { 'last-event-id': cursor } });
    const events = await second.waitForEvents(2);
    expect(events.map((event) => [event.id, event.data])).toEqual([
      [missed[0], 'one'],
      [missed[1], 'two'],
    ]);
    second.close();
    channel.close();
  });

  it('is the newest position of a list of channels', async () => {
    const [a, b] = [createChannel(), createChannel()];
    await a.publish('a1');
    const newest = await b.publish('b1');
    server = await serveNodeSse({ heartbeat: false }, (stream) => {
      subscribeAll(stream, [b, a]);
    });
    const client = await openRawSse(server.url);
    await waitUntil(() => a.size === 1 && b.size === 1, 'both subscribed');
    const last = [...client.text().matchAll(/^id: (.*)$/gm)].at(-1)?.[1];
    expect(last).toBe(newest);
    client.close();
    a.close();
    b.close();
  });
});
