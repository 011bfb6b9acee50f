import { openLeanSse, openRawSse, sleep, waitUntil } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { SseError } from '../errors';
import { createHub } from './hub';
import { serveHubTopics } from './serve-topics.test-helper';
import type { Hub } from './hub-types';

let hub: Hub<Record<string, unknown>> | undefined;
afterEach(() => {
  hub?.close();
  hub = undefined;
});

async function serveTopics(current: Hub<Record<string, unknown>>) {
  const served = await serveHubTopics(current);
  return served.url;
}

describe('createHub', () => {
  it('creates a topic on first use and keeps the same channel while it is in memory', () => {
    hub = createHub();
    const room = hub.topic('room:1');
    expect(hub.topic('room:1')).toBe(room);
    expect(hub.topic('room:2')).not.toBe(room);
    expect(hub.stats().topics).toBe(2);
  });

  it('drops an idle topic from memory and still resumes a client from its history', async () => {
    hub = createHub({ idleTimeout: 40 });
    const url = await serveTopics(hub);
    const first = await openRawSse(url('news'));
    const [seen] = await Promise.all([first.waitForEvents(1), hub.publish('news', 'one')]);
    first.close();
    const missed = await hub.publish('news', 'two');
    await waitUntil(() => hub!.stats().topics === 0, 'the idle topic dropped', 2000);
    const again = await openRawSse(url('news'), { headers: { 'last-event-id': seen[0]!.id! } });
    const events = await again.waitForEvents(1);
    expect(events.map((event) => [event.id, event.data])).toEqual([[missed, 'two']]);
    again.close();
  });

  it('keeps a topic with subscribers in memory however long it is idle', async () => {
    hub = createHub({ idleTimeout: 20 });
    const url = await serveTopics(hub);
    const client = await openRawSse(url('kept'));
    await waitUntil(() => hub!.stats().subscribers === 1, 'subscribed');
    await sleep(100);
    expect(hub.stats().topics).toBe(1);
    await hub.publish('kept', 'still here');
    await client.waitForEvents(1);
    client.close();
  });

  it('publishes to a topic without keeping it in memory', async () => {
    hub = createHub();
    await hub.publish('quiet', { n: 1 });
    expect(hub.stats()).toMatchObject({ topics: 0, published: 1 });
    await expect(hub.publish('bad\nname', 1)).rejects.toMatchObject({ code: 'ERR_SSE_TOPIC' });
  });

  it('resumes every topic of a stream with one Last-Event-ID, without gap or duplicate', async () => {
    hub = createHub();
    const url = await serveTopics(hub);
    const client = await openRawSse(url('a', 'b'));
    await waitUntil(() => hub!.stats().subscribers === 2, 'both topics subscribed');
    await hub.publish('a', 'a1');
    await hub.publish('b', 'b1');
    const seen = await client.waitForEvents(2);
    client.close();
    await hub.publish('b', 'b2');
    await hub.publish('a', 'a2');
    await hub.publish('a', 'a3');
    const resumed = await openRawSse(url('a', 'b'), {
      headers: { 'last-event-id': seen[1]!.id! },
    });
    const events = await resumed.waitForEvents(3);
    expect(events.map((event) => event.data).sort()).toEqual(['a2', 'a3', 'b2']);
    await hub.publish('b', 'b3');
    expect((await resumed.waitForEvents(4))[3]!.data).toBe('b3');
    resumed.close();
  });

  it('gives a stream of several topics a cursor before its first event', async () => {
    hub = createHub();
    await hub.publish('x', 'old x');
    const url = await serveTopics(hub);
    const client = await openRawSse(url('x', 'y'));
    const text = await client.waitForText((body) => /id: .+\n\n/.test(body));
    const cursor = /id: (.+)\n/.exec(text)![1]!;
    client.close();
    await hub.publish('y', 'new y');
    const resumed = await openRawSse(url('x', 'y'), { headers: { 'last-event-id': cursor } });
    expect((await resumed.waitForEvents(1)).map((event) => event.data)).toEqual(['new y']);
    resumed.close();
  });

  it("sends a stream of one topic that topic's own ids", async () => {
    hub = createHub();
    const url = await serveTopics(hub);
    const client = await openRawSse(url('solo'));
    await waitUntil(() => hub!.stats().subscribers === 1, 'subscribed');
    const id = await hub.publish('solo', 'hello');
    expect((await client.waitForEvents(1))[0]!.id).toBe(id);
    client.close();
  });

  it('survives clients hopping on and off several topics while both are published', async () => {
    hub = createHub({ history: 5000 });
    const url = await serveTopics(hub);
    const published: string[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; i < 400; i++) {
        const topic = i % 3 === 0 ? 'r' : 's';
        published.push(`${topic}${i}`);
        await hub.publish(topic, `${topic}${i}`);
        if (i % 4 === 0) await sleep(1);
      }
      publishing = false;
    })();
    const clients = Array.from({ length: 5 }, async () => {
      const received: string[] = [];
      let lastId: string | undefined;
      for (let round = 0; publishing || round === 0; round++) {
        const client = await openLeanSse(url('r', 's'), {
          headers: lastId === undefined ? {} : { 'last-event-id': lastId },
          onEvent: (event) => {
            received.push(event.data);
            lastId = event.id;
          },
        });
        await sleep(5 + Math.random() * 30);
        client.close();
      }
      const last = await openLeanSse(url('r', 's'), {
        headers: lastId === undefined ? {} : { 'last-event-id': lastId },
        onEvent: (event) => received.push(event.data),
      });
      await waitUntil(() => received.at(-1) === published.at(-1), 'the last event', 10_000);
      last.close();
      return received;
    });
    await publisher;
    for (const received of await Promise.all(clients)) {
      const expected = published.slice(published.indexOf(received[0]!));
      expect(received).toEqual(expected);
    }
  });

  it('rejects a bad topic request with ERR_SSE_TOPIC and status 400', () => {
    hub = createHub({ maxTopicsPerStream: 2 });
    for (const names of [undefined, [], [''], ['a\u0000'], ['x'.repeat(257)], ['a', 'b', 'c']]) {
      expect(() => hub!.topics(names as string[])).toThrow(SseError);
      expect(() => hub!.topics(names as string[])).toThrow(
        expect.objectContaining({ code: 'ERR_SSE_TOPIC', status: 400 }),
      );
    }
    expect(() => hub!.topics(['a', 'b', 'a'])).not.toThrow();
  });

  it('counts topics, subscribers, published and delivered; close() ends every stream', async () => {
    hub = createHub();
    const url = await serveTopics(hub);
    const client = await openRawSse(url('p', 'q'));
    await waitUntil(() => hub!.stats().subscribers === 2, 'subscribed');
    await hub.publish('p', 1);
    await hub.publish('q', 2);
    await client.waitForEvents(2);
    expect(hub.stats()).toEqual({
      topics: 2,
      subscribers: 2,
      published: 2,
      delivered: 2,
      closedSlow: 0,
    });
    hub.close();
    await client.ended;
    expect(() => hub!.topic('p')).toThrow(SseError);
  });
});
