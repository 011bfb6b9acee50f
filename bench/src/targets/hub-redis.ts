import { createServer } from 'node:http';
import { createHub } from '@sse/core';
import { openNodeStream } from '@sse/core/node';
import { redisBroker } from '@sse/redis';
import { closeServer, listenServer } from './listen';
import { streamOptions, type BenchTarget } from './types';

const TOPIC = 'all';

/**
 * Ours as one of several workers: a hub on `redisBroker` (Redis at `SSE_REDIS_URL`, keys under
 * `BENCH_REDIS_PREFIX`), every client on one topic; a broadcast on any worker reaches the
 * clients of every worker through Redis.
 */
export function createTarget(): BenchTarget {
  const broker = redisBroker({
    url: process.env.SSE_REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: process.env.BENCH_REDIS_PREFIX ?? 'sse-bench:',
    maxLen: 100,
    ttl: 300,
  });
  const hub = createHub({ broker });
  const options = streamOptions();
  const topics = hub.topics(TOPIC);
  let streams = 0;
  const server = createServer((req, res) => {
    topics.subscribe(openNodeStream(req, res, options));
    streams++;
    res.on('close', () => streams--);
  });
  return {
    listen: (backlog) => listenServer(server, backlog),
    broadcast(event) {
      void hub.publish(TOPIC, event.data);
    },
    subscribers: () => streams,
    async close() {
      await closeServer(server);
      hub.close();
      await broker.close();
    },
  };
}
