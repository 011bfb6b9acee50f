import { describe, expect, it } from 'vitest';
import { createChannel, type Channel } from '@sse/core';
import { captureStreams, withQuery, type ConformanceHarness } from './harness';

async function publishNumbers(channel: Channel, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) await channel.publish(`event ${n}`);
}

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    id: String(from + i),
    data: `event ${from + i}`,
  }));

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
      await publishNumbers(channel, 1, 3);
      await client.waitFor(3);

      const first = await streams.next(0);
      first.stream.close();
      // Published while the client is away: it must get them from history.
      await publishNumbers(channel, 4, 5);
      const second = await streams.next(1, 10_000);
      expect(second.stream.lastEventId).toBe('3');
      await publishNumbers(channel, 6, 6);

      const received = await client.waitFor(6, 10_000);
      expect(received.map(({ lastEventId, data }) => ({ id: lastEventId, data }))).toEqual(
        numbered(1, 6),
      );
      expect(first.reason).toBe('server');
    });

    it('replays what came after the Last-Event-ID header, then live events', async () => {
      const channel = createChannel();
      await publishNumbers(channel, 1, 5);
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = await harness.raw(server.url, { headers: { 'Last-Event-ID': '3' } });
      await client.waitForEvents(2);
      await publishNumbers(channel, 6, 6);
      const events = await client.waitForEvents(3);
      expect(events.map(({ id, data }) => ({ id, data }))).toEqual(numbered(4, 6));
    });

    it('reads the id from the lastEventId query parameter (EventSource polyfills)', async () => {
      const channel = createChannel();
      await publishNumbers(channel, 1, 4);
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = await harness.raw(withQuery(server.url, { lastEventId: '2' }));
      const events = await client.waitForEvents(2);
      expect(events.map(({ id, data }) => ({ id, data }))).toEqual(numbered(3, 4));
    });

    it('prefers the header over the query parameter', async () => {
      const channel = createChannel();
      await publishNumbers(channel, 1, 5);
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = await harness.raw(withQuery(server.url, { lastEventId: '1' }), {
        headers: { 'Last-Event-ID': '4' },
      });
      const events = await client.waitForEvents(1);
      await publishNumbers(channel, 6, 6);
      const all = await client.waitForEvents(2);
      expect(events[0]).toMatchObject({ id: '5' });
      expect(all.map(({ id }) => id)).toEqual(['5', '6']);
    });

    it('sends the gap event first when the id is older than the history', async () => {
      const channel = createChannel({ history: 2 });
      await publishNumbers(channel, 1, 5);
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = await harness.raw(server.url, { headers: { 'Last-Event-ID': '1' } });
      const [gap, ...rest] = await client.waitForEvents(3);
      expect(gap!.event).toBe('sse-gap');
      expect(JSON.parse(gap!.data)).toEqual({ lastEventId: '1', oldestId: '4' });
      expect(rest.map(({ id, data }) => ({ id, data }))).toEqual(numbered(4, 5));
    });

    it('delivers the gap event to a real EventSource listening for it', async () => {
      const channel = createChannel({ history: 1 });
      await publishNumbers(channel, 1, 3);
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = harness.eventSource(withQuery(server.url, { lastEventId: 'unknown-id' }), [
        'sse-gap',
      ]);
      const [gap, replayed] = await client.waitFor(2);
      expect(gap).toEqual({
        type: 'sse-gap',
        data: JSON.stringify({ lastEventId: 'unknown-id', oldestId: '3' }),
        lastEventId: '',
      });
      expect(replayed).toEqual({ type: 'message', data: 'event 3', lastEventId: '3' });
    });
  });
}
