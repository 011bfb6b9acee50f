import { describe, expect, it } from 'vitest';
import { createChannel, type Channel } from '@sse/core';
import { waitUntil } from '../wait';
import { captureStreams, withQuery, type ConformanceHarness } from './harness';

/** Publishes `event from` .. `event to`; resolves with `{ id, data }` of each, in order. */
async function publishNumbers(
  channel: Channel,
  from: number,
  to: number,
): Promise<{ id: string; data: string }[]> {
  const published: { id: string; data: string }[] = [];
  for (let n = from; n <= to; n++) {
    const data = `event ${n}`;
    published.push({ id: await channel.publish(data), data });
  }
  return published;
}

/** Replay: Last-Event-ID (header or query) resumes from history; too old an id gets a gap event. */
export function describeReplay(harness: ConformanceHarness): void {
  describe('replay', () => {
    it('resumes after a real EventSource reconnects, with no gap and no duplicate', async () => {
      const channel = createChannel();
      const streams = captureStreams();
      const server = await harness.start({
        options: { channel, heartbeat: false, retry: 50 },
        handler: streams.handler,
      });
      const client = harness.eventSource(server.url);
      await client.opened;
      const published = await publishNumbers(channel, 1, 3);
      await client.waitFor(3);

      const first = await streams.next(0);
      first.stream.close();
      // Published while the client is away: it must get them from history.
      published.push(...(await publishNumbers(channel, 4, 5)));
      const second = await streams.next(1, 10_000);
      expect(second.stream.lastEventId).toBe(published[2]!.id);
      published.push(...(await publishNumbers(channel, 6, 6)));

      const received = await client.waitFor(6, 10_000);
      expect(received.map(({ lastEventId, data }) => ({ id: lastEventId, data }))).toEqual(
        published,
      );
      expect(first.reason).toBe('server');
    });

    it('replays what came after the Last-Event-ID header, then live events', async () => {
      const channel = createChannel();
      const published = await publishNumbers(channel, 1, 5);
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = await harness.raw(server.url, {
        headers: { 'Last-Event-ID': published[2]!.id },
      });
      await client.waitForEvents(2);
      published.push(...(await publishNumbers(channel, 6, 6)));
      const events = await client.waitForEvents(3);
      expect(events.map(({ id, data }) => ({ id, data }))).toEqual(published.slice(3));
    });

    it('reads the id from the lastEventId query parameter (EventSource polyfills)', async () => {
      const channel = createChannel();
      const published = await publishNumbers(channel, 1, 4);
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = await harness.raw(withQuery(server.url, { lastEventId: published[1]!.id }));
      const events = await client.waitForEvents(2);
      expect(events.map(({ id, data }) => ({ id, data }))).toEqual(published.slice(2));
    });

    it('prefers the header over the query parameter', async () => {
      const channel = createChannel();
      const published = await publishNumbers(channel, 1, 5);
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = await harness.raw(withQuery(server.url, { lastEventId: published[0]!.id }), {
        headers: { 'Last-Event-ID': published[3]!.id },
      });
      const events = await client.waitForEvents(1);
      published.push(...(await publishNumbers(channel, 6, 6)));
      const all = await client.waitForEvents(2);
      expect(events[0]).toMatchObject({ id: published[4]!.id });
      expect(all.map(({ id }) => id)).toEqual(published.slice(4).map(({ id }) => id));
    });

    it('sends the gap event first when the id is older than the history', async () => {
      const channel = createChannel({ history: 2 });
      const published = await publishNumbers(channel, 1, 5);
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const lastEventId = published[0]!.id;
      const client = await harness.raw(server.url, { headers: { 'Last-Event-ID': lastEventId } });
      const [gap, ...rest] = await client.waitForEvents(3);
      expect(gap!.event).toBe('sse-gap');
      expect(JSON.parse(gap!.data)).toEqual({ lastEventId, oldestId: published[3]!.id });
      expect(rest.map(({ id, data }) => ({ id, data }))).toEqual(published.slice(3));
    });

    it('delivers the gap event to a real EventSource listening for it', async () => {
      const channel = createChannel({ history: 1 });
      const published = await publishNumbers(channel, 1, 3);
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = harness.eventSource(withQuery(server.url, { lastEventId: 'unknown-id' }), [
        'sse-gap',
      ]);
      const [gap, replayed] = await client.waitFor(2);
      expect(gap).toEqual({
        type: 'sse-gap',
        data: JSON.stringify({ lastEventId: 'unknown-id', oldestId: published[2]!.id }),
        lastEventId: '',
      });
      expect(replayed).toEqual({ type: 'message', data: 'event 3', lastEventId: published[2]!.id });
    });

    it('channel list replay: one Last-Event-ID resumes every channel, merged in id order', async () => {
      const channels = [createChannel(), createChannel()];
      const streams = captureStreams();
      const server = await harness.start({
        options: { channel: channels, heartbeat: false, retry: 50 },
        handler: streams.handler,
      });
      const client = harness.eventSource(server.url);
      await client.opened;
      await waitUntil(() => channels.every((channel) => channel.size === 1), 'both subscribed');
      const publishAlternately = async (from: number, to: number) => {
        const published: { id: string; data: string }[] = [];
        for (let n = from; n <= to; n++) {
          const data = `event ${n}`;
          published.push({ id: await channels[n % 2]!.publish(data), data });
        }
        return published;
      };
      const published = await publishAlternately(1, 4);
      await client.waitFor(4);

      (await streams.next(0)).stream.close();
      // Published to both channels while the client is away.
      published.push(...(await publishAlternately(5, 10)));
      const second = await streams.next(1, 10_000);
      expect(second.stream.lastEventId).toBe(published[3]!.id);
      await client.waitFor(10, 10_000);
      published.push(...(await publishAlternately(11, 12)));

      const received = await client.waitFor(12, 10_000);
      expect(received.map(({ lastEventId, data }) => ({ id: lastEventId, data }))).toEqual(
        published,
      );
      expect(received.every(({ type }) => type === 'message')).toBe(true);
    });
  });
}
