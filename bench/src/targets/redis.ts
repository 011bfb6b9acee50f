import { createServer } from 'node:http';
import { createChannel } from '@sse/core';
import { openNodeStream } from '@sse/core/node';
import { redisBackplane } from '@sse/redis';
import { channelTarget } from './listen';
import type { BenchTarget } from './types';

/**
 * Ours through Redis: the core target's channel on `@sse/redis` (Redis at `SSE_REDIS_URL`, else
 * 127.0.0.1:6379). Every event goes to the stream and back through the live tail before the
 * fan-out, as it would with several instances. No target is set for it.
 */
export function createTarget(): BenchTarget {
  const backplane = redisBackplane({
    url: process.env.SSE_REDIS_URL ?? 'redis://127.0.0.1:6379',
    // One key for every run: the stream stays bounded by maxLen; new clients start live.
    key: 'sse-bench:fanout',
    maxLen: 1000,
  });
  const channel = createChannel({ backplane });
  const server = createServer((req, res) => channel.subscribe(openNodeStream(req, res)));
  const target = channelTarget(server, channel);
  return {
    ...target,
    async close() {
      await target.close();
      channel.close();
      await backplane.close?.();
    },
  };
}
