import { openRawSse, waitUntil } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub } from './hub';
import type { Hub } from './hub-types';
import { serveHubTopics } from './serve-topics.test-helper';

let hub: Hub<Record<string, unknown>> | undefined;
afterEach(() => {
  hub?.close();
  hub = undefined;
});

/** Serves `current`; returns what opens a stream of topics a and b from a last id. */
async function serveTopics(current: Hub<Record<string, unknown>>) {
  const served = await serveHubTopics(current);
  return (lastEventId?: string) =>
    openRawSse(served.url('a', 'b'), {
      headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
    });
}

const CURSOR = /^t1,/;

/** A client of topics a and b, once both are subscribed. */
async function openLive(open: Awaited<ReturnType<typeof serveTopics>>) {
  const client = await open();
  await waitUntil(() => hub!.stats().subscribers === 2, 'both topics subscribed');
  return client;
}

describe('ids of a stream of several in-memory topics', () => {
  it('are the events’ own ids once live, the same as a one-topic stream gets', async () => {
    hub = createHub();
    const open = await serveTopics(hub);
    const client = await openLive(open);
    const a1 = await hub.publish('a', 'a1');
    const b1 = await hub.publish('b', 'b1');
    const events = await client.waitForEvents(2);
    expect(events.map((event) => [event.id, event.data])).toEqual([
      [a1, 'a1'],
      [b1, 'b1'],
    ]);
    client.close();
  });

  it('resume every topic from an event’s own id, also past events with publishers’ own ids', async () => {
    hub = createHub();
    const open = await serveTopics(hub);
    const client = await openLive(open);
    await hub.publish('a', 'a1');
    const [seen] = await client.waitForEvents(1);
    client.close();
    // Ids that compare before a1's, or not at all: only publish order places them.
    await hub.publish('b', 'b-small', { id: '5-0' });
    await hub.publish('b', 'b-named', { id: 'order-7' });
    await hub.publish('a', 'a2');
    const resumed = await open(seen!.id);
    const events = await resumed.waitForEvents(3);
    expect(events.map((event) => [event.event, event.data])).toEqual([
      [undefined, 'b-small'],
      [undefined, 'b-named'],
      [undefined, 'a2'],
    ]);
    resumed.close();
  });

  it('turn into a cursor for an event with a publisher’s own id, and back after it', async () => {
    hub = createHub();
    const open = await serveTopics(hub);
    const client = await openLive(open);
    const a1 = await hub.publish('a', 'a1');
    await hub.publish('b', 'b1', { id: 'mine-1' });
    const a2 = await hub.publish('a', 'a2');
    const events = await client.waitForEvents(3);
    expect(events[0]!.id).toBe(a1);
    expect(events[1]!.id).toMatch(CURSOR);
    expect(events[2]!.id).toBe(a2);
    client.close();

    // From the cursor: a2 and what came after; from a2's id: only what came after. (Ids
    // that do not compare keep the order of their own topic only, in a replay.)
    await hub.publish('b', 'b2', { id: 'mine-2' });
    await hub.publish('a', 'a3');
    const fromCursor = await open(events[1]!.id);
    expect((await fromCursor.waitForEvents(3)).map((event) => event.data).sort()).toEqual([
      'a2',
      'a3',
      'b2',
    ]);
    fromCursor.close();
    const fromPlain = await open(a2);
    expect((await fromPlain.waitForEvents(2)).map((event) => event.data)).toEqual(['b2', 'a3']);
    fromPlain.close();
  });

  it('tell a client resuming from an event’s own id of events another topic lost', async () => {
    hub = createHub({ history: 2 });
    const open = await serveTopics(hub);
    const client = await openLive(open);
    await hub.publish('a', 'a1');
    const [seen] = await client.waitForEvents(1);
    client.close();
    for (const data of ['b1', 'b2', 'b3']) await hub.publish('b', data);
    const resumed = await open(seen!.id);
    const events = await resumed.waitForEvents(3);
    expect(events.map((event) => event.event ?? event.data)).toEqual(['sse-gap', 'b2', 'b3']);
    resumed.close();
  });
});
