import { SseError, type Backplane, type BackplaneEvent, type Broker } from '@sse/core';
import { resolveBrokerOptions, type RedisBrokerOptions } from './broker-options';
import { RedisRuns } from './redis-runs';
import { RedisTopics } from './redis-topics';
import { topicKeys } from './topic-keys';

/**
 * A broker on Redis: each topic's history in a Redis Stream (the last `maxLen` events,
 * expiring `ttl` seconds after its last publish), live events to every instance that listens
 * to the topic. However many topics, an instance uses two connections (on a Cluster,
 * node-redis's two per shard), and does no work for topics it does not listen to.
 *
 * A client resuming from an id of a history Redis lost (flushed, expired, restarted without
 * persistence) gets the gap event. Redis going away never crashes the server: publishes reject
 * while it is away, `onError` hears of it once, and live events resume where they stopped.
 *
 * @example
 * const broker = redisBroker({ url: process.env.REDIS_URL!, maxLen: 500, ttl: 3600 });
 * const room = createChannel({ backplane: broker.backplane('room:1') });
 */
export function redisBroker(options: RedisBrokerOptions): Broker {
  const { source, prefix, maxLen, ttlMs, onError } = resolveBrokerOptions(options);
  const topics = new RedisTopics(source);
  topics.reporter.add(onError);
  const limits = { maxLen, ttlMs };
  let closed = false;

  const runs = new RedisRuns(topics, prefix);
  return {
    runs,
    backplane(topic) {
      if (closed) throw new SseError('ERR_SSE_BACKPLANE', 'backplane() on a closed broker');
      if (typeof topic !== 'string' || topic === '') {
        throw new SseError(
          'ERR_SSE_OPTIONS',
          `a topic is a non-empty string, got ${String(topic)}`,
        );
      }
      return topicBackplane(topics, topicKeys(prefix, topic), limits);
    },
    async close() {
      closed = true;
      runs.stop();
      await topics.close();
    },
  };
}

/**
 * One topic's backplane on shared connections. Its `close()` only stops its own listeners:
 * the connections are the broker's, the history stays until it expires.
 */
export function topicBackplane(
  topics: RedisTopics,
  keys: Parameters<RedisTopics['listen']>[0],
  limits: Parameters<RedisTopics['append']>[1],
  onClose?: () => Promise<void>,
): Backplane {
  const stops = new Set<() => void>();
  let closed = false;
  return {
    append: (input) => topics.append(keys, limits, input),
    readAfter: (lastEventId) => topics.readAfter(keys, lastEventId),
    lastId: () => topics.lastId(keys),
    listen(listener: (event: BackplaneEvent) => void) {
      if (closed) return noop;
      const stop = topics.listen(keys, listener);
      const entry = () => {
        if (stops.delete(entry)) stop();
      };
      stops.add(entry);
      return entry;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const stop of [...stops]) stop();
      await onClose?.();
    },
  };
}

function noop(): void {}
