import { describe, expect, it } from 'vitest';
import { createChannel } from '@sse/core';
import { captureStreams, type ConformanceHarness } from './harness';

const MAX_BUFFERED_BYTES = 512 * 1024;
const PAYLOAD = 'x'.repeat(16 * 1024);
const BATCH = 8;
// Loopback socket buffers can hold several MiB before the server sees backpressure.
const MAX_EVENTS = 4096;

/** Slow clients: one that stops reading is closed as "slow"; the others get every event. */
export function describeSlowClient(harness: ConformanceHarness): void {
  describe('slow client', () => {
    it('closes a client that stops reading with reason "slow" and keeps serving the others', async () => {
      const channel = createChannel({ history: 16 });
      const streams = captureStreams();
      const server = await harness.start({
        options: { channel, heartbeat: false, maxBufferedBytes: MAX_BUFFERED_BYTES },
        handler: streams.handler,
      });
      const slow = await harness.raw(server.url);
      const slowStream = await streams.next(0);
      const fast = await harness.raw(server.url);
      await streams.next(1);
      slow.pause();

      const ids: string[] = [];
      let published = 0;
      while (slowStream.reason === undefined && published < MAX_EVENTS) {
        for (let i = 0; i < BATCH; i++) ids.push(await channel.publish(PAYLOAD));
        published += BATCH;
        // The fast client keeps up: wait for it before publishing more.
        await fast.waitForEvents(published, 10_000);
      }

      expect(slowStream.reason).toBe('slow');
      expect(channel.size).toBe(1);
      expect(channel.stats().closedSlow).toBe(1);
      await fast.waitForEvents(published);
      expect(fast.events.map((event) => event.id)).toEqual(ids);
      expect(fast.events.every((event) => event.data === PAYLOAD)).toBe(true);
      expect(streams.opened[1]!.reason).toBeUndefined();
      // The slow client's connection is dropped, not left holding the server's memory.
      slow.resume();
      await slow.ended;
    });
  });
}
