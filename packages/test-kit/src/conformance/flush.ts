import { describe, expect, it } from 'vitest';
import { captureStreams, type ConformanceHarness } from './harness';

/** Immediate flush: the client's `open` fires before the server sends any event. */
export function describeFlush(harness: ConformanceHarness): void {
  describe('immediate flush', () => {
    it('fires open on a real EventSource before any event is sent', async () => {
      const streams = captureStreams();
      const server = await harness.start({
        options: { heartbeat: false },
        handler: streams.handler,
      });
      const client = harness.eventSource(server.url);
      await client.opened;
      expect(client.received).toEqual([]);
      // The stream is still open and usable after the client saw `open`.
      const { stream } = await streams.next(0);
      await stream.send('first');
      expect(await client.waitFor(1)).toEqual([
        { type: 'message', data: 'first', lastEventId: '' },
      ]);
    });

    it('writes a comment (and the retry line when set) as soon as the stream opens', async () => {
      const server = await harness.start({ options: { heartbeat: false, retry: 2500 } });
      const client = await harness.raw(server.url);
      await client.waitForText((text) => text.includes('retry: 2500\n'));
      expect(client.text()).toMatch(/^:/);
      expect(client.retries).toEqual([2500]);
      expect(client.events).toEqual([]);
    });
  });
}
