import { createServer } from 'node:http';
import { createHub, type Broker } from '@sse/core';
import { openNodeStream } from '@sse/core/node';
import { closeServer, listenServer } from '../targets/listen';
import { topicNamesOf } from './protocol';
import { redisPrefix, redisUrl, type TopicsTarget } from './targets';

/**
 * Ours: `createHub` and the core binding, `hub.topics([user, room])` per stream; on
 * `redisBroker` (from the built @sse/redis) when `onRedis`, else the default memoryBroker.
 */
export async function createHubTarget(onRedis: boolean): Promise<TopicsTarget> {
  let broker: Broker | undefined;
  if (onRedis) {
    const { redisBroker } = await import('@sse/redis');
    // Small history and a short ttl: every run has fresh keys (BENCH_REDIS_PREFIX).
    broker = redisBroker({ url: redisUrl(), prefix: redisPrefix(), maxLen: 20, ttl: 300 });
  }
  const hub = createHub(broker ? { broker } : {});
  let streams = 0;
  let failedPublishes = 0;
  const server = createServer((req, res) => {
    const stream = openNodeStream(req, res);
    hub.topics(topicNamesOf(req.url)).subscribe(stream);
    streams++;
    res.on('close', () => streams--);
  });
  return {
    listen: (backlog) => listenServer(server, backlog),
    publish(topic, event) {
      hub.publish(topic, event.data).catch(() => failedPublishes++);
    },
    subscribers: () => streams,
    async close() {
      await closeServer(server);
      hub.close();
      await broker?.close();
      if (failedPublishes) console.error(`topics-hub: ${failedPublishes} publishes failed`);
    },
  };
}
