import { describe, expect, it } from 'vitest';
import { createChannel } from '@sse/core';
import { waitUntil } from '../wait';
import { captureStreams, type ConformanceHarness } from './harness';

/** Shutdown: `channel.close({ retry })` sends a jittered retry line, then ends every response. */
export function describeShutdown(harness: ConformanceHarness): void {
  describe('shutdown', () => {
    it('sends each subscriber a retry line, then ends its response', async () => {
      const channel = createChannel();
      const streams = captureStreams();
      const server = await harness.start({
        options: { channel, heartbeat: false },
        handler: streams.handler,
      });
      const clients = [await harness.raw(server.url), await harness.raw(server.url)];
      await waitUntil(() => channel.size === 2, 'both clients subscribed');
      await channel.publish('last words');
      await Promise.all(clients.map((client) => client.waitForEvents(1)));

      channel.close({ retry: 2000 });
      await Promise.all(clients.map((client) => client.ended));
      for (const client of clients) {
        expect(client.retries).toHaveLength(1);
        expect(client.retries[0]).toBeGreaterThanOrEqual(1000);
        expect(client.retries[0]).toBeLessThanOrEqual(3000);
        // The retry line is the last thing on the wire.
        expect(client.text()).toMatch(/retry: \d+\n\n$/);
      }
      expect(streams.opened.map((entry) => entry.reason)).toEqual(['server', 'server']);
      expect(channel.size).toBe(0);
    });

    it('ends the response when the server closes the stream', async () => {
      const streams = captureStreams(async (stream) => {
        await stream.send('bye');
        stream.close();
      });
      const server = await harness.start({
        options: { heartbeat: false },
        handler: streams.handler,
      });
      const client = await harness.raw(server.url);
      await client.ended;
      expect(client.events.map((event) => event.data)).toEqual(['bye']);
      expect(streams.opened[0]!.reason).toBe('server');
      expect(streams.opened[0]!.stream.signal.aborted).toBe(true);
    });
  });
}
