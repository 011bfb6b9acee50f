import { describe, expect, it } from 'vitest';
import { createChannel } from '@sse/core';
import { waitUntil } from '../wait';
import { captureStreams, type ConformanceHarness } from './harness';

/** DESIGN.md: every channel drops a client that left within 500 ms. */
const CLEANUP_BUDGET_MS = 500;

/** Disconnect cleanup: a client that leaves closes its stream and leaves every channel. */
export function describeDisconnect(harness: ConformanceHarness): void {
  describe('disconnect cleanup', () => {
    it('closes the stream with reason "client", aborts its signal and leaves the channels', async () => {
      const channels = [createChannel(), createChannel()];
      const streams = captureStreams();
      const server = await harness.start({
        options: { channel: channels, heartbeat: false },
        handler: streams.handler,
      });
      const client = await harness.raw(server.url);
      const { stream } = await streams.next(0);
      const signal = stream.signal;
      expect(channels.map((channel) => channel.size)).toEqual([1, 1]);
      expect(signal.aborted).toBe(false);

      client.close();
      await waitUntil(
        () => channels.every((channel) => channel.size === 0),
        'every channel drops the client',
        CLEANUP_BUDGET_MS,
      );
      await waitUntil(() => streams.opened[0]!.reason !== undefined, 'the stream closes');
      expect(streams.opened[0]!.reason).toBe('client');
      expect(stream.closed).toBe(true);
      expect(signal.aborted).toBe(true);
    });

    it('keeps serving the other clients when one leaves', async () => {
      const channel = createChannel();
      const streams = captureStreams();
      const server = await harness.start({
        options: { channel, heartbeat: false },
        handler: streams.handler,
      });
      const leaving = harness.eventSource(server.url);
      const staying = harness.eventSource(server.url);
      await Promise.all([leaving.opened, staying.opened]);
      await waitUntil(() => channel.size === 2, 'both clients subscribed');

      leaving.close();
      await waitUntil(
        () => channel.size === 1,
        'the channel drops the client that left',
        CLEANUP_BUDGET_MS,
      );
      const id = await channel.publish('still here');
      expect(await staying.waitFor(1)).toEqual([
        { type: 'message', data: 'still here', lastEventId: id },
      ]);
      expect(streams.opened.map((entry) => entry.reason).sort()).toEqual(['client', undefined]);
    });

    it('drops a client that left while its channels were being resolved', async () => {
      const channel = createChannel();
      let lookups = 0;
      let resolved = 0;
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const streams = captureStreams();
      const server = await harness.start({
        options: {
          // The first lookup is slow (auth, a database...): its client leaves meanwhile.
          channel: async () => {
            if (lookups++ === 0) await gate;
            resolved++;
            return channel;
          },
          heartbeat: false,
        },
        handler: streams.handler,
      });
      const leaving = harness.eventSource(server.url);
      await waitUntil(() => lookups === 1, 'the first request reaches the channel lookup');
      leaving.close();
      // A second client, served after the first one's socket closed.
      await harness.raw(server.url);
      await waitUntil(() => channel.size === 1, 'the second client is subscribed');

      release();
      await waitUntil(() => resolved === 2, 'the slow lookup finishes');
      // Let the adapter finish opening (microtasks and I/O callbacks) before looking.
      await new Promise((resolve) => setImmediate(resolve));
      await waitUntil(
        () => channel.size === 1,
        'the client that left is not subscribed',
        CLEANUP_BUDGET_MS,
      );
      expect(streams.opened.filter((entry) => entry.reason === undefined)).toHaveLength(1);
    });

    it('resolves pending sends and stops a piped source once the client is gone', async () => {
      let stopped = false;
      async function* ticks() {
        try {
          for (let n = 0; ; n++) {
            yield n;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        } finally {
          stopped = true;
        }
      }
      const streams = captureStreams((stream) => stream.pipe(ticks()));
      const server = await harness.start({
        options: { heartbeat: false },
        handler: streams.handler,
      });
      const client = await harness.raw(server.url);
      await client.waitForEvents(3);
      client.close();
      await waitUntil(() => stopped, 'the piped generator is stopped');
      expect(streams.opened[0]!.reason).toBe('client');
    });
  });
}
