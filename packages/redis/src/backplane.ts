import {
  compareEventIds,
  SseError,
  type Backplane,
  type BackplaneEvent,
  type BackplaneReadResult,
} from '@sse/core';
import { connectUrl, shutDown, watchErrors, whenReady } from './connection';
import { decodeEntries, entryFields, STREAM_ID } from './entries';
import { resolveOptions, type RedisBackplaneOptions } from './options';
import { APPEND, READ_AFTER } from './scripts';
import { StreamTail } from './stream-tail';

const CATCH_UP_TIMEOUT_MS = 5_000;

/**
 * A backplane on a Redis Stream: every instance that creates a channel with the same `key`
 * shares one ordered history (the last `maxLen` events) and every subscriber on every instance
 * receives every event, in stream order. Event ids are the stream's ids (`<ms>-<seq>`).
 *
 * Redis going away never crashes the server: `publish()` rejects while it is unreachable, the
 * live tail reports once (`onError`), retries with backoff and resumes where it stopped, so
 * subscribers miss nothing that is still retained.
 *
 * @example
 * const news = createChannel({ backplane: redisBackplane({ url: 'redis://localhost:6379', key: 'sse:news' }) });
 */
export function redisBackplane(options: RedisBackplaneOptions): Backplane {
  const { url, client, key, maxLen, onError } = resolveOptions(options);
  const keys = [key, `${key}:trimmed`];
  const redis = url !== undefined ? connectUrl(url, onError) : client!;
  if (url === undefined) watchErrors(redis, onError);
  const listeners = new Set<(event: BackplaneEvent) => void>();
  let tail: StreamTail | undefined;
  const deliver = (event: BackplaneEvent) => {
    for (const listener of listeners) listener(event);
  };

  return {
    async append(input) {
      const id = input.id ?? '*';
      if (id !== '*' && !STREAM_ID.test(id)) {
        throw new SseError(
          'ERR_SSE_BACKPLANE',
          `a Redis backplane's event ids are stream ids (<ms>-<seq>), got ${JSON.stringify(id)}`,
        );
      }
      await whenReady(redis);
      try {
        return String(await APPEND.run(redis, keys, [String(maxLen), id, ...entryFields(input)]));
      } catch (error) {
        if (id !== '*' && /equal or smaller/.test(String(error))) {
          throw new SseError(
            'ERR_SSE_BACKPLANE',
            `event id ${id} is not after the newest id of stream ${key}: Redis stream ids only grow`,
          );
        }
        throw error;
      }
    },

    async readAfter(lastEventId): Promise<BackplaneReadResult> {
      // Live events are listened to before history is read: the history must start no later
      // than the tail's cursor, or an event could fall between the two.
      await tail?.armed;
      await whenReady(redis);
      const known = STREAM_ID.test(lastEventId);
      const reply = await READ_AFTER.run(redis, keys, [known ? `(${lastEventId}` : '-']);
      if (!Array.isArray(reply) || reply.length !== 4) {
        throw new SseError('ERR_SSE_BACKPLANE', 'unexpected reply from Redis to a history read');
      }
      const [trimmed, oldest, newest, after] = reply as [unknown, unknown, unknown, unknown];
      const oldestId = decodeEntries(oldest)[0]?.id ?? null;
      const newestId = decodeEntries(newest)[0]?.id;
      const events = decodeEntries(after);
      // Everything read here must also have reached the live listeners first: otherwise the
      // tail could deliver it again after the reader went live.
      if (newestId !== undefined) await tail?.caughtUp(newestId, CATCH_UP_TIMEOUT_MS);
      // Events are missing when one after the id was trimmed away, or when the id is not ours.
      const gap =
        !known ||
        (typeof trimmed === 'string' && (compareEventIds(lastEventId, trimmed) ?? -1) < 0);
      return { events, oldestId, gap };
    },

    listen(listener) {
      listeners.add(listener);
      tail ??= new StreamTail(redis, key, deliver, onError);
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0 || !tail) return;
        void tail.stop();
        tail = undefined;
      };
    },

    async close() {
      listeners.clear();
      const stopping = tail?.stop();
      tail = undefined;
      await Promise.all([stopping, url !== undefined ? shutDown(redis, true) : undefined]);
    },
  };
}
