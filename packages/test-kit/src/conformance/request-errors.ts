import { describe, expect, it } from 'vitest';
import { createHub, type SseSubscribable } from '@sse/core';
import type { ConformanceHarness } from './harness';
import type { SseTargetChannel } from './target';

/** A `channel` function failing with an HTTP status, as authorization code throws it. */
function failing(status: number, message: string, async: boolean): SseTargetChannel {
  const error = Object.assign(new Error(message), { status, expose: true });
  return async
    ? () => Promise.reject(error)
    : () => {
        throw error;
      };
}

/**
 * Requests the `channel` option turns down before the stream opens: answered by the framework's
 * error path with the status the error carries, never with an SSE stream.
 */
export function describeRequestErrors(harness: ConformanceHarness): void {
  describe('request errors', () => {
    const expectAnswered = async (channel: SseTargetChannel, status: number) => {
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const response = await harness.raw(server.url);
      await response.ended;
      expect(response.status).toBe(status);
      expect(String(response.headers['content-type'])).not.toMatch(/event-stream/);
      return response.text();
    };

    it('answers 404 when the channel function finds no channel', async () => {
      await expectAnswered(() => undefined as unknown as SseSubscribable, 404);
      await expectAnswered(() => Promise.resolve(null as unknown as SseSubscribable), 404);
    });

    it.each([
      [401, 'sync'],
      [403, 'async'],
    ] as const)(
      'answers %i when the channel function throws an error with that status (%s)',
      async (status, mode) => {
        await expectAnswered(failing(status, 'not for you', mode === 'async'), status);
      },
    );

    it('answers 400 with the reason for a bad topic request', async () => {
      const hub = createHub({ maxTopicsPerStream: 2 });
      try {
        const text = await expectAnswered(() => hub.topics(['ok', 'bad\nname']), 400);
        expect(text).toMatch(/control characters/);
        await expectAnswered(() => hub.topics(['a', 'b', 'c']), 400);
        await expectAnswered(() => hub.topics(['x'.repeat(257)]), 400);
        await expectAnswered(() => hub.topics(undefined), 400);
        expect(hub.stats().topics).toBe(0);
      } finally {
        hub.close();
      }
    });
  });
}
