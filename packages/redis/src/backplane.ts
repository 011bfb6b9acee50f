import type { Backplane } from '@sse/core';
import { topicBackplane } from './broker';
import { resolveOptions, type RedisBackplaneOptions } from './options';
import { RedisTopics } from './redis-topics';

// The connections of every backplane of one URL (or one client of the user's) in this process.
const shared = new Map<unknown, { topics: RedisTopics; users: number }>();

/**
 * A backplane on a Redis Stream: every instance that creates a channel with the same `key`
 * shares one ordered history (the last `maxLen` events) and every subscriber on every instance
 * receives every event, in stream order. Event ids are the stream's ids (`<ms>-<seq>`).
 *
 * The backplanes of one `url` (or one `client`) in a process share their connections: two
 * (one with a client of yours), however many channels. For many dynamic channels, see
 * `redisBroker`.
 *
 * Redis going away never crashes the server: `publish()` rejects while it is unreachable, the
 * live events resume where they stopped once it is back (`onError` hears of it once), so
 * subscribers miss nothing that is still retained.
 *
 * @example
 * const news = createChannel({ backplane: redisBackplane({ url: 'redis://localhost:6379', key: 'sse:news' }) });
 */
export function redisBackplane(options: RedisBackplaneOptions): Backplane {
  const { source, key, maxLen, onError } = resolveOptions(options);
  const owner = source.url ?? source.client;
  let entry = shared.get(owner);
  if (!entry) {
    entry = { topics: new RedisTopics(source), users: 0 };
    shared.set(owner, entry);
  }
  const mine = entry;
  mine.users++;
  const removeHandler = mine.topics.reporter.add(onError);
  const keys = { stream: key, trimmed: `${key}:trimmed`, channel: key };
  return topicBackplane(mine.topics, keys, { maxLen, ttlMs: 0 }, async () => {
    removeHandler();
    if (--mine.users > 0) return;
    if (shared.get(owner) === mine) shared.delete(owner);
    await mine.topics.close();
  });
}
