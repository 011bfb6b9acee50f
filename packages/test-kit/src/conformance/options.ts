import { describe, expect, it } from 'vitest';
import type { SseStream } from '@sse/core';
import { waitUntil } from '../wait';
import { captureStreams, type ConformanceHarness } from './harness';

/** A serializer a test can recognise on the wire: `key=value` lines instead of JSON. */
function toKeyValueLines(value: unknown): string {
  return Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${key}=${String(item)}`)
    .join('\n');
}

/**
 * Stream options that no other area exercises: `serialize` and `onError` reach the stream
 * through the adapter's `sse(options)` as they are. (`heartbeat`, `retry` and
 * `maxBufferedBytes` have their own areas.)
 */
export function describeOptions(harness: ConformanceHarness): void {
  describe('stream options', () => {
    it('turns non-string data into text with the serialize option', async () => {
      const server = await harness.start({
        options: { heartbeat: false, serialize: toKeyValueLines },
        handler: async (stream) => {
          await stream.send({ room: 'kitchen', people: 2 }, { event: 'presence' });
          // Strings are sent as they are, never through serialize.
          await stream.send('a=b stays text');
        },
      });
      const client = await harness.raw(server.url);
      const events = await client.waitForEvents(2);
      expect(events.map(({ event, data }) => ({ event, data }))).toEqual([
        { event: 'presence', data: 'room=kitchen\npeople=2' },
        { event: undefined, data: 'a=b stays text' },
      ]);
      // One data line per line the serializer returned.
      expect(client.text()).toContain('event: presence\ndata: room=kitchen\ndata: people=2\n\n');
    });

    it('hands errors raised after the stream opened to onError, then closes the stream', async () => {
      const failure = new Error('handler failed');
      const reported: { error: unknown; stream: SseStream }[] = [];
      const streams = captureStreams(async (stream) => {
        await stream.send('before the failure');
        throw failure;
      });
      const server = await harness.start({
        options: {
          heartbeat: false,
          onError: (error, stream) => void reported.push({ error, stream }),
        },
        handler: streams.handler,
      });
      const client = await harness.raw(server.url);
      await client.ended;
      expect(client.events.map((event) => event.data)).toEqual(['before the failure']);
      await waitUntil(() => reported.length === 1, 'onError is called');
      expect(reported[0]!.error).toBe(failure);
      expect(reported[0]!.stream).toBe(streams.opened[0]!.stream);
      expect(streams.opened[0]!.reason).toBe('error');
    });
  });
}
